// The chain rule by hand against backward(), on one neuron and a squared error:
//   z = w·x + b,  h = tanh(z),  L = (h − t)²
// dL/dw = dL/dh · dh/dz · dz/dw = 2(h − t) · (1 − h²) · x, and likewise for b and x.
//
//   npx tsx examples/chain-rule.ts

import { tensor } from '../engine/index.js';
import { num } from './show.js';

const v = { w: 0.8, x: 1.5, b: -0.3, t: 0.5 };
const w = tensor(v.w, { requiresGrad: true }), x = tensor(v.x, { requiresGrad: true }), b = tensor(v.b, { requiresGrad: true });
const L = w.mul(x).add(b).tanh().sub(v.t).square();
L.backward();

// By hand, in float64: the forward values, then each local derivative, then their products.
const z = v.w * v.x + v.b, h = Math.tanh(z);
const dLdh = 2 * (h - v.t), dhdz = 1 - h * h;
console.log(`forward: z = w·x + b = ${num(z)}, h = tanh(z) = ${num(h)}, L = (h - t)^2 = ${num((h - v.t) ** 2)} (engine: ${num(await L.item())})`);
console.log(`local derivatives: dL/dh = 2(h - t) = ${num(dLdh)}, dh/dz = 1 - h^2 = ${num(dhdz)}, dz/dw = x = ${v.x}, dz/db = 1, dz/dx = w = ${v.w}`);
const rows: [string, number, number][] = [
  ['dL/dw = dL/dh · dh/dz · x', dLdh * dhdz * v.x, await w.grad!.item()],
  ['dL/db = dL/dh · dh/dz · 1', dLdh * dhdz, await b.grad!.item()],
  ['dL/dx = dL/dh · dh/dz · w', dLdh * dhdz * v.w, await x.grad!.item()],
];
for (const [what, hand, engine] of rows) console.log(`${what}: by hand ${num(hand)}, backward() ${num(engine)}`);
