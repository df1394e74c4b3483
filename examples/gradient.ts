// The gradient of f(x, y) = x² + 2xy + y² at (x, y) = (3, 2): by the rules, by autograd, and by
// finite differences. f = (x + y)², so both partial derivatives are 2(x + y): ∂f/∂x = 2x + 2y and
// ∂f/∂y = 2x + 2y (the seed had ∂f/∂y wrong).
//
//   npx tsx examples/gradient.ts

import { tensor } from '../engine/index.js';
import { num } from './show.js';

const [x0, y0] = [3, 2];
const f = (x: number, y: number) => x * x + 2 * x * y + y * y;

const x = tensor(x0, { requiresGrad: true });
const y = tensor(y0, { requiresGrad: true });
const z = x.square().add(x.mul(y).mul(2)).add(y.square());
z.backward();

console.log(`f(x, y) = x^2 + 2xy + y^2 = (x + y)^2 at (x, y) = (${x0}, ${y0}): f = ${num(await z.item())}`);
console.log(`by the rules:  df/dx = 2x + 2y = ${2 * x0 + 2 * y0}, df/dy = 2x + 2y = ${2 * x0 + 2 * y0}`);
console.log(`by autograd:   df/dx = ${num(await x.grad!.item())}, df/dy = ${num(await y.grad!.item())}`);
// Central differences in float64: error O(h²).
const h = 1e-5;
const dx = (f(x0 + h, y0) - f(x0 - h, y0)) / (2 * h), dy = (f(x0, y0 + h) - f(x0, y0 - h)) / (2 * h);
console.log(`by finite differences (h = 1e-5): df/dx = ${num(dx)}, df/dy = ${num(dy)}`);
