// Gradients of gradients: backward({ createGraph: true }) records the backward pass as ops, so
// the gradient is itself on a graph (printed here as Mermaid) and backward() runs through it again.
// f(x) = x³ at x = 2: f' = 3x² = 12, f'' = 6x = 12, f''' = 6.
//
//   npx tsx examples/second-order.ts

import { tensor, toMermaid } from '../engine/index.js';
import { num } from './show.js';

const x = tensor(2, { requiresGrad: true });
const y = x.pow(3);
y.backward(undefined, { createGraph: true });
const d1 = x.grad!;
console.log(`f(x) = x^3 at x = 2: f = ${num(await y.item())}`);
console.log(`f'(x) = 3x^2 = ${num(await d1.item())}, and it was recorded: the graph behind x.grad is`);
console.log(toMermaid(d1, { names: new Map([[x, 'x']]) }).trimEnd());

x.grad = null;
d1.backward(undefined, { createGraph: true });
const d2 = x.grad!;
console.log(`f''(x) = 6x = ${num(await d2.item())}`);
x.grad = null;
d2.backward();
console.log(`f'''(x) = 6 = ${num(await x.grad!.item())}`);
