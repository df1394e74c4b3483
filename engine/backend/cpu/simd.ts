// The memory-bound kernels of training (activations, their gradients, bias adds and sums,
// max pooling, the Adam update) in wasm SIMD, split over both threads when large. They run on tensors that live
// in the wasm memory (heap.ts) and return false when they cannot serve (an operand outside the
// memory, an op or broadcast they do not cover); the caller then runs the JS kernel, which
// computes the same values.

import type { AdamHyper, BinaryOp, UnaryOp } from '../backend.js';
import { OPCODES, PARALLEL_MIN_ELEMENTS, splitRange, wasmKernels, type Command } from './threads.js';

const bits = new Int32Array(1), asFloat = new Float32Array(bits.buffer);
/** The int32 whose bits are the float32 nearest v (commands are int arrays). */
export function f32bits(v: number): number { asFloat[0] = v; return bits[0]; }

/** The ops $map and $zip in kernels.wat serve, and the `kind` each takes there (the header
 *  comments of those functions list them; test/op-codes.test.ts checks the two agree). Partial:
 *  any other op runs in JS. A kind beyond these traps in the wasm. */
export const MAP_KINDS: { readonly [P in UnaryOp]?: number } = { relu: 0, step: 1, affine: 2 };
export const ZIP_KINDS: { readonly [P in BinaryOp]?: number } = { add: 0, sub: 1, mul: 2, div: 3 };

/** Addresses of arrays in the wasm memory, or null if any is not there. */
export function addresses(...arrs: ArrayBufferView[]): number[] | null {
  const heap = wasmKernels().heap;
  const at = arrs.map((a) => heap.addressOf(a));
  return at.every((p) => p >= 0) ? at : null;
}

function run(elements: number, parts: (threads: number) => Command[][]): void {
  const wk = wasmKernels();
  wk.execute(parts(wk.threadsFor(elements, PARALLEL_MIN_ELEMENTS)));
  wk.reset();
}

/** out = relu(x), step(x) or x*a + b. */
export function mapSimd(op: UnaryOp, x: Float32Array, out: Float32Array, a = 1, b = 0): boolean {
  const kind = MAP_KINDS[op], at = addresses(x, out);
  if (kind === undefined || !at) return false;
  const [px, po] = at;
  run(out.length, (threads) => splitRange(out.length, threads, 4).map(([i0, i1]) =>
    [[OPCODES.map, kind, px + 4 * i0, po + 4 * i0, i1 - i0, f32bits(a), f32bits(b), 0, 0, 0, 0, 0, 0, 0, 0, 0]]));
  return true;
}

/**
 * out = a op b with NumPy broadcasting, where sa and sb are the operands' strides over outShape
 * (0 on broadcast axes). Served when the axes merge into at most three, each operand's innermost
 * stride being 0 or 1: same shapes, a scalar, a per-channel [1,C,1,1] or a per-row vector.
 */
export function zipSimd(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array,
  outShape: readonly number[], sa: readonly number[], sb: readonly number[]): boolean {
  const kind = ZIP_KINDS[op], at = addresses(a, b, out);
  if (kind === undefined || !at) return false;
  // Merge axis d into d+1 while both operands step through them as one axis; drop size-1 axes.
  const dims: number[] = [], A: number[] = [], B: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && A[k] === sa[d] * outShape[d] && B[k] === sb[d] * outShape[d]) {
      dims[k] *= outShape[d]; A[k] = sa[d]; B[k] = sb[d];
    } else { dims.push(outShape[d]); A.push(sa[d]); B.push(sb[d]); }
  }
  while (dims.length < 3) { dims.unshift(1); A.unshift(0); B.unshift(0); }
  if (dims.length > 3 || A[2] > 1 || B[2] > 1) return false;
  const [pa, pb, po] = at;
  const [d0, d1, d2] = dims;
  run(out.length, (threads) => {
    // Split the outermost axis longer than 1 between the threads (the row, in 4s, if it is the only one).
    const axis = d0 > 1 ? 0 : d1 > 1 ? 1 : 2;
    return splitRange(dims[axis], threads, axis === 2 ? 4 : 1).map(([i0, i1]) => {
      const box = [d0, d1, d2];
      box[axis] = i1 - i0;
      const outStride = axis === 0 ? d1 * d2 : axis === 1 ? d2 : 1;
      return [[OPCODES.zip, kind, pa + 4 * i0 * A[axis], A[0], A[1], A[2], pb + 4 * i0 * B[axis], B[0], B[1], B[2],
        po + 4 * i0 * outStride, box[0], box[1], box[2], 0, 0]];
    });
  });
  return true;
}

/** out[r] = sum of x[r*len .. (r+1)*len) in float32, for rows in [0, out.length). */
export function rowSumSimd(x: Float32Array, len: number, out: Float32Array): boolean {
  const at = addresses(x, out);
  if (!at) return false;
  const [px, po] = at;
  run(x.length, (threads) => splitRange(out.length, threads).map(([r0, r1]) =>
    [[OPCODES.rowsum, px + 4 * r0 * len, r1 - r0, len, po + 4 * r0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]));
  return true;
}

export interface PoolGeometry { planes: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; oh: number; ow: number }

/** Max pooling without padding or dilation; argmax is the index within each plane. */
export function maxPoolSimd(x: Float32Array, g: PoolGeometry, out: Float32Array, argmax: Int32Array): boolean {
  const at = addresses(x, out, argmax);
  if (!at) return false;
  const [px, po, pi] = at;
  const hw = g.h * g.w, ohw = g.oh * g.ow;
  run(x.length, (threads) => splitRange(g.planes, threads).map(([p0, p1]) =>
    [[OPCODES.maxpool, px + 4 * p0 * hw, p1 - p0, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.oh, g.ow, po + 4 * p0 * ohw, pi + 4 * p0 * ohw, 0, 0, 0]]));
  return true;
}

/** dx = 0, then dx[plane][argmax[i]] += dy[i]. */
export function maxPoolBackwardSimd(dy: Float32Array, argmax: Int32Array, planes: number, hw: number, dx: Float32Array): boolean {
  const at = addresses(dy, argmax, dx);
  if (!at) return false;
  const [pd, pi, px] = at;
  const ohw = dy.length / planes;
  run(dx.length, (threads) => splitRange(planes, threads).map(([p0, p1]) =>
    [[OPCODES.maxpool_back, pd + 4 * p0 * ohw, pi + 4 * p0 * ohw, p1 - p0, ohw, hw, px + 4 * p0 * hw, 0, 0, 0, 0, 0, 0, 0, 0, 0]]));
  return true;
}

/** Below this many parameters the JS Adam (float64 arithmetic) runs: the call would not pay. */
const ADAM_MIN = 1024;

/** The fused Adam/AdamW update in place, in float32 arithmetic. */
export function adamSimd(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): boolean {
  const at = p.length >= ADAM_MIN ? addresses(p, g, m, v) : null;
  if (!at) return false;
  const [pp, pg, pm, pv] = at;
  const hyper = [h.lr, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, 1 - Math.pow(h.beta1, h.step),
    1 - Math.pow(h.beta2, h.step), h.decoupled ? 0 : h.weightDecay, h.decoupled ? 1 - h.lr * h.weightDecay : 1].map(f32bits);
  run(p.length, (threads) => splitRange(p.length, threads, 4).map(([i0, i1]) =>
    [[OPCODES.adam, pp + 4 * i0, pg + 4 * i0, pm + 4 * i0, pv + 4 * i0, i1 - i0, ...hyper]]));
  return true;
}
