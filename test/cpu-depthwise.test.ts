// The direct depthwise kernels (engine/backend/cpu/depthwise.ts) against the plain reference
// convolution (reference.ts, every tap visited with bounds checks), in float32, on MobileNetV2's
// own depthwise shapes and on odd ones (multiplier, stride, dilation, rectangular, padding wider
// than the kernel reaches); and that conv2d on the CPU backend dispatches to them. Then the wasm
// SIMD kernels (the *Simd functions, what float32 runs) against those JS loops in float64 on a grid
// of odd shapes: stride 1 and 2, padding 0/1/2, dilation 2, kernels 3 and 5, 1-17 channels (tails
// of 1-3 lanes), planes 1×1 to 17×13, batch 1 and 3, multiplier 2, operands inside and outside
// the wasm memory.
import { describe, expect, it } from 'vitest';
import {
  depthwiseBackwardFilter, depthwiseBackwardFilterSimd, depthwiseBackwardInput, depthwiseBackwardInputSimd, depthwiseForward,
  depthwiseForwardSimd, isDepthwise,
} from '../engine/backend/cpu/depthwise.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { conv2dBackwardFilterRef, conv2dBackwardInputRef, conv2dRef } from '../engine/backend/cpu/reference.js';
import { conv2dOutShape, type Conv2dParams } from '../engine/conv-geometry.js';

function random(size: number, seed: number): Float32Array {
  let s = seed * 2654435761 >>> 0;
  return Float32Array.from({ length: size }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
}
const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const conv = (o: Partial<Conv2dParams>): Conv2dParams => ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...o });

function expectClose(what: string, ours: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(ours.length, what).toBe(want.length);
  for (let i = 0; i < ours.length; i++) {
    if (!(Math.abs(ours[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])))) expect.fail(`${what}: element ${i}: ${ours[i]} vs reference ${want[i]}`);
  }
}

const CASES: [string, number[], number[], Conv2dParams][] = [
  ['block1 [4,32,16,16] s1', [4, 32, 16, 16], [32, 1, 3, 3], conv({ groups: 32, padH: 1, padW: 1 })],
  ['block2 [4,96,16,16] s2', [4, 96, 16, 16], [96, 1, 3, 3], conv({ groups: 96, padH: 1, padW: 1, strideH: 2, strideW: 2 })],
  ['block8 [4,384,2,2] s1', [4, 384, 2, 2], [384, 1, 3, 3], conv({ groups: 384, padH: 1, padW: 1 })],
  ['block15 [2,960,1,1] s1', [2, 960, 1, 1], [960, 1, 3, 3], conv({ groups: 960, padH: 1, padW: 1 })],
  ['multiplier 3, odd 7×9, stride 2', [2, 3, 7, 9], [9, 1, 3, 3], conv({ groups: 3, padH: 1, padW: 1, strideH: 2, strideW: 2 })],
  ['dilation (2,3), kernel 3×2', [1, 4, 9, 10], [4, 1, 3, 2], conv({ groups: 4, dilationH: 2, dilationW: 3, padH: 2, padW: 1 })],
  ['padding 3 with a 3×3 kernel (columns with no tap)', [1, 2, 4, 5], [2, 1, 3, 3], conv({ groups: 2, padH: 3, padW: 3, strideW: 2 })],
  ['5×5, stride (1,3), no padding', [3, 5, 8, 11], [5, 1, 5, 5], conv({ groups: 5, strideW: 3 })],
];

describe('cpu depthwise kernels', () => {
  for (const [name, xs, ws, p] of CASES) {
    it(name, () => {
      expect(isDepthwise(xs, ws, p)).toBe(true);
      const ys = conv2dOutShape(xs, ws, p);
      const x = random(count(xs), 1), w = random(count(ws), 2), dy = random(count(ys), 3);
      const ref = (f: (out: Float64Array) => void, size: number) => { const o = new Float64Array(size); f(o); return o; };
      const y = new Float32Array(count(ys)).fill(NaN), dx = new Float32Array(count(xs)).fill(NaN), dw = new Float32Array(count(ws)).fill(NaN);
      depthwiseForward(x, xs, w, ws, p, y);
      depthwiseBackwardInput(dy, w, ws, xs, p, dx);
      depthwiseBackwardFilter(x, xs, dy, ws, p, dw);
      expectClose('forward', y, ref((o) => conv2dRef(x, xs, w, ws, p, o), y.length));
      expectClose('backward input', dx, ref((o) => conv2dBackwardInputRef(dy, w, ws, xs, p, o), dx.length));
      expectClose('backward filter', dw, ref((o) => conv2dBackwardFilterRef(x, xs, dy, ws, p, o), dw.length));
    });
  }

  it('serves only depthwise convolutions', () => {
    expect(isDepthwise([1, 4, 5, 5], [4, 2, 3, 3], conv({ groups: 2 }))).toBe(false);
    expect(isDepthwise([1, 4, 5, 5], [4, 4, 3, 3], conv({}))).toBe(false);
    expect(isDepthwise([1, 1, 5, 5], [3, 1, 3, 3], conv({}))).toBe(false);
  });
});

// [batch, channels, h, w, mult, kernel h, kernel w, stride, pad, dilation]
const SIMD_CASES: [number, number, number, number, number, number, number, number, number, number][] = [
  [1, 1, 1, 1, 1, 3, 3, 1, 1, 1], [3, 4, 1, 1, 1, 3, 3, 1, 1, 1], [3, 5, 2, 2, 1, 3, 3, 2, 1, 1], [1, 17, 2, 2, 1, 3, 3, 1, 1, 1],
  [3, 3, 4, 4, 1, 3, 3, 2, 1, 1], [1, 4, 4, 4, 1, 3, 3, 1, 0, 1], [3, 17, 8, 8, 1, 3, 3, 1, 1, 1], [1, 5, 8, 8, 1, 3, 3, 2, 1, 1],
  [3, 4, 17, 13, 1, 3, 3, 1, 1, 1], [1, 3, 17, 13, 1, 3, 3, 2, 1, 1], [3, 5, 17, 13, 1, 5, 5, 1, 2, 1], [1, 17, 9, 7, 1, 5, 5, 2, 2, 1],
  [3, 4, 13, 17, 1, 3, 3, 1, 2, 2], [1, 3, 9, 9, 1, 3, 3, 2, 0, 2], [3, 1, 6, 5, 2, 3, 3, 1, 1, 1], [1, 3, 7, 9, 2, 3, 3, 2, 1, 1],
  [3, 5, 5, 5, 2, 5, 5, 1, 2, 1], [1, 17, 3, 3, 2, 3, 3, 1, 1, 2], [3, 4, 16, 16, 1, 3, 3, 2, 1, 1], [1, 5, 1, 1, 2, 3, 3, 1, 1, 1],
  [3, 3, 2, 2, 1, 5, 5, 1, 2, 1], [1, 4, 5, 3, 1, 3, 3, 1, 3, 1], [3, 5, 1, 1, 1, 3, 3, 2, 1, 1], [3, 9, 1, 1, 1, 3, 3, 1, 2, 2],
  [3, 9, 2, 2, 1, 3, 3, 2, 1, 1], [2, 3, 2, 2, 2, 3, 3, 2, 1, 1], [3, 6, 2, 2, 1, 3, 3, 1, 2, 2], [1, 2, 2, 2, 3, 3, 3, 1, 1, 1], [3, 7, 3, 3, 1, 3, 3, 1, 0, 1],
  [2, 3, 8, 16, 2, 3, 3, 2, 1, 1], [1, 5, 9, 8, 1, 3, 3, 2, 1, 1], [3, 6, 4, 24, 1, 3, 3, 2, 1, 1],
  [3, 6, 4, 4, 1, 3, 3, 2, 1, 1], [2, 3, 4, 4, 2, 3, 3, 2, 1, 1],
];

describe('cpu depthwise wasm kernels match the JS loops', () => {
  const to64 = (a: Float32Array) => Float64Array.from(a);
  for (const [n, c, h, w, mult, kh, kw, stride, pad, dil] of SIMD_CASES) {
    const name = `[${n},${c},${h},${w}] mult ${mult} ${kh}x${kw} s${stride} p${pad} d${dil}`;
    it(name, () => {
      const xs = [n, c, h, w], ws = [c * mult, 1, kh, kw];
      const p = conv({ groups: c, strideH: stride, strideW: stride, padH: pad, padW: pad, dilationH: dil, dilationW: dil });
      // One channel is an ordinary conv to the backends (groups 1), but the kernels serve it all the same.
      expect(isDepthwise(xs, ws, p)).toBe(c > 1);
      const ys = conv2dOutShape(xs, ws, p);
      const x = random(count(xs), 4), wt = random(count(ws), 5), dy = random(count(ys), 6);
      const want = (f: (out: Float64Array) => void, size: number) => { const o = new Float64Array(size); f(o); return o; };
      const wantY = want((o) => depthwiseForward(to64(x), xs, to64(wt), ws, p, o), count(ys));
      const wantDx = want((o) => depthwiseBackwardInput(to64(dy), to64(wt), ws, xs, p, o), count(xs));
      const wantDw = want((o) => depthwiseBackwardFilter(to64(x), xs, to64(dy), ws, p, o), count(ws));
      // Plain arrays (copied into the wasm memory and back), then views of the wasm memory (in place, as the backend has them).
      const heap = wasmKernels().heap;
      const inHeap = (a: Float32Array) => { const ptr = heap.alloc(a.length * 4); const v = heap.f32(ptr, a.length); v.set(a); return { v, free: () => heap.release(ptr, a.length * 4) }; };
      for (const where of ['outside', 'inside'] as const) {
        const place = (a: Float32Array) => where === 'outside' ? { v: a, free: () => {} } : inHeap(a);
        const X = place(x), W = place(wt), DY = place(dy);
        const Y = place(new Float32Array(count(ys)).fill(NaN)), DX = place(new Float32Array(count(xs)).fill(NaN)), DW = place(new Float32Array(count(ws)).fill(NaN));
        try {
          depthwiseForwardSimd(X.v, xs, W.v, ws, p, Y.v);
          depthwiseBackwardInputSimd(DY.v, W.v, ws, xs, p, DX.v);
          depthwiseBackwardFilterSimd(X.v, xs, DY.v, ws, p, DW.v);
          expectClose(`forward (${where})`, Y.v, wantY);
          expectClose(`backward input (${where})`, DX.v, wantDx);
          expectClose(`backward filter (${where})`, DW.v, wantDw);
        } finally {
          for (const t of [X, W, DY, Y, DX, DW]) t.free();
        }
      }
    });
  }
});
