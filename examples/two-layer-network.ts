// A two-layer network's backward pass by hand, with matrices, number for number against the engine.
//   Z1 = X·W1 + b1,  H = relu(Z1),  Z2 = H·W2 + b2,  P = softmax(Z2),  L = mean cross-entropy
// Backward, rows are examples:
//   dZ2 = (P − Y)/N       dW2 = Hᵀ·dZ2    db2 = Σ rows of dZ2
//   dH  = dZ2·W2ᵀ         dZ1 = dH ⊙ [Z1 > 0]
//   dW1 = Xᵀ·dZ1          db1 = Σ rows of dZ1
// The hand computation is plain JavaScript in float64; the engine's is float32.
//
//   npx tsx examples/two-layer-network.ts

import { tensor } from '../engine/index.js';
import { crossEntropy } from '../nn/index.js';
import { fmt, num } from './show.js';

type M = number[][];
const mm = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const T = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const addRow = (a: M, v: number[]): M => a.map((r) => r.map((x, j) => x + v[j]));
const colSum = (a: M): number[] => a[0].map((_, j) => a.reduce((s, r) => s + r[j], 0));

const X: M = [[1, -2, 0.5], [0.3, 0.8, -1], [-0.7, 0.2, 1.5], [2, 1, -0.4]];
const labels = [0, 2, 1, 2];
const W1: M = [[0.2, -0.5, 0.1, 0.4], [-0.3, 0.2, 0.6, -0.1], [0.5, 0.1, -0.4, 0.3]];
const b1 = [0.15, -0.2, 0.05, 0];   // no pre-activation lands on ReLU's kink at 0, where float32 and float64 could disagree
const W2: M = [[0.3, -0.2, 0.5], [-0.4, 0.6, 0.1], [0.2, 0.3, -0.5], [0.7, -0.1, 0.2]];
const b2 = [0, 0.1, -0.1];
const N = X.length;

// ---- forward and backward by hand ----
const Z1 = addRow(mm(X, W1), b1), H = Z1.map((r) => r.map((v) => Math.max(v, 0)));
const Z2 = addRow(mm(H, W2), b2);
const P = Z2.map((r) => { const m = Math.max(...r), e = r.map((v) => Math.exp(v - m)), s = e.reduce((a, v) => a + v, 0); return e.map((v) => v / s); });
const loss = -labels.reduce((s, c, i) => s + Math.log(P[i][c]), 0) / N;
const dZ2 = P.map((r, i) => r.map((v, j) => (v - (j === labels[i] ? 1 : 0)) / N));
const hand = { W2: mm(T(H), dZ2), b2: colSum(dZ2) } as Record<string, M | number[]>;
const dH = mm(dZ2, T(W2));
const dZ1 = dH.map((r, i) => r.map((v, j) => (Z1[i][j] > 0 ? v : 0)));
hand.W1 = mm(T(X), dZ1);
hand.b1 = colSum(dZ1);

// ---- the same network through the engine ----
const p = {
  W1: tensor(W1, { requiresGrad: true }), b1: tensor(b1, { requiresGrad: true }),
  W2: tensor(W2, { requiresGrad: true }), b2: tensor(b2, { requiresGrad: true }),
};
const L = crossEntropy(tensor(X).matmul(p.W1).add(p.b1).relu().matmul(p.W2).add(p.b2), tensor(Int32Array.from(labels)));
L.backward();

console.log(`loss: by hand ${num(loss)}, engine ${num(await L.item())}`);
let worst = 0;
for (const name of ['W2', 'b2', 'W1', 'b1'] as const) {
  const engine = (await p[name].grad!.tolist()) as M | number[];
  const flat = (v: M | number[]) => (v as unknown[]).flat() as number[];
  flat(engine).forEach((v, i) => { worst = Math.max(worst, Math.abs(v - flat(hand[name])[i])); });
  console.log(`d${name} by hand: ${fmt(hand[name])}`);
  console.log(`d${name} engine:  ${fmt(engine)}`);
}
console.log(`largest difference: ${worst.toExponential(1)} (float32 against float64)`);
