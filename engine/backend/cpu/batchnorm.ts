// Fused batch normalisation (training statistics, the per-channel affine pass, the training
// gradient), clamp (ReLU6) with its gradient, and leakyRelu (DCGAN), for the CPU backend.
// Composed from generic ops, one BatchNorm was ~10 broadcast passes over the activation, each
// recording autograd nodes; here it is one statistics pass and one affine pass forward, two
// passes backward.
//
// x is viewed as [N, C, S] (S: the product of the axes after the channel axis). Float32 tensors in
// the wasm memory run the SIMD kernels of kernels.wat ($bn_stats, $bn_apply, $bn_back, $act),
// split over threads by channel ($act: by element), so each per-channel sum is made by one
// thread in one order and results do not depend on the thread count. Everything else (float64
// tensors for gradcheck, an array outside the memory) runs the plain loops below, the same
// formulas in float64 arithmetic.

import { OPCODES, PARALLEL_MIN_ELEMENTS, splitRange, wasmKernels, type Command } from './threads.js';
import type { FloatArray } from './storage.js';

/** The kinds $act in kernels.wat takes (its header lists them; test/op-codes.test.ts checks). */
export const ACT_KINDS = { clamp: 0, clamp_back: 1, leaky_relu: 2 } as const;

const bits = new Int32Array(1), asFloat = new Float32Array(bits.buffer);
function f32bits(v: number): number { asFloat[0] = v; return bits[0]; }

/** [N, C, S] of a [N, C, ...] shape. */
export function ncs(shape: readonly number[]): [number, number, number] {
  let s = 1;
  for (let d = 2; d < shape.length; d++) s *= shape[d];
  return [shape[0], shape[1], s];
}

/** Byte addresses in the wasm memory of float32 arrays, or null (then the JS loops run). */
function addresses(...arrs: FloatArray[]): number[] | null {
  if (!arrs.every((a) => a instanceof Float32Array)) return null;
  const heap = wasmKernels().heap;
  const at = arrs.map((a) => heap.addressOf(a));
  return at.every((p) => p >= 0) ? at : null;
}

/** A temporary float32 block in the memory holding `values` (freed when the call resets). */
function temp(values: ArrayLike<number>): number {
  const wk = wasmKernels();
  const ptr = wk.alloc(Math.max(1, values.length));
  wk.view(ptr, values.length).set(values);
  return ptr;
}

/** One command per thread, each over a range of channels (temporaries from alloc/temp are freed after). */
function byChannel(elements: number, channels: number, command: (c0: number, c1: number) => Command): void {
  const wk = wasmKernels();
  try {
    const threads = wk.threadsFor(elements, PARALLEL_MIN_ELEMENTS);
    wk.execute(splitRange(channels, threads).map(([c0, c1]) => [command(c0, c1)]));
  } finally {
    wk.reset();
  }
}

const pad = (cmd: number[]): Command => [...cmd, ...new Array<number>(16 - cmd.length).fill(0)];

/** mean[c] and the biased variance variance[c] over every axis but 1, accumulated in float64
 *  around the channel's first value (so a mean far from zero does not cancel the variance). */
export function batchNormStatsInto(x: FloatArray, shape: readonly number[], mean: FloatArray, variance: FloatArray): void {
  const [n, c, s] = ncs(shape);
  const at = addresses(x, mean, variance);
  if (at) {
    const [px, pm, pv] = at;
    const acc = wasmKernels().alloc(8 * c);
    byChannel(x.length, c, (c0, c1) => pad([OPCODES.bn_stats, px, n, c, s, c0, c1, pm, pv, acc]));
    return;
  }
  const cnt = n * s;
  for (let ch = 0; ch < c; ch++) {
    const k = x[ch * s];
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      for (let j = 0; j < s; j++) { const d = x[base + j] - k; s1 += d; s2 += d * d; }
    }
    const m = s1 / cnt;
    mean[ch] = k + m;
    variance[ch] = Math.max(0, s2 / cnt - m * m);
  }
}

/** y = (x - mean[c]) * rstd[c] * weight[c] + bias[c] (weight, bias null: 1 and 0). */
export function batchNormApplyInto(x: FloatArray, shape: readonly number[], mean: FloatArray, rstd: FloatArray,
  weight: FloatArray | null, bias: FloatArray | null, y: FloatArray): void {
  const [n, c, s] = ncs(shape);
  const scale = new Float64Array(c), shift = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) { scale[ch] = rstd[ch] * (weight ? weight[ch] : 1); shift[ch] = bias ? bias[ch] : 0; }
  const at = addresses(x, mean, y);
  if (at) {
    const [px, pm, py] = at;
    const ps = temp(scale), pb = temp(shift);
    byChannel(x.length, c, (c0, c1) => pad([OPCODES.bn_apply, px, py, n, c, s, c0, c1, pm, ps, pb]));
    return;
  }
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) {
    const m = mean[ch], a = scale[ch], b = shift[ch], base = (i * c + ch) * s;
    for (let j = base; j < base + s; j++) y[j] = (x[j] - m) * a + b;
  }
}

/** The training-mode gradient: dx = rstd·w·(dy − mean(dy) − x̂·mean(dy·x̂)), dweight = Σ dy·x̂,
 *  dbias = Σ dy, with x̂ = (x − mean)·rstd and the sums per channel in float64. */
export function batchNormBackwardInto(dy: FloatArray, x: FloatArray, shape: readonly number[], mean: FloatArray, rstd: FloatArray,
  weight: FloatArray | null, dx: FloatArray, dweight: FloatArray, dbias: FloatArray): void {
  const [n, c, s] = ncs(shape);
  const at = addresses(dy, x, dx, mean, rstd, dweight, dbias);
  const pw = at && (weight ? addresses(weight)?.[0] ?? temp(weight) : temp(new Float32Array(c).fill(1)));
  if (at && pw !== null) {
    const [pg, px, pd, pm, pr, pdw, pdb] = at;
    const acc = wasmKernels().alloc(8 * c);
    byChannel(x.length, c, (c0, c1) => pad([OPCODES.bn_back, pg, px, pd, n, c, s, c0, c1, pm, pr, pw, pdw, pdb, acc]));
    return;
  }
  const cnt = n * s;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch];
    let g1 = 0, g2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      for (let j = base; j < base + s; j++) { g1 += dy[j]; g2 += dy[j] * (x[j] - m); }
    }
    const r = rstd[ch], w = weight ? weight[ch] : 1;
    dbias[ch] = g1;
    dweight[ch] = r * g2;
    const k1 = r * w, k2 = (-w * r * r * r * g2) / cnt, k3 = (-r * w * g1) / cnt;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * s;
      for (let j = base; j < base + s; j++) dx[j] = k1 * dy[j] + k2 * (x[j] - m) + k3;
    }
  }
}

function actRun(kind: number, x: Float32Array, g: Float32Array | null, out: Float32Array, lo: number, hi: number): boolean {
  const at = g ? addresses(x, g, out) : addresses(x, out);
  if (!at) return false;
  const [px, pg, po] = g ? at : [at[0], 0, at[1]];
  const wk = wasmKernels();
  try {
    const threads = wk.threadsFor(out.length, PARALLEL_MIN_ELEMENTS);
    wk.execute(splitRange(out.length, threads, 4).map(([i0, i1]) =>
      [pad([OPCODES.act, kind, px + 4 * i0, g ? pg + 4 * i0 : 0, po + 4 * i0, i1 - i0, f32bits(lo), f32bits(hi)])]));
  } finally {
    wk.reset();
  }
  return true;
}

/** out = clamp(x, lo, hi) in one SIMD pass; false where it cannot serve (the caller loops in JS). */
export function clampSimd(x: FloatArray, out: FloatArray, lo: number, hi: number): boolean {
  return x instanceof Float32Array && out instanceof Float32Array && actRun(ACT_KINDS.clamp, x, null, out, lo, hi);
}

/** out = x > 0 ? x : slope·x in one SIMD pass (the product in float32); false where it cannot serve. */
export function leakyReluSimd(x: FloatArray, out: FloatArray, slope: number): boolean {
  return x instanceof Float32Array && out instanceof Float32Array && actRun(ACT_KINDS.leaky_relu, x, null, out, slope, 0);
}

/** dx = g · (lo ≤ x ≤ hi): the gradient of clamp in one pass (g, x, dx of one shape). */
export function clampBackwardInto(g: FloatArray, x: FloatArray, lo: number, hi: number, dx: FloatArray): void {
  if (g instanceof Float32Array && x instanceof Float32Array && dx instanceof Float32Array &&
    actRun(ACT_KINDS.clamp_back, x, g, dx, lo, hi)) return;
  for (let i = 0; i < dx.length; i++) dx[i] = g[i] * (x[i] >= lo && x[i] <= hi ? 1 : 0);
}
