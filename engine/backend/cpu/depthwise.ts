// Direct depthwise convolution (groups = input channels, one filter plane per output channel,
// `mult` output channels per input channel), forward and both gradients, for the CPU backend.
// The GEMM path turns each channel into a 1-row matrix product whose microkernel mostly
// multiplies padding; here each (image, output channel) plane is walked tap by tap: for a tap
// (ky, kx) the output columns whose input column is in bounds form one range, found once, so the
// inner loop is a branch-free strided multiply-add over a row. Plain typed-array loops, generic
// over Float32Array / Float64Array so gradcheck (float64) runs these very loops, and they are the
// reference the float32 kernels are tested against.
//
// In float32 the backend runs the *Simd versions at the end of this file instead: the same
// convolution in the wasm kernels (kernels.wat, the depthwise block), split across the worker pool
// by groups of four channels. MobileNet's 3×3 layers (padding 1) run SIMD over output columns on
// the NCHW planes themselves (stride 1 on widths of 4k, stride 2 on even planes of width 8k and
// on 4×4), 2×2 and 1×1 planes as one vector a plane or a channel group; everything else SIMD
// over four channels in an interleaved (channels-last) scratch plane.

import { conv2dOutShape, type Conv2dParams } from '../../conv-geometry.js';
export { isDepthwise } from '../../conv-geometry.js';
import type { FloatArray } from './storage.js';
import { OPCODES, splitRange, wasmKernels } from './threads.js';

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

// ---- the wasm kernels ---------------------------------------------------------------------------

/**
 * The table the wasm kernels read (see kernels.wat): a header for the zero-padded scratch plane,
 * then the tap ranges, per output row oy [kyLo, kyHi, iy0], per output column ox [kxLo, kxHi,
 * ix0], per ky [oyLo, oyHi], per kx [oxLo, oxHi], where a tap is in range when its input pixel is
 * in bounds (an empty range is [0, 0)); then per output pixel and tap the byte offset of its
 * input pixel in the scratch plane, or of the spare vector after it.
 */
function tapTable(g: Geometry, p: Conv2dParams): Int32Array {
  const { h, w, oh, ow, kh, kw } = g;
  const t = new Int32Array(3 * (oh + ow) + 2 * (kh + kw) + oh * ow * kh * kw);
  // Header (8 ints, before the table): the padded plane, whose rows are all a window reads.
  const hp = Math.max(p.padH + h, (oh - 1) * p.strideH + (kh - 1) * p.dilationH + 1);
  const wp = Math.max(p.padW + w, (ow - 1) * p.strideW + (kw - 1) * p.dilationW + 1);
  const header = Int32Array.of(hp, wp, p.padH, p.padW, Math.max(h * w + 1, hp * wp), 0, 0, 0);
  const range = (count: number, inside: (i: number) => boolean): [number, number] => {
    let lo = -1, hi = -1;
    for (let i = 0; i < count; i++) if (inside(i)) { if (lo < 0) lo = i; hi = i + 1; }
    return lo < 0 ? [0, 0] : [lo, hi];
  };
  for (let oy = 0; oy < oh; oy++) {
    const iy0 = oy * p.strideH - p.padH;
    t.set([...range(kh, (ky) => iy0 + ky * p.dilationH >= 0 && iy0 + ky * p.dilationH < h), iy0], 3 * oy);
  }
  for (let ox = 0; ox < ow; ox++) {
    const ix0 = ox * p.strideW - p.padW;
    t.set([...range(kw, (kx) => ix0 + kx * p.dilationW >= 0 && ix0 + kx * p.dilationW < w), ix0], 3 * (oh + ox));
  }
  const k0 = 3 * (oh + ow);
  for (let ky = 0; ky < kh; ky++) {
    t.set(range(oh, (oy) => { const iy = oy * p.strideH - p.padH + ky * p.dilationH; return iy >= 0 && iy < h; }), k0 + 2 * ky);
  }
  for (let kx = 0; kx < kw; kx++) t.set([g.lo[kx], g.hi[kx]], k0 + 2 * (kh + kx));
  let i = k0 + 2 * (kh + kw);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    const iy = oy * p.strideH - p.padH + ky * p.dilationH, ix = ox * p.strideW - p.padW + kx * p.dilationW;
    t[i++] = 16 * (iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : h * w);
  }
  const all = new Int32Array(header.length + t.length);
  all.set(header);
  all.set(t, header.length);
  return all;
}

type DwOp = 'dw_forward' | 'dw_backward_input' | 'dw_backward_filter';

/**
 * Runs one depthwise kernel: `a` and `b` its operands, `out` its result (the backend's tensors
 * live in the wasm memory already; other arrays are copied in and out). The channel groups of
 * four (output channels, or input channels for the input gradient) are split between the threads;
 * each group is computed whole by one thread, images in order, so the result does not depend on
 * the thread count.
 */
function runDepthwise(op: DwOp, a: Float32Array, b: Float32Array, out: Float32Array, xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): void {
  const g = geometry(xShape, wShape, p);
  const { n, c, o, mult, h, w, oh, ow, kh, kw } = g;
  const pair = (lo: number, hi: number) => {
    if (!(lo >= 0 && lo <= 0xffff && hi >= 0 && hi <= 0xffff)) throw new Error(`depthwise conv: sizes, strides and dilations must be below 65536 (input [${xShape.join(',')}], weight [${wShape.join(',')}])`);
    return lo | (hi << 16);
  };
  // No output pixels (the backends refuse such a convolution before it gets here): zero gradients.
  if (!(oh > 0 && ow > 0)) { out.fill(0); return; }
  const wk = wasmKernels();
  wk.reset();
  try {
    const pa = wk.put(a), pb = wk.put(b), po = wk.place(out);
    const tab = tapTable(g, p), pt = wk.alloc(tab.length);
    new Int32Array(wk.memory.buffer, pt, tab.length).set(tab);
    const channels = op === 'dw_backward_input' ? c : o;
    // Work: the multiply-adds of every tap, padding included (what a thread's share costs, roughly).
    const threads = wk.threadsFor(2 * n * o * oh * ow * kh * kw);
    const scratchFloats = 4 * (tab[4] + oh * ow + kh * kw * mult + 2 * kh * kw);
    // The kernels take (x, w, y), (dx, w, dy) and (x, dy, dw).
    const operands = op === 'dw_backward_input' ? [po, pb, pa] : [pa, pb, po];
    const args = [...operands, n, c, o, pair(h, w), pair(oh, ow), pair(kh, kw), pair(p.strideH, p.strideW), pair(p.dilationH, p.dilationW), pt];
    wk.execute(splitRange(Math.ceil(channels / 4), threads).map(([g0, g1]) =>
      [[OPCODES[op], ...args, wk.alloc(scratchFloats), 4 * g0, Math.min(4 * g1, channels)]]));
    wk.finish(po, out);
  } finally {
    wk.reset();
  }
}

/** depthwiseForward in the wasm kernels (float32). */
export function depthwiseForwardSimd(x: Float32Array, xShape: readonly number[], w: Float32Array, wShape: readonly number[], p: Conv2dParams, y: Float32Array): void {
  runDepthwise('dw_forward', x, w, y, xShape, wShape, p);
}

/** depthwiseBackwardInput in the wasm kernels (float32). */
export function depthwiseBackwardInputSimd(dy: Float32Array, w: Float32Array, wShape: readonly number[], xShape: readonly number[], p: Conv2dParams, dx: Float32Array): void {
  runDepthwise('dw_backward_input', dy, w, dx, xShape, wShape, p);
}

/** depthwiseBackwardFilter in the wasm kernels (float32; each tap summed in float32 per image, in float64 over images). */
export function depthwiseBackwardFilterSimd(x: Float32Array, xShape: readonly number[], dy: Float32Array, wShape: readonly number[], p: Conv2dParams, dwOut: Float32Array): void {
  runDepthwise('dw_backward_filter', x, dy, dwOut, xShape, wShape, p);
}
