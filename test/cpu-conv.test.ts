// conv2dForward / conv2dBackwardInput / conv2dBackwardFilter (im2col + the wasm gemm) against
// TensorFlow.js's cpu backend, an independent implementation, over stride, padding, dilation,
// groups and depthwise cases, plus the CNN's own shapes (large enough to use both threads).
//
// How each is asked of tfjs: tfjs is NHWC with filters [KH, KW, C, O] (ours NCHW, [O, C/g, KH, KW]).
// The gradients are tf.grads of sum(conv(x, w) · R) for a random R, which is what
// backward-input and backward-filter compute with dy = R. tfjs has no gradient for dilated
// conv2d, so dilation is spelled out as a zero-stuffed kernel; it has no groups, so a grouped
// conv is a concat of per-group tf.conv2d on channel slices. Depthwise uses tf.depthwiseConv2d.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../engine/backend/cpu/conv.js';
import { conv2dOutShape, type Conv2dParams } from '../engine/conv-geometry.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function random(size: number, seed: number): Float32Array {
  let s = seed * 2654435761 >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function expectClose(what: string, ours: Float32Array, want: ArrayLike<number>): void {
  expect(ours.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < ours.length; i++) {
    if (!(Math.abs(ours[i] - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])))) {
      expect.fail(`${what}: element ${i}: ours ${ours[i]} vs tfjs ${want[i]}`);
    }
  }
}

interface Oracle { y: Float32Array; dx: Float32Array; dw: Float32Array }

/** The three results computed by tfjs; `conv` maps (NHWC x, tfjs filter) to NHWC y. */
function byTfjs(x: Float32Array, xShape: number[], wTf: tf.Tensor4D, r: Float32Array, yShape: number[],
  conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D): { y: Float32Array; dx: Float32Array; dwTf: tf.Tensor4D } {
  const tx = tf.transpose(tf.tensor4d(x, xShape as [number, number, number, number]), [0, 2, 3, 1]) as tf.Tensor4D;
  const tr = tf.transpose(tf.tensor4d(r, yShape as [number, number, number, number]), [0, 2, 3, 1]);
  const nchw = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]).dataSync() as Float32Array;
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), tr)))([tx, wTf]);
  return { y: nchw(conv(tx, wTf)), dx: nchw(gx), dwTf: gw as tf.Tensor4D };
}

/** General conv2d by tfjs: zero-stuffed kernel for dilation, per-group slices for groups. */
function oracle(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], p: Conv2dParams, r: Float32Array): Oracle {
  const [o, cg, kh, kw] = wShape;
  const sh = (kh - 1) * p.dilationH + 1, sw = (kw - 1) * p.dilationW + 1;
  const stuffed = new Float32Array(o * cg * sh * sw);
  for (let q = 0; q < o * cg; q++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) stuffed[(q * sh + i * p.dilationH) * sw + j * p.dilationW] = w[(q * kh + i) * kw + j];
  }
  const og = o / p.groups;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [p.padH, p.padH], [p.padW, p.padW], [0, 0]];
  const one = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, [p.strideH, p.strideW], pad, 'NHWC', 1);
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => p.groups === 1 ? one(a, b) : tf.concat(
    Array.from({ length: p.groups }, (_, g) => one(tf.slice(a, [0, 0, 0, g * cg], [-1, -1, -1, cg]), tf.slice(b, [0, 0, 0, g * og], [-1, -1, -1, og]))), 3);
  return tf.tidy(() => {
    const wTf = tf.transpose(tf.tensor4d(stuffed, [o, cg, sh, sw]), [2, 3, 1, 0]) as tf.Tensor4D;
    const { y, dx, dwTf } = byTfjs(x, xShape, wTf, r, conv2dOutShape(xShape, wShape, p), conv);
    const dStuffed = tf.transpose(dwTf, [3, 2, 0, 1]).dataSync();
    const dw = new Float32Array(w.length);
    for (let q = 0; q < o * cg; q++) {
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) dw[(q * kh + i) * kw + j] = dStuffed[(q * sh + i * p.dilationH) * sw + j * p.dilationW];
    }
    return { y, dx, dw };
  });
}

function checkAll(xShape: number[], wShape: number[], p: Conv2dParams, want: (x: Float32Array, w: Float32Array, r: Float32Array) => Oracle): void {
  const yShape = conv2dOutShape(xShape, wShape, p);
  const x = random(count(xShape), 1), w = random(count(wShape), 2), r = random(count(yShape), 3);
  const t = want(x, w, r);
  expectClose('forward', conv2dForward(x, xShape, w, wShape, p), t.y);
  expectClose('backward input', conv2dBackwardInput(r, yShape, w, wShape, xShape, p), t.dx);
  expectClose('backward filter', conv2dBackwardFilter(x, xShape, r, yShape, wShape, p), t.dw);
}

const params = (o: Partial<Conv2dParams>): Conv2dParams =>
  ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...o });

describe('conv2d vs tf.conv2d (forward, backward input, backward filter)', () => {
  const cases: Array<{ name: string; x: number[]; w: number[]; p: Conv2dParams }> = [
    { name: 'plain 3x3', x: [2, 3, 7, 6], w: [4, 3, 3, 3], p: params({}) },
    { name: 'stride 2, padding 1, 3x2 kernel', x: [2, 3, 9, 8], w: [5, 3, 3, 2], p: params({ strideH: 2, strideW: 2, padH: 1, padW: 1 }) },
    { name: 'stride [2,3], padding [1,2]', x: [1, 2, 11, 10], w: [3, 2, 3, 3], p: params({ strideH: 2, strideW: 3, padH: 1, padW: 2 }) },
    { name: 'dilation 2, padding 2', x: [2, 3, 10, 9], w: [4, 3, 3, 3], p: params({ dilationH: 2, dilationW: 2, padH: 2, padW: 2 }) },
    { name: 'dilation [2,3] with stride 2, padding [1,0]', x: [1, 2, 12, 11], w: [3, 2, 3, 2], p: params({ strideH: 2, strideW: 2, dilationH: 2, dilationW: 3, padH: 1 }) },
    { name: 'groups 2, padding 1', x: [2, 4, 8, 7], w: [6, 2, 3, 3], p: params({ groups: 2, padH: 1, padW: 1 }) },
    { name: 'groups 3, stride 2, 2x2 kernel', x: [2, 6, 9, 9], w: [3, 2, 2, 2], p: params({ groups: 3, strideH: 2, strideW: 2 }) },
    { name: '1x1 (no im2col)', x: [2, 8, 5, 6], w: [4, 8, 1, 1], p: params({}) },
    { name: '1x1, groups 2', x: [2, 8, 5, 6], w: [6, 4, 1, 1], p: params({ groups: 2 }) },
    { name: '1x1, stride 2', x: [2, 3, 5, 6], w: [4, 3, 1, 1], p: params({ strideH: 2, strideW: 2 }) },
    { name: 'padding wider than the input reaches (windows all zeros)', x: [1, 1, 4, 4], w: [2, 1, 3, 3], p: params({ padH: 3, padW: 3 }) },
    { name: '1x1 images', x: [3, 5, 1, 1], w: [7, 5, 1, 1], p: params({}) },
    { name: 'cnn conv1 at batch 16', x: [16, 1, 28, 28], w: [32, 1, 3, 3], p: params({}) },
    { name: 'cnn conv2 at batch 4 (two threads)', x: [4, 32, 13, 13], w: [64, 32, 3, 3], p: params({}) },
  ];
  for (const c of cases) {
    it(c.name, () => checkAll(c.x, c.w, c.p, (x, w, r) => oracle(x, c.x, w, c.w, c.p, r)));
  }
});

describe('depthwise conv2d (groups = C) vs tf.depthwiseConv2d', () => {
  const cases: Array<{ name: string; x: number[]; mult: number; k: [number, number]; stride: [number, number]; pad: number }> = [
    { name: 'multiplier 1, padding 1', x: [2, 4, 7, 8], mult: 1, k: [3, 3], stride: [1, 1], pad: 1 },
    { name: 'multiplier 2, stride 2', x: [1, 3, 8, 7], mult: 2, k: [3, 3], stride: [2, 2], pad: 0 },
    { name: 'multiplier 1, stride 2, 3x2 kernel', x: [2, 6, 9, 9], mult: 1, k: [3, 2], stride: [2, 2], pad: 0 },
    { name: '32 channels at batch 8 (two threads)', x: [8, 32, 20, 20], mult: 1, k: [3, 3], stride: [1, 1], pad: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ch = c.x[1];
      const wShape = [ch * c.mult, 1, ...c.k];
      const p = params({ groups: ch, strideH: c.stride[0], strideW: c.stride[1], padH: c.pad, padW: c.pad });
      checkAll(c.x, wShape, p, (x, w, r) => tf.tidy(() => {
        // ours [C·M, 1, KH, KW] -> [C, M, KH, KW] -> tfjs [KH, KW, C, M]
        const wTf = tf.transpose(tf.tensor4d(w, [ch, c.mult, ...c.k]), [2, 3, 0, 1]) as tf.Tensor4D;
        const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, c.stride, c.pad);
        const { y, dx, dwTf } = byTfjs(x, c.x, wTf, r, conv2dOutShape(c.x, wShape, p), conv);
        return { y, dx, dw: tf.transpose(dwTf, [2, 3, 0, 1]).dataSync() as Float32Array };
      }));
    });
  }
});

describe('conv2d errors', () => {
  it('names the mismatch and the shapes', () => {
    expect(() => conv2dForward(new Float32Array(3 * 16), [1, 3, 4, 4], new Float32Array(9), [1, 1, 3, 3], params({})))
      .toThrow('conv2dForward: input has 3 channels but weight expects 1 (input [1,3,4,4], weight [1,1,3,3], groups 1)');
    expect(() => conv2dBackwardInput(new Float32Array(4), [1, 1, 2, 2], new Float32Array(9), [1, 1, 3, 3], [1, 1, 5, 5], params({})))
      .toThrow('conv2dBackwardInput: output gradient has shape [1,1,2,2] but the convolution gives [1,1,3,3]');
  });
});
