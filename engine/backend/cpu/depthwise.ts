// Direct depthwise convolution (groups = input channels, one filter plane per output channel,
// `mult` output channels per input channel), forward and both gradients, for the CPU backend.
// The GEMM path turns each channel into a 1-row matrix product whose microkernel mostly
// multiplies padding; here each (image, output channel) plane is walked tap by tap: for a tap
// (ky, kx) the output columns whose input column is in bounds form one range, found once, so the
// inner loop is a branch-free strided multiply-add over a row. Plain typed-array loops, generic
// over Float32Array / Float64Array so gradcheck (float64) runs these very loops.

import { conv2dOutShape, type Conv2dParams } from '../../conv-geometry.js';
export { isDepthwise } from '../../conv-geometry.js';
import type { FloatArray } from './storage.js';

interface Geometry {
  n: number; c: number; o: number; mult: number; h: number; w: number; oh: number; ow: number; kh: number; kw: number;
  /** Per kx: the first and one-past-last output column whose tap lands inside the input row. */
  lo: Int32Array; hi: Int32Array;
}

function geometry(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): Geometry {
  const [n, c, h, w] = xShape, [o, , kh, kw] = wShape;
  const [, , oh, ow] = conv2dOutShape(xShape, wShape, p);
  const lo = new Int32Array(kw), hi = new Int32Array(kw);
  for (let kx = 0; kx < kw; kx++) {
    // ix = ox·sw − pw + kx·dw must lie in [0, w).
    const off = kx * p.dilationW - p.padW;
    lo[kx] = Math.min(ow, Math.max(0, Math.ceil(-off / p.strideW)));
    hi[kx] = Math.max(lo[kx], Math.min(ow, Math.floor((w - 1 - off) / p.strideW) + 1));
  }
  return { n, c, o, mult: o / c, h, w, oh, ow, kh, kw, lo, hi };
}

// The three kernels share one loop nest, written out in each: a callback per row kept V8 from
// inlining the inner loop and ran 2-3x slower (measured with bench/depthwise.ts).

/** y = depthwise conv of x with w; y [N, C·mult, OH, OW]. */
export function depthwiseForward(x: FloatArray, xShape: readonly number[], w: FloatArray, wShape: readonly number[], p: Conv2dParams, y: FloatArray): void {
  const { n, c, o, mult, h, w: wd, oh, ow, kh, kw, lo, hi } = geometry(xShape, wShape, p);
  const { strideH: sh, strideW: sw, padH, padW, dilationH: dh, dilationW: dw } = p;
  y.fill(0);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const xPlane = (b * c + Math.floor(oc / mult)) * h * wd - padW, yPlane = (b * o + oc) * oh * ow;
    for (let ky = 0; ky < kh; ky++) for (let oy = 0; oy < oh; oy++) {
      const iy = oy * sh - padH + ky * dh;
      if (iy < 0 || iy >= h) continue;
      const yRow = yPlane + oy * ow;
      for (let kx = 0; kx < kw; kx++) {
        const wv = w[(oc * kh + ky) * kw + kx], xRow = xPlane + iy * wd + kx * dw, end = hi[kx];
        for (let ox = lo[kx]; ox < end; ox++) y[yRow + ox] += wv * x[xRow + ox * sw];
      }
    }
  }
}

/** dx from dy: every tap's product scattered back to the pixel it read. */
export function depthwiseBackwardInput(dy: FloatArray, w: FloatArray, wShape: readonly number[], xShape: readonly number[], p: Conv2dParams, dx: FloatArray): void {
  const { n, c, o, mult, h, w: wd, oh, ow, kh, kw, lo, hi } = geometry(xShape, wShape, p);
  const { strideH: sh, strideW: sw, padH, padW, dilationH: dh, dilationW: dw } = p;
  dx.fill(0);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const xPlane = (b * c + Math.floor(oc / mult)) * h * wd - padW, yPlane = (b * o + oc) * oh * ow;
    for (let ky = 0; ky < kh; ky++) for (let oy = 0; oy < oh; oy++) {
      const iy = oy * sh - padH + ky * dh;
      if (iy < 0 || iy >= h) continue;
      const yRow = yPlane + oy * ow;
      for (let kx = 0; kx < kw; kx++) {
        const wv = w[(oc * kh + ky) * kw + kx], xRow = xPlane + iy * wd + kx * dw, end = hi[kx];
        for (let ox = lo[kx]; ox < end; ox++) dx[xRow + ox * sw] += wv * dy[yRow + ox];
      }
    }
  }
}

/** dw: each tap's dot product of dy with the pixels it read, summed in float64 over images and rows. */
export function depthwiseBackwardFilter(x: FloatArray, xShape: readonly number[], dy: FloatArray, wShape: readonly number[], p: Conv2dParams, dwOut: FloatArray): void {
  const { n, c, o, mult, h, w: wd, oh, ow, kh, kw, lo, hi } = geometry(xShape, wShape, p);
  const { strideH: sh, strideW: sw, padH, padW, dilationH: dh, dilationW: dw } = p;
  const acc = new Float64Array(dwOut.length);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const xPlane = (b * c + Math.floor(oc / mult)) * h * wd - padW, yPlane = (b * o + oc) * oh * ow;
    for (let ky = 0; ky < kh; ky++) for (let oy = 0; oy < oh; oy++) {
      const iy = oy * sh - padH + ky * dh;
      if (iy < 0 || iy >= h) continue;
      const yRow = yPlane + oy * ow;
      for (let kx = 0; kx < kw; kx++) {
        const xRow = xPlane + iy * wd + kx * dw, end = hi[kx];
        let s = 0;
        for (let ox = lo[kx]; ox < end; ox++) s += dy[yRow + ox] * x[xRow + ox * sw];
        acc[(oc * kh + ky) * kw + kx] += s;
      }
    }
  }
  dwOut.set(acc);
}
