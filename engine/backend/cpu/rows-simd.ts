// The Transformer's row kernels in wasm SIMD (kernels.wat: $softmax_rows, $softmax_back_rows,
// $layernorm, $gelu): softmax along the last axis and its backward, layer norm forward, and GELU
// with its derivative. In JS each of these cost 4-10 ns an element (two Math.exp per softmax
// element, four passes for the composed GELU); tfjs-wasm beat them. Rows (or, for GELU, runs of
// four floats) are split between the threads, never a row, so any thread count gives the same
// bits. Each returns false when an operand is outside the wasm memory; the caller then runs JS.

import { addresses, f32bits } from './simd.js';
import { OPCODES, PARALLEL_MIN_ELEMENTS, splitRange, wasmKernels } from './threads.js';

/** Run `command(r0, r1)` over rows [0, rows), split between the threads when the job is large
 *  (`cost`: the work of an element, in relu passes: an exp is about four). */
function overRows(rows: number, elements: number, command: (r0: number, r1: number) => number[], cost = 1): void {
  const wk = wasmKernels();
  const threads = wk.threadsFor(elements * cost, PARALLEL_MIN_ELEMENTS);
  wk.execute(splitRange(rows, threads).map(([r0, r1]) => [command(r0, r1)]));
  wk.reset();
}

const pad = (c: number[]) => [...c, ...new Array<number>(16 - c.length).fill(0)];

/** out = softmax(scale · x) along rows of n (the last axis). */
export function softmaxRowsSimd(x: Float32Array, out: Float32Array, n: number, scale: number): boolean {
  const at = addresses(x, out);
  if (!at || n === 0) return false;
  const [px, po] = at, rows = x.length / n;
  overRows(rows, x.length, (r0, r1) => pad([OPCODES.softmax_rows, px + 4 * r0 * n, po + 4 * r0 * n, r1 - r0, n, f32bits(scale)]), 4);
  return true;
}

/** dx = scale · y · (g − Σ g·y) along rows of n: the softmax's backward from its output y. */
export function softmaxBackwardRowsSimd(y: Float32Array, g: Float32Array, dx: Float32Array, n: number, scale: number): boolean {
  const at = addresses(y, g, dx);
  if (!at || n === 0) return false;
  const [py, pg, pd] = at, rows = y.length / n;
  overRows(rows, y.length, (r0, r1) => pad([OPCODES.softmax_back_rows, py + 4 * r0 * n, pg + 4 * r0 * n, pd + 4 * r0 * n, r1 - r0, n, f32bits(scale)]));
  return true;
}

/** Layer norm along rows of n, weight and bias [n] or null. */
export function layerNormSimd(x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, out: Float32Array, n: number, eps: number): boolean {
  const at = addresses(x, out, ...(weight ? [weight] : []), ...(bias ? [bias] : []));
  if (!at || n === 0) return false;
  const [px, po] = at, pw = weight ? at[2] : 0, pb = bias ? at[weight ? 3 : 2] : 0, rows = x.length / n;
  const flags = (weight ? 1 : 0) | (bias ? 2 : 0);
  overRows(rows, x.length, (r0, r1) => pad([OPCODES.layernorm, px + 4 * r0 * n, pw, pb, po + 4 * r0 * n, r1 - r0, n, f32bits(eps), flags]));
  return true;
}

/** The kinds $gelu serves (its header lists them). */
export const GELU_KINDS = { gelu: 0, geluGrad: 1 } as const;

/** out = GELU(x) (exact, erf form) or its derivative, elementwise. */
export function geluSimd(kind: keyof typeof GELU_KINDS, x: Float32Array, out: Float32Array): boolean {
  const at = addresses(x, out);
  if (!at) return false;
  const [px, po] = at, n = x.length;
  const wk = wasmKernels();
  // GELU costs about ten times a relu an element: worth a second thread at a tenth of the size.
  const threads = wk.threadsFor(n * 10, PARALLEL_MIN_ELEMENTS);
  wk.execute(splitRange(n, threads, 4).map(([i0, i1]) => [pad([OPCODES.gelu, GELU_KINDS[kind], px + 4 * i0, po + 4 * i0, i1 - i0])]));
  wk.reset();
  return true;
}

/** out = zeros([len, pitch]), then out[idx[j]] += src[j] row by row (idx checked by the caller):
 *  the embedding's backward along axis 0. The columns are split between the threads. */
export function scatterAddRowsSimd(src: Float32Array, idx: Int32Array, pitch: number, out: Float32Array): boolean {
  const at = addresses(src, idx, out);
  if (!at || pitch === 0) return false;
  const [ps, pi, po] = at, m = idx.length, len = out.length / pitch;
  const wk = wasmKernels();
  const threads = wk.threadsFor(src.length + out.length, PARALLEL_MIN_ELEMENTS);
  wk.execute(splitRange(pitch, threads, 4).map(([c0, c1]) => [pad([OPCODES.scatter_add, ps + 4 * c0, pi, m, pitch, c1 - c0, po + 4 * c0, len])]));
  wk.reset();
  return true;
}

/** Masked softmax(scale · x) along rows of n, where row r's mask row starts at element
 *  rowOffsets[r] of `mask` and runs along the row (stride 1); nonzero excludes a position. */
export function maskedSoftmaxRowsSimd(x: Float32Array, out: Float32Array, n: number, scale: number,
  mask: Float32Array | Int32Array, rowOffsets: Int32Array): boolean {
  const at = addresses(x, out, mask);
  if (!at || n === 0) return false;
  const [px, po, pm] = at, rows = x.length / n, isInt = mask instanceof Int32Array ? 1 : 0;
  const poffs = wasmKernels().put(rowOffsets);
  overRows(rows, x.length, (r0, r1) =>
    pad([OPCODES.masked_softmax_rows, px + 4 * r0 * n, po + 4 * r0 * n, r1 - r0, n, f32bits(scale), pm, poffs + 4 * r0, isInt]), 4);
  return true;
}

/**
 * A strided copy whose rows stay contiguous (innermost stride 1, at least four floats): the
 * head split and merge of attention ([B,T,H,D] <-> [B,H,T,D]) and other permutes that keep the
 * last axis, as $gather boxes (one per index of a fourth axis), split between the threads. In JS
 * these cost about 2 ns an element. Int32 and float32 alike (both 4 bytes). False where it does not serve.
 */
export function stridedSimd(x: Float32Array | Int32Array, outShape: readonly number[], strides: readonly number[], offset: number,
  out: Float32Array | Int32Array): boolean {
  // Merge axis d into the previous one when both step through memory as one; drop size-1 axes.
  const dims: number[] = [], st: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && st[k] === strides[d] * outShape[d]) { dims[k] *= outShape[d]; st[k] = strides[d]; } else { dims.push(outShape[d]); st.push(strides[d]); }
  }
  if (!dims.length || dims.length > 4 || st[st.length - 1] !== 1 || dims[dims.length - 1] < 4) return false;
  while (dims.length < 4) { dims.unshift(1); st.unshift(0); }
  const at = addresses(x, out);
  if (!at) return false;
  const [px, po] = at, [d0, d1, d2, d3] = dims;
  const wk = wasmKernels();
  const threads = wk.threadsFor(out.length, PARALLEL_MIN_ELEMENTS);
  // Boxes d1 x d2 x d3 for each index of d0; with a single box, split its first axis instead.
  const boxes: number[][] = [];
  const parts = d0 >= threads ? [[0, d1]] : splitRange(d1, threads);
  for (let i = 0; i < d0; i++) {
    for (const [j0, j1] of parts) {
      boxes.push(pad([OPCODES.gather, px + 4 * (offset + i * st[0] + j0 * st[1]), st[1], st[2], po + 4 * (i * d1 + j0) * d2 * d3,
        d2 * d3, d3, j1 - j0, d2, d3]));
    }
  }
  wk.execute(splitRange(boxes.length, threads).map(([b0, b1]) => boxes.slice(b0, b1)));
  wk.reset();
  return true;
}
