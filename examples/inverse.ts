// The inverse of A = [[1, 2], [3, 4]], three ways: the 2×2 formula (adjugate over determinant), a
// check that A·A⁻¹ = I with the engine's matmul, and gradient descent on ‖A·X − I‖² with autograd,
// which finds the same matrix. (The seed printed a wrong inverse; it is [[-2, 1], [1.5, -0.5]].)
//
//   npx tsx examples/inverse.ts

import { eye, tensor, tidy, zeros } from '../engine/index.js';
import { SGD } from '../nn/index.js';
import { fmt, num, show } from './show.js';

const A = tensor([[1, 2], [3, 4]]);
const [[a, b], [c, d]] = (await A.tolist()) as number[][];
const det = a * d - b * c;
console.log(`A = ${await show(A)}`);
console.log(`det(A) = ad - bc = ${a}·${d} - ${b}·${c} = ${num(det)}`);
// The adjugate swaps the diagonal and negates the off-diagonal.
const inverse = tensor([[d, -b], [-c, a]]).div(det);
console.log(`inverse = [[d, -b], [-c, a]] / det = ${await show(inverse)}`);
console.log(`A · inverse = ${await show(A.matmul(inverse))}`);
console.log(`inverse · A = ${await show(inverse.matmul(A))}`);

// The same matrix as the minimum of a loss: X starts at zero, each step follows -∂/∂X ‖A·X − I‖².
const X = zeros([2, 2], { requiresGrad: true });
const I = eye(2);
const opt = new SGD([X], { lr: 0.03 });
const steps = 3000;
let loss = 0;
for (let i = 0; i < steps; i++) {
  const l = tidy(() => {
    opt.zeroGrad();
    const r = A.matmul(X).sub(I).square().sum();
    r.backward();
    opt.step();
    return r;
  });
  loss = await l.item();
  l.dispose();
}
console.log(`gradient descent on ||A·X - I||^2 (${steps} SGD steps, lr 0.03, from X = 0): X = ${fmt(await X.tolist(), 4)} (loss ${loss.toExponential(1)})`);
