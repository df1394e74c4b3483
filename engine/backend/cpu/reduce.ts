// Reductions, arg-reductions and softmax on the CPU. Sums accumulate in float64.

import type { ArgReduceOp, ReduceOp } from '../backend.js';
import type { CpuArray } from './storage.js';
import { forEachBroadcast } from './elementwise.js';

/** out[o] = op over the reduced axes; `out` arrives sized for the kept axes. */
export function reduceInto(op: ReduceOp, x: CpuArray, shape: readonly number[], axes: readonly number[], out: CpuArray): void {
  // Output strides with 0 on reduced axes: walking x in order, each element finds its output slot.
  const outStrides: number[] = new Array(shape.length).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) if (!axes.includes(d)) { outStrides[d] = acc; acc *= shape[d]; }
  const inStrides: number[] = new Array(shape.length).fill(0);
  acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { inStrides[d] = acc; acc *= shape[d]; }
  const tmp = new Float64Array(out.length).fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
  forEachBroadcast(shape, [inStrides, outStrides], (off, n, st) => {
    let i = off[0], o = off[1];
    const so = st[1];
    if (op === 'sum') for (let k = 0; k < n; k++, i++, o += so) tmp[o] += x[i];
    else if (op === 'max') for (let k = 0; k < n; k++, i++, o += so) { const v = x[i]; if (v > tmp[o] || Number.isNaN(v)) tmp[o] = v; }
    else for (let k = 0; k < n; k++, i++, o += so) { const v = x[i]; if (v < tmp[o] || Number.isNaN(v)) tmp[o] = v; }
  });
  for (let i = 0; i < out.length; i++) out[i] = tmp[i];
}

/** Split a shape around one axis into outer × n × inner. */
export function aroundAxis(shape: readonly number[], axis: number): [outer: number, n: number, inner: number] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[axis], inner];
}

export function argReduceInto(op: ArgReduceOp, x: CpuArray, shape: readonly number[], axis: number, out: Int32Array): void {
  const [outer, n, inner] = aroundAxis(shape, axis);
  const better = op === 'argmax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0, bv = x[base];
      for (let k = 1; k < n; k++) {
        const v = x[base + k * inner];
        if (better(v, bv)) { bv = v; best = k; }
      }
      out[o * inner + i] = best;
    }
  }
}

export function softmaxInto(x: CpuArray, shape: readonly number[], axis: number, log: boolean, out: CpuArray): void {
  const [outer, n, inner] = aroundAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[base + k * inner] - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let k = 0; k < n; k++) out[base + k * inner] = x[base + k * inner] - lse;
      } else {
        for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - m) / s;
      }
    }
  }
}

/** Offsets of every index of `shape` (row-major) under `strides`: a mask's offset per outer or inner position. */
export function offsetsOf(shape: readonly number[], strides: readonly number[]): Int32Array {
  const out = new Int32Array(shape.reduce((a, b) => a * b, 1));
  let n = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    // out[i] for the i over the axes after d is filled; repeat it for every index of axis d.
    const len = shape[d], st = strides[d];
    for (let c = len - 1; c >= 0; c--) for (let i = 0; i < n; i++) out[c * n + i] = out[i] + c * st;
    n *= len;
  }
  return out;
}

/**
 * softmax(scale · x) along `axis`, skipping positions where the mask (read through broadcast
 * strides over x's shape) is nonzero: they get 0, and an all-masked row is all zeros. The exps are
 * written into `out` first and scaled by 1 / sum, so each row is one pass for the max and one for the sum.
 */
export function maskedSoftmaxInto(x: CpuArray, shape: readonly number[], mask: CpuArray | null, maskStrides: readonly number[] | null,
  axis: number, scale: number, out: CpuArray): void {
  const [outer, n, inner] = aroundAxis(shape, axis);
  const ms = maskStrides ?? shape.map(() => 0);
  const oOff = offsetsOf(shape.slice(0, axis), ms.slice(0, axis));
  const iOff = offsetsOf(shape.slice(axis + 1), ms.slice(axis + 1));
  const ma = ms[axis];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i, mb = oOff[o] + iOff[i];
      let m = -Infinity, any = false;
      for (let k = 0, xi = base, mi = mb; k < n; k++, xi += inner, mi += ma) {
        if (mask && mask[mi] !== 0) continue;
        const v = scale * x[xi];
        any = true;
        if (v > m || Number.isNaN(v)) m = v;
      }
      let s = 0;
      for (let k = 0, xi = base, mi = mb; k < n; k++, xi += inner, mi += ma) {
        if (!any || (mask && mask[mi] !== 0)) { out[xi] = 0; continue; }
        const e = Math.exp(scale * x[xi] - m);
        out[xi] = e;
        s += e;
      }
      if (!any) continue;
      const r = 1 / s;
      // Only the kept positions: an excluded one stays exactly 0 even when a NaN made r NaN.
      for (let k = 0, xi = base, mi = mb; k < n; k++, xi += inner, mi += ma) if (!(mask && mask[mi] !== 0)) out[xi] *= r;
    }
  }
}

/** softmax's backward from its output y: dx = scale · y · (g − Σ g·y) along `axis` (the dot in float64). */
export function softmaxBackwardInto(y: CpuArray, g: CpuArray, shape: readonly number[], axis: number, scale: number, out: CpuArray): void {
  const [outer, n, inner] = aroundAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let d = 0;
      for (let k = 0, j = base; k < n; k++, j += inner) d += g[j] * y[j];
      for (let k = 0, j = base; k < n; k++, j += inner) out[j] = scale * y[j] * (g[j] - d);
    }
  }
}
