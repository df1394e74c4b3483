// The CPU's generic broadcast walk (forEachBroadcast) drops size-1 axes and merges axes every
// operand walks as one before it loops; these check that it visits the same elements in the same
// order as before on the shapes where that changes the loop: trailing and inner size-1 axes, pads
// of a size-1 axis, reductions and expands around them, permutes (strides that must not merge).

import { describe, expect, it } from 'vitest';
import { forEachBroadcast } from '../engine/backend/cpu/elementwise.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import type { TensorInfo } from '../engine/backend/backend.js';

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const contiguous = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
};

/** Every (offset per operand) in row-major order, by the plain odometer. */
function naive(shape: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const out: number[][] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let e = 0; e < sizeOf(shape); e++) {
    out.push(strides.map((s) => idx.reduce((a, i, d) => a + i * s[d], 0)));
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return out;
}

function walked(shape: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const out: number[][] = [];
  forEachBroadcast(shape, strides, (off, n, st) => {
    for (let k = 0; k < n; k++) out.push(off.map((o, j) => o + k * st[j]));
  });
  return out;
}

describe('forEachBroadcast with size-1 and mergeable axes', () => {
  const cases: [number[], number[][]][] = [
    [[4, 3, 1, 1], [contiguous([4, 3, 1, 1]), [0, 1, 0, 0]]],
    [[2, 1, 5], [contiguous([2, 1, 5]), [5, 0, 1]]],
    [[3, 4, 5], [contiguous([3, 4, 5]), [1, 3, 12]]],             // a permute: nothing merges
    [[3, 4, 5], [contiguous([3, 4, 5]), [0, 5, 1]]],              // the last two merge for both
    [[1, 1, 1], [[0, 0, 0], [0, 0, 0]]],
    [[6, 1], [[3, 1]]],                                            // pad's walk: x [6,1] into out [6,3]
    [[2, 3, 0, 4], [contiguous([2, 3, 0, 4])]],
  ];
  for (const [shape, strides] of cases) {
    it(`[${shape.join(',')}] with strides ${JSON.stringify(strides)}`, () => {
      expect(walked(shape, strides)).toEqual(naive(shape, strides));
    });
  }
});

describe('kernels on tensors with size-1 axes', () => {
  const be = new CpuBackend();
  const info = (shape: number[], data: Float32Array): TensorInfo => ({ storage: be.upload(data), shape, dtype: 'float32' });
  const seq = (n: number) => Float32Array.from({ length: n }, (_, i) => (i * 7919) % 101 - 50);

  it('pad of a size-1 last axis, sum over [0, 2, 3] and the full sum of [N, C, 1, 1], expand to it', () => {
    const x = info([6, 1], seq(6));
    expect(Array.from(be.readSync(be.pad(x, [0, 1], [0, 1], 9)))).toEqual(Array.from(seq(6)).flatMap((e) => [9, e, 9]));
    const v = seq(4 * 3);
    const y = info([4, 3, 1, 1], v);
    const perChannel = [0, 1, 2].map((c) => [0, 1, 2, 3].reduce((a, n) => a + v[n * 3 + c], 0));
    expect(Array.from(be.readSync(be.reduce('sum', y, [0, 2, 3])))).toEqual(perChannel);
    expect(Array.from(be.readSync(be.reduce('sum', y, [0, 1, 2, 3])))).toEqual([v.reduce((a, b) => a + b, 0)]);
    const one = info([1, 3, 1, 1], Float32Array.of(1, 2, 3));
    expect(Array.from(be.readSync(be.strided(one, [2, 3, 1, 1], [0, 1, 0, 0], 0)))).toEqual([1, 2, 3, 1, 2, 3]);
  });
});
