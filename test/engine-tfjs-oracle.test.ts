// Forward values AND gradients of the important kernels against TensorFlow.js (its CPU backend),
// on seeded random inputs. Our engine runs in float32 on its default CPU backend.
//
// Tolerance, elementwise: |ours - tfjs| <= 1e-4 · max(1, |tfjs|), i.e. 1e-4 absolute near zero and
// 1e-4 relative for larger values. Both sides compute in float32, so sums of a few hundred
// products agree to ~1e-6 relative; 1e-4 leaves room for different summation orders only.
//
// Layouts: tfjs convolutions and pools are NHWC; its conv filters are [KH, KW, C, O] (ours
// [O, C, KH, KW]), its depthwise filters [KH, KW, C, M] (ours [C·M, 1, KH, KW]), its
// conv2dTranspose filters [KH, KW, Cout, Cin] (ours [Cin, Cout, KH, KW]). Gradients are taken
// of sum(y · R) for a fixed random cotangent R, on both sides.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, Tensor, tensor, conv2d, convTranspose2d, maxPool2d, avgPool2d, matmul, logSoftmax, softmax, gelu, elu, leakyRelu, tidy } from '../engine/index.js';
import { crossEntropy, batchNorm, layerNorm, interpolate, bceWithLogits } from '../nn/index.js';

const TOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function ours(shape: number[], seed: number, requiresGrad = true, scale = 1): Tensor {
  const g = new Generator(seed);
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => scale * g.normal()), { shape, requiresGrad });
}
/** All-distinct values (no ties for max pooling). */
function distinct(shape: number[], seed: number): Tensor {
  const n = sizeOf(shape), g = new Generator(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  g.shuffle(order);
  return tensor(Float32Array.from(order, (k) => (k - n / 2) * 0.01), { shape, requiresGrad: true });
}
const toTf = (t: Tensor): tf.Tensor => tf.tensor(t.dataSync() as Float32Array, [...t.shape]);
const nhwc = (t: Tensor) => tf.transpose(toTf(t), [0, 2, 3, 1]);
const toNchw = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]);

/** Elementwise |a - b| <= TOL · max(1, |b|), with the worst element in the failure message. */
function expectClose(what: string, a: Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>, shape?: readonly number[]): void {
  if (a instanceof Tensor && b instanceof tf.Tensor) expect(a.shape, `${what}: shape`).toEqual(b.shape);
  else if (a instanceof Tensor && shape) expect(a.shape, `${what}: shape`).toEqual(shape);
  const av = a instanceof Tensor ? a.dataSync() : a;
  const bv = b instanceof tf.Tensor ? b.dataSync() : b;
  expect(av.length, `${what}: length`).toBe(bv.length);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < av.length; i++) {
    const excess = Math.abs(av[i] - bv[i]) - TOL * Math.max(1, Math.abs(bv[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) { worst = i; worstExcess = excess; }
  }
  if (worst >= 0) expect.fail(`${what}: element ${worst}: ours ${av[worst]} vs tfjs ${bv[worst]} (|diff| ${Math.abs(av[worst] - bv[worst]).toExponential(2)})`);
}

/** [KH, KW, C, O] → the dilated kernel [(KH-1)dh+1, (KW-1)dw+1, C, O] with zeros between taps. */
function stuff(w: tf.Tensor, [dh, dw]: [number, number]): tf.Tensor {
  if (dh === 1 && dw === 1) return w;
  const [kh, kw, c, o] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, c, o]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [kh * dh, kw * dw, c, o]), [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, o]);
}

// ---- conv2d ------------------------------------------------------------------------------------------

describe('conv2d vs tf.conv2d', () => {
  type Case = { name: string; x: number[]; w: number[]; stride: [number, number]; pad: 'valid' | 'same' | number; dil: [number, number] };
  const cases: Case[] = [
    { name: 'valid, stride 1', x: [2, 3, 9, 8], w: [4, 3, 3, 3], stride: [1, 1], pad: 'valid', dil: [1, 1] },
    { name: 'valid, stride 2', x: [2, 3, 9, 8], w: [5, 3, 3, 2], stride: [2, 2], pad: 'valid', dil: [1, 1] },
    { name: 'valid, stride [2,3]', x: [1, 2, 11, 10], w: [3, 2, 3, 3], stride: [2, 3], pad: 'valid', dil: [1, 1] },
    { name: "'same', 3×3", x: [2, 3, 7, 9], w: [4, 3, 3, 3], stride: [1, 1], pad: 'same', dil: [1, 1] },
    { name: "'same', 5×5", x: [1, 2, 8, 7], w: [3, 2, 5, 5], stride: [1, 1], pad: 'same', dil: [1, 1] },
    { name: "'same', even kernel 2×4 (asymmetric padding)", x: [1, 2, 7, 8], w: [3, 2, 2, 4], stride: [1, 1], pad: 'same', dil: [1, 1] },
    { name: 'padding 1, stride 2 (explicit)', x: [2, 3, 9, 8], w: [4, 3, 3, 3], stride: [2, 2], pad: 1, dil: [1, 1] },
    { name: 'dilation 2, valid', x: [1, 3, 11, 10], w: [4, 3, 3, 3], stride: [1, 1], pad: 'valid', dil: [2, 2] },
    { name: "dilation [2,3], 'same'", x: [1, 2, 9, 12], w: [3, 2, 3, 3], stride: [1, 1], pad: 'same', dil: [2, 3] },
    { name: 'MNIST-like 28×28, 1→8 channels', x: [4, 1, 28, 28], w: [8, 1, 3, 3], stride: [1, 1], pad: 'valid', dil: [1, 1] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const x = ours(c.x, 1), w = ours(c.w, 2);
      const y = conv2d(x, w, null, { stride: c.stride, padding: c.pad, dilation: c.dil });
      const R = ours([...y.shape], 3, false);
      y.mul(R).sum().backward();
      const tfPad = typeof c.pad === 'number' ? [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]] : c.pad;
      tf.tidy(() => {
        const tx = nhwc(x), tw = tf.transpose(toTf(w), [2, 3, 1, 0]) as tf.Tensor4D, tR = nhwc(R);
        // tfjs has no gradient for dilated conv2d, so the dilation is spelled out as a
        // zero-stuffed kernel (pad + reshape + slice: all differentiable); the forward is also
        // checked against tf.conv2d's own dilations below.
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, stuff(b, c.dil) as tf.Tensor4D, c.stride, tfPad, 'NHWC', 1);
        if (c.dil[0] > 1 || c.dil[1] > 1) expectClose('forward (tf dilations)', y, toNchw(tf.conv2d(tx as tf.Tensor4D, tw, c.stride, tfPad, 'NHWC', c.dil)));
        expectClose('forward', y, toNchw(f(tx, tw)));
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), tR)))([tx, tw]);
        expectClose('dL/dx', x.grad!, toNchw(gx));
        expectClose('dL/dw', w.grad!, tf.transpose(gw, [3, 2, 0, 1]));
      });
    });
  }
  it('with bias (tf.add of the bias)', () => {
    const x = ours([2, 3, 6, 5], 4), w = ours([4, 3, 3, 3], 5), b = ours([4], 6);
    const y = conv2d(x, w, b, { padding: 'same' });
    const R = ours([...y.shape], 7, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.add(tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), c);
      const args = [nhwc(x), tf.transpose(toTf(w), [2, 3, 1, 0]), toTf(b)];
      expectClose('forward', y, toNchw(f(args[0], args[1], args[2])));
      const [, , gb] = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, k, c), nhwc(R))))(args);
      expectClose('dL/db', b.grad!, gb);
    });
  });
});

describe('depthwise conv2d (groups = C) vs tf.depthwiseConv2d', () => {
  const cases: { name: string; x: number[]; mult: number; k: [number, number]; stride: number; pad: 'valid' | 'same' }[] = [
    { name: 'multiplier 1, valid', x: [2, 4, 7, 8], mult: 1, k: [3, 3], stride: 1, pad: 'valid' },
    { name: "multiplier 2, 'same'", x: [1, 3, 8, 7], mult: 2, k: [3, 3], stride: 1, pad: 'same' },
    { name: 'multiplier 1, stride 2, 3×2 kernel', x: [2, 3, 9, 9], mult: 1, k: [3, 2], stride: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const C = c.x[1];
      const x = ours(c.x, 11), w = ours([C * c.mult, 1, ...c.k], 12);
      const y = conv2d(x, w, null, { groups: C, stride: c.stride, padding: c.pad });
      const R = ours([...y.shape], 13, false);
      y.mul(R).sum().backward();
      tf.tidy(() => {
        // ours [C·M, 1, KH, KW] → [C, M, KH, KW] → tfjs [KH, KW, C, M]
        const tw = tf.transpose(tf.reshape(toTf(w), [C, c.mult, ...c.k]), [2, 3, 0, 1]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
        const tx = nhwc(x);
        expectClose('forward', y, toNchw(f(tx, tw)));
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), nhwc(R))))([tx, tw]);
        expectClose('dL/dx', x.grad!, toNchw(gx));
        expectClose('dL/dw', w.grad!, tf.reshape(tf.transpose(gw, [2, 3, 0, 1]), [C * c.mult, 1, ...c.k]));
      });
    });
  }
});

describe('convTranspose2d vs tf.conv2dTranspose', () => {
  const cases: { name: string; x: number[]; w: number[]; stride: number; outputPadding: number }[] = [
    { name: 'stride 1', x: [2, 3, 5, 4], w: [3, 2, 3, 3], stride: 1, outputPadding: 0 },
    { name: 'stride 2', x: [2, 3, 5, 4], w: [3, 4, 3, 3], stride: 2, outputPadding: 0 },
    { name: 'stride 2, outputPadding 1', x: [1, 2, 4, 5], w: [2, 3, 3, 3], stride: 2, outputPadding: 1 },
    { name: 'stride 3, 2×4 kernel', x: [1, 2, 3, 3], w: [2, 2, 2, 4], stride: 3, outputPadding: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const x = ours(c.x, 21), w = ours(c.w, 22);
      const y = convTranspose2d(x, w, null, { stride: c.stride, outputPadding: c.outputPadding });
      const R = ours([...y.shape], 23, false);
      y.mul(R).sum().backward();
      const [n, , oh, ow] = y.shape;
      tf.tidy(() => {
        const tw = tf.transpose(toTf(w), [2, 3, 1, 0]);   // [Cin, Cout, KH, KW] → [KH, KW, Cout, Cin]
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [n, oh, ow, c.w[1]], c.stride, 'valid');
        const tx = nhwc(x);
        expectClose('forward', y, toNchw(f(tx, tw)));
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), nhwc(R))))([tx, tw]);
        expectClose('dL/dx', x.grad!, toNchw(gx));
        expectClose('dL/dw', w.grad!, tf.transpose(gw, [3, 2, 0, 1]));
      });
    });
  }
});

// ---- pooling ------------------------------------------------------------------------------------------

describe('pooling vs tf.maxPool / tf.avgPool (valid padding)', () => {
  const cases: { name: string; x: number[]; k: [number, number]; s: [number, number] }[] = [
    { name: 'kernel 2, stride 2', x: [2, 3, 8, 6], k: [2, 2], s: [2, 2] },
    { name: 'kernel 3, stride 2 (overlapping)', x: [2, 2, 9, 7], k: [3, 3], s: [2, 2] },
    { name: 'kernel [3,2], stride [1,2]', x: [1, 3, 7, 8], k: [3, 2], s: [1, 2] },
    { name: 'kernel 2, stride 3 (gaps)', x: [1, 2, 8, 8], k: [2, 2], s: [3, 3] },
  ];
  for (const c of cases) {
    it(`maxPool2d ${c.name}`, () => {
      const x = distinct(c.x, 31);
      const y = maxPool2d(x, c.k, { stride: c.s });
      const R = ours([...y.shape], 32, false);
      y.mul(R).sum().backward();
      tf.tidy(() => {
        const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.k, c.s, 'valid');
        expectClose('forward', y, toNchw(f(nhwc(x))));
        expectClose('dL/dx', x.grad!, toNchw(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), nhwc(R))))(nhwc(x))));
      });
    });
    it(`avgPool2d ${c.name}`, () => {
      const x = ours(c.x, 33);
      const y = avgPool2d(x, c.k, { stride: c.s });
      const R = ours([...y.shape], 34, false);
      y.mul(R).sum().backward();
      tf.tidy(() => {
        const f = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, c.k, c.s, 'valid');
        expectClose('forward', y, toNchw(f(nhwc(x))));
        expectClose('dL/dx', x.grad!, toNchw(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), nhwc(R))))(nhwc(x))));
      });
    });
  }
});

describe("pooling with padding vs tfjs 'same' (symmetric cases)", () => {
  it("maxPool2d kernel 3, stride 1, padding 1 = tf.maxPool 'same'", () => {
    const x = distinct([2, 2, 6, 5], 35);
    const y = maxPool2d(x, 3, { stride: 1, padding: 1 });
    const R = ours([...y.shape], 36, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 1, 'same');
      expectClose('forward', y, toNchw(f(nhwc(x))));
      expectClose('dL/dx', x.grad!, toNchw(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), nhwc(R))))(nhwc(x))));
    });
  });
  it("avgPool2d kernel 3, stride 1, padding 1, countIncludePad false = tf.avgPool 'same'", () => {
    const x = ours([2, 2, 6, 5], 37);
    const y = avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
    const R = ours([...y.shape], 38, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      expectClose('forward', y, toNchw(tf.avgPool(nhwc(x) as tf.Tensor4D, 3, 1, 'same')));
      // tf.avgPool's own gradient for 'same' divides every window by the full 3×3 = 9 even where
      // it was clipped (measured: tf.grad gives -0.047 where the exact difference of this linear
      // map is -0.079), so it is no oracle here. Instead: the same average written as
      // windowed sum / windowed count on the zero-padded input, whose 'valid' gradients are right.
      const padded = (a: tf.Tensor) => tf.pad(a, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D;
      const f = (a: tf.Tensor) => tf.div(tf.avgPool(padded(a), 3, 1, 'valid'), tf.avgPool(padded(tf.onesLike(a)), 3, 1, 'valid'));
      expectClose('forward (composed oracle)', y, toNchw(f(nhwc(x))));
      expectClose('dL/dx', x.grad!, toNchw(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), nhwc(R))))(nhwc(x))));
    });
  });
  it('avgPool2d countIncludePad true = zero-padded input then tf.avgPool valid', () => {
    const x = ours([1, 2, 7, 6], 39);
    const y = avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: true });
    tf.tidy(() => expectClose('forward', y, toNchw(tf.avgPool(tf.pad(nhwc(x), [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D, 3, 2, 'valid'))));
  });
});

// ---- matmul ---------------------------------------------------------------------------------------------

describe('matmul vs tf.matMul', () => {
  const cases: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { name: '2-D', a: [7, 5], b: [5, 3], ta: false, tb: false },
    { name: '2-D, larger (64×96 · 96×80)', a: [64, 96], b: [96, 80], ta: false, tb: false },
    { name: 'batched', a: [3, 6, 5], b: [3, 5, 4], ta: false, tb: false },
    { name: 'batched, transposeA', a: [3, 5, 6], b: [3, 5, 4], ta: true, tb: false },
    { name: 'batched, transposeB', a: [2, 6, 5], b: [2, 4, 5], ta: false, tb: true },
    { name: 'batched, both transposed, odd sizes (33×65 · 65×17)', a: [2, 65, 33], b: [2, 17, 65], ta: true, tb: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = ours(c.a, 41), b = ours(c.b, 42);
      const y = matmul(c.ta ? a.transpose(-1, -2) : a, c.tb ? b.transpose(-1, -2) : b);
      const R = ours([...y.shape], 43, false);
      y.mul(R).sum().backward();
      tf.tidy(() => {
        const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, c.ta, c.tb);
        const [ta, tb, tR] = [toTf(a), toTf(b), toTf(R)];
        expectClose('forward', y, f(ta, tb));
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), tR)))([ta, tb]);
        expectClose('dL/da', a.grad!, ga);
        expectClose('dL/db', b.grad!, gb);
      });
    });
  }
  it('batch-broadcast [2,1,3,4] @ [5,4,2] equals per-pair tf.matMul', () => {
    const a = ours([2, 1, 3, 4], 44), b = ours([5, 4, 2], 45);
    const y = matmul(a, b);
    expect(y.shape).toEqual([2, 5, 3, 2]);
    const R = ours([2, 5, 3, 2], 46, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      // tfjs's own matMul broadcasting differs for unequal ranks: build every (i, j) pair.
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.stack([0, 1].map((i) => tf.stack([0, 1, 2, 3, 4].map((j) =>
        tf.matMul(tf.squeeze(tf.slice(p, [i, 0, 0, 0], [1, 1, 3, 4]), [0, 1]), tf.squeeze(tf.slice(q, [j, 0, 0], [1, 4, 2]), [0]))))));
      expectClose('forward', y, f(toTf(a), toTf(b)));
      const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), toTf(R))))([toTf(a), toTf(b)]);
      expectClose('dL/da', a.grad!, ga);
      expectClose('dL/db', b.grad!, gb);
    });
  });
});

// ---- softmax and cross-entropy -------------------------------------------------------------------------------

describe('softmax cross-entropy vs tf.losses.softmaxCrossEntropy', () => {
  for (const ls of [0, 0.1, 0.3]) {
    it(`int targets, label smoothing ${ls}, mean over the batch`, () => {
      const N = 6, C = 10;
      const z = ours([N, C], 51, true, 3);
      const labels = [3, 0, 9, 3, 5, 1];
      const loss = crossEntropy(z, tensor(labels, { dtype: 'int32' }), { labelSmoothing: ls });
      loss.backward();
      tf.tidy(() => {
        const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
        const f = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, l, undefined, ls, tf.Reduction.MEAN);
        expectClose('loss', loss, f(toTf(z)));
        expectClose('dL/dz', z.grad!, tf.grad(f)(toTf(z)));
      });
    });
  }
  it('probability targets, reduction sum, and logSoftmax/softmax values', () => {
    const z = ours([4, 7], 52, true, 2);
    const g = new Generator(53);
    const q = Float32Array.from({ length: 28 }, () => g.random());
    for (let i = 0; i < 4; i++) { let s = 0; for (let j = 0; j < 7; j++) s += q[i * 7 + j]; for (let j = 0; j < 7; j++) q[i * 7 + j] /= s; }
    const loss = crossEntropy(z, tensor(q, { shape: [4, 7] }), { reduction: 'sum' });
    loss.backward();
    tf.tidy(() => {
      const tq = tf.tensor(q, [4, 7]);
      const f = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(tq, l, undefined, 0, tf.Reduction.SUM);
      expectClose('loss', loss, f(toTf(z)));
      expectClose('dL/dz', z.grad!, tf.grad(f)(toTf(z)));
      const zt = toTf(z);
      tidy(() => {
        expectClose('logSoftmax', logSoftmax(z, -1), tf.logSoftmax(zt));
        expectClose('softmax', softmax(z, -1), tf.softmax(zt));
        expectClose('softmax axis 0', softmax(z, 0), tf.transpose(tf.softmax(tf.transpose(zt))));
      });
    });
  });
  it('large logits stay finite and match', () => {
    const z = ours([3, 5], 54, true, 40);
    const loss = crossEntropy(z, tensor([1, 4, 0], { dtype: 'int32' }));
    loss.backward();
    tf.tidy(() => {
      const f = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 4, 0], 'int32'), 5), l, undefined, 0, tf.Reduction.MEAN);
      expectClose('loss', loss, f(toTf(z)));
      expectClose('dL/dz', z.grad!, tf.grad(f)(toTf(z)));
    });
  });
});

// ---- normalisation ----------------------------------------------------------------------------------------------

describe('normalisation vs tf.moments / tf.batchNorm', () => {
  const eps = 1e-5;
  it('batchNorm training (batch statistics), NCHW, weight and bias', () => {
    const x = ours([4, 3, 5, 4], 61, true, 2), w = ours([3], 62), b = ours([3], 63);
    const y = batchNorm(x, { training: true, weight: w, bias: b, eps });
    const R = ours([...y.shape], 64, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a, mean, variance, o, s, eps);
      };
      const args = [nhwc(x), toTf(w), toTf(b)];
      expectClose('forward', y, toNchw(f(args[0], args[1], args[2])));
      const [gx, gw, gb] = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a, s, o), nhwc(R))))(args);
      expectClose('dL/dx', x.grad!, toNchw(gx));
      expectClose('dL/dweight', w.grad!, gw);
      expectClose('dL/dbias', b.grad!, gb);
    });
  });
  it('batchNorm eval (running statistics)', () => {
    const x = ours([2, 3, 4, 4], 65), w = ours([3], 66), b = ours([3], 67);
    const rm = ours([3], 68, false), rv = tensor([0.5, 1.3, 2.2]);
    const y = batchNorm(x, { training: false, weight: w, bias: b, running: { mean: rm, var: rv }, eps });
    const R = ours([...y.shape], 69, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.batchNorm(a, toTf(rm), toTf(rv), o, s, eps);
      const args = [nhwc(x), toTf(w), toTf(b)];
      expectClose('forward', y, toNchw(f(args[0], args[1], args[2])));
      const [gx, gw, gb] = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a, s, o), nhwc(R))))(args);
      expectClose('dL/dx', x.grad!, toNchw(gx));
      expectClose('dL/dweight', w.grad!, gw);
      expectClose('dL/dbias', b.grad!, gb);
    });
  });
  it('layerNorm over the last axis (manual tfjs composition with tf.moments)', () => {
    const x = ours([3, 5, 8], 71, true, 3), w = ours([8], 72), b = ours([8], 73);
    const y = layerNorm(x, [8], w, b, eps);
    const R = ours([...y.shape], 74, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, eps))), s), o);
      };
      const args = [toTf(x), toTf(w), toTf(b)];
      expectClose('forward', y, f(args[0], args[1], args[2]));
      const [gx, gw, gb] = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a, s, o), toTf(R))))(args);
      expectClose('dL/dx', x.grad!, gx);
      expectClose('dL/dweight', w.grad!, gw);
      expectClose('dL/dbias', b.grad!, gb);
    });
  });
  it('layerNorm over the last two axes', () => {
    const x = ours([2, 3, 4], 75, true, 2);
    const y = layerNorm(x, [3, 4], null, null, eps);
    const R = ours([...y.shape], 76, false);
    y.mul(R).sum().backward();
    tf.tidy(() => {
      const f = (a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [1, 2], true);
        return tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, eps)));
      };
      expectClose('forward', y, f(toTf(x)));
      expectClose('dL/dx', x.grad!, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), toTf(R))))(toTf(x)));
    });
  });
});

// ---- activations -------------------------------------------------------------------------------------------------

describe('activations vs tfjs', () => {
  const cases: [string, (x: Tensor) => Tensor, (x: tf.Tensor) => tf.Tensor][] = [
    ['elu', (x) => elu(x), (x) => tf.elu(x)],
    ['leakyRelu 0.2', (x) => leakyRelu(x, 0.2), (x) => tf.leakyRelu(x, 0.2)],
    ['leakyRelu default 0.01', (x) => leakyRelu(x), (x) => tf.leakyRelu(x, 0.01)],
    ['gelu exact: 0.5·x·(1 + erf(x/√2))', (x) => gelu(x), (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))],
    ['gelu tanh: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))', (x) => gelu(x, 'tanh'),
      (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))],
  ];
  for (const [name, f, g] of cases) {
    it(name, () => {
      // Values over [-6, 6], kept off 0 (the kink of elu/leakyRelu).
      const v = Float32Array.from({ length: 97 }, (_, i) => -6 + (12 * (i + 0.37)) / 97);
      const x = tensor(v, { requiresGrad: true });
      const y = f(x);
      const R = ours([97], 81, false);
      y.mul(R).sum().backward();
      tf.tidy(() => {
        expectClose('forward', y, g(toTf(x)));
        expectClose('dL/dx', x.grad!, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(g(a), toTf(R))))(toTf(x)));
      });
    });
  }
});

describe('bceWithLogits vs tf.losses.sigmoidCrossEntropy', () => {
  it('mean, with soft targets and large logits', () => {
    const z = ours([4, 5], 95, true, 8);
    const g = new Generator(96);
    const t = tensor(Float32Array.from({ length: 20 }, () => g.random()), { shape: [4, 5] });
    const loss = bceWithLogits(z, t);
    loss.backward();
    tf.tidy(() => {
      const f = (l: tf.Tensor) => tf.losses.sigmoidCrossEntropy(toTf(t), l, undefined, 0, tf.Reduction.MEAN);
      expectClose('loss', loss, f(toTf(z)));
      expectClose('dL/dz', z.grad!, tf.grad(f)(toTf(z)));
    });
  });
});

describe('resize vs tf.image', () => {
  it('nearest (legacy PyTorch "nearest") vs tf.image.resizeNearestNeighbor', () => {
    const x = ours([1, 2, 5, 7], 93);
    for (const size of [[8, 11], [3, 4], [10, 14]] as [number, number][]) {
      const y = interpolate(x, { size, mode: 'nearest' });
      tf.tidy(() => expectClose(`forward ${size}`, y, toNchw(tf.image.resizeNearestNeighbor(nhwc(x) as tf.Tensor4D, size, false, false))));
    }
  });
  it('bilinear (half-pixel centres, as PyTorch alignCorners=false) vs tf.image.resizeBilinear', () => {
    const x = ours([1, 2, 5, 7], 91);
    const y = interpolate(x, { size: [8, 11], mode: 'bilinear' });
    tf.tidy(() => expectClose('forward', y, toNchw(tf.image.resizeBilinear(nhwc(x) as tf.Tensor4D, [8, 11], false, true))));
  });
  it('bilinear alignCorners vs tf.image.resizeBilinear(alignCorners = true)', () => {
    const x = ours([1, 2, 5, 7], 92);
    const y = interpolate(x, { size: [9, 12], mode: 'bilinear', alignCorners: true });
    tf.tidy(() => expectClose('forward', y, toNchw(tf.image.resizeBilinear(nhwc(x) as tf.Tensor4D, [9, 12], true))));
  });
});
