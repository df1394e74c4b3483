// Data movement on the CPU: the strided gather (permute/slice/expand), padding, index select
// and its adjoint scatter-add.

import { forEachBroadcast } from './elementwise.js';
import { aroundAxis } from './reduce.js';
import type { CpuArray } from './storage.js';

const contiguous = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
};

export function stridedInto(x: CpuArray, outShape: readonly number[], strides: readonly number[], offset: number, out: CpuArray): void {
  let o = 0;
  forEachBroadcast(outShape, [strides], (off, n, st) => {
    let i = off[0] + offset;
    const s = st[0];
    for (let k = 0; k < n; k++, i += s) out[o++] = x[i];
  });
}

export function padInto(x: CpuArray, shape: readonly number[], before: readonly number[], outShape: readonly number[], value: number, out: CpuArray): void {
  out.fill(value);
  const os = contiguous(outShape);
  const start = before.reduce((acc, b, d) => acc + b * os[d], 0);
  let i = 0;
  forEachBroadcast(shape, [os], (off, n, st) => {
    let o = off[0] + start;
    for (let k = 0; k < n; k++, o += st[0]) out[o] = x[i++];
  });
}

function checkIndex(op: string, j: number, len: number, pos: number): void {
  if (j < 0 || j >= len || !Number.isInteger(j)) throw new Error(`${op}: index ${j} at position ${pos} is out of range for an axis of size ${len}`);
}

export function gatherInto(x: CpuArray, shape: readonly number[], idx: Int32Array, axis: number, out: CpuArray): void {
  const [outer, len, inner] = aroundAxis(shape, axis);
  const m = idx.length;
  for (let j = 0; j < m; j++) checkIndex('indexSelect', idx[j], len, j);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * len + idx[j]) * inner, dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

/** Every index in [0, len), else the error scatterAdd/indexSelect give; true. */
export function checkIndices(op: string, idx: Int32Array, len: number): true {
  for (let j = 0; j < idx.length; j++) checkIndex(op, idx[j], len, j);
  return true;
}

export function scatterAddInto(src: CpuArray, idx: Int32Array, axis: number, outShape: readonly number[], out: CpuArray): void {
  const [outer, len, inner] = aroundAxis(outShape, axis);
  const m = idx.length;
  for (let j = 0; j < m; j++) checkIndex('scatterAdd', idx[j], len, j);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * len + idx[j]) * inner, s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += src[s + i];
    }
  }
}
