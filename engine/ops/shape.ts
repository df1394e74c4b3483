// Shape ops: views that share the buffer (reshape and friends) and copies through the one
// strided kernel (permute, expand, slice) or the pad kernel. Backward of each is its inverse.

import { record } from '../autograd.js';
import { broadcastStrides, fmt, normAxis, sameShape, sizeOf, stridesOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { backendOf, wrap } from './kernel.js';

function stridedKernel(op: string, x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const be = backendOf(op, x);
  return wrap(be, be.strided(x, shape, strides, offset), shape, x.dtype);
}

/** Same data, new shape (one dimension may be -1). Never copies. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const known = shape.filter((d) => d !== -1);
  const holes = shape.length - known.length;
  const n = sizeOf(known);
  let target = [...shape];
  if (holes > 1) throw new Error(`reshape: only one dimension can be -1, got ${fmt(shape)}`);
  if (holes === 1) {
    if (n === 0 || x.size % n !== 0) throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
    target = shape.map((d) => (d === -1 ? x.size / n : d));
  }
  if (sizeOf(target) !== x.size || target.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
  }
  if (sameShape(target, x.shape)) return x;
  return record('reshape', [x], x.shareAs(target), (g) => [reshape(g, x.shape)]);
}
export const view = reshape;

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startDim, x.ndim), e = normAxis('flatten', endDim, x.ndim);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normAxis('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Drop size-1 dimensions (all of them, or the one named). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normAxis('squeeze', dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : x;
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new Error(`permute: ${dims.length} dims given for a tensor of rank ${x.ndim} ${fmt(x.shape)}`);
  const p = dims.map((d) => normAxis('permute', d, x.ndim));
  if (new Set(p).size !== p.length) throw new Error(`permute: dims [${dims.join(',')}] repeat an axis`);
  if (p.every((d, i) => d === i)) return x;
  const xs = stridesOf(x.shape);
  const out = stridedKernel('permute', x, p.map((d) => x.shape[d]), p.map((d) => xs[d]), 0);
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => { inverse[d] = i; });
  return record('permute', [x], out, (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const a = normAxis('transpose', dim0, x.ndim), b = normAxis('transpose', dim1, x.ndim);
  const p = x.shape.map((_, i) => i);
  p[a] = b; p[b] = a;
  return permute(x, p);
}

/** Broadcast to a larger shape (-1 keeps a size); a copy. Its gradient has the output's shape:
 *  backward() sums it back down. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new Error(`expand: cannot expand ${fmt(x.shape)} to fewer dimensions ${fmt(shape)}`);
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - lead] : d));
  x.shape.forEach((d, i) => {
    if (d !== 1 && d !== target[i + lead]) throw new Error(`expand: size ${d} at axis ${i} of ${fmt(x.shape)} cannot expand to ${fmt(shape)}`);
  });
  if (sameShape(target, x.shape)) return x;
  const out = stridedKernel('expand', x, target, broadcastStrides(x.shape, target), 0);
  return record('expand', [x], out, (g) => [g]);
}

/** Python-style slice per axis: starts/ends may be negative and are clamped; steps >= 1. */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[], steps?: readonly number[]): Tensor {
  const xs = stridesOf(x.shape);
  const begin: number[] = [], size: number[] = [], step: number[] = [];
  x.shape.forEach((n, i) => {
    const s = steps?.[i] ?? 1;
    if (!Number.isInteger(s) || s < 1) throw new Error(`slice: step ${s} on axis ${i} must be a positive integer`);
    const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const b = clampIdx(starts[i] ?? 0), e = clampIdx(ends[i] ?? n);
    begin.push(b); step.push(s); size.push(Math.max(0, Math.ceil((e - b) / s)));
  });
  if (size.every((d, i) => d === x.shape[i])) return x;
  const offset = begin.reduce((acc, b, i) => acc + b * xs[i], 0);
  const out = stridedKernel('slice', x, size, xs.map((st, i) => st * step[i]), offset);
  return record('slice', [x], out, (g) => {
    // Undo the steps (s - 1 zeros after each element along each stepped axis), then pad back to
    // the full extent.
    let full = g;
    step.forEach((s, i) => { if (s > 1 && size[i] > 0) full = interleaveZeros(full, i, s); });
    const after = x.shape.map((n, i) => n - begin[i] - full.shape[i]);
    return [padFull(full, begin, after, 0)];
  });
}

/** Along axis i, put s - 1 zeros after every element but the last: [a, b] -> [a, 0, b] for s = 2.
 *  Padding a new axis of size 1 and merging it is a strided slice's adjoint built from pad and
 *  reshape, so it stays differentiable to any order. */
function interleaveZeros(t: Tensor, i: number, s: number): Tensor {
  const n = t.shape[i];
  const col = reshape(t, [...t.shape.slice(0, i + 1), 1, ...t.shape.slice(i + 1)]);
  const padded = padFull(col, col.shape.map(() => 0), col.shape.map((_, d) => (d === i + 1 ? s - 1 : 0)), 0);
  const merged = reshape(padded, [...t.shape.slice(0, i), n * s, ...t.shape.slice(i + 1)]);
  return slice(merged, merged.shape.map(() => 0), merged.shape.map((m, d) => (d === i ? (n - 1) * s + 1 : m)));
}

/** torch.narrow: length elements from start along dim. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normAxis('narrow', dim, x.ndim);
  if (start < 0 || start + length > x.shape[d]) throw new Error(`narrow: [${start}, ${start + length}) is outside axis ${d} of size ${x.shape[d]}`);
  const starts = x.shape.map((_, i) => (i === d ? start : 0));
  const ends = x.shape.map((n, i) => (i === d ? start + length : n));
  return slice(x, starts, ends);
}

/** Constant padding with explicit before/after counts for every axis. */
export function padFull(x: Tensor, before: readonly number[], after: readonly number[], value = 0): Tensor {
  if (before.length !== x.ndim || after.length !== x.ndim) throw new Error(`pad: padding for ${before.length} axes given for a tensor of rank ${x.ndim}`);
  if ([...before, ...after].some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`pad: padding must be non-negative integers, got [${before}] / [${after}]`);
  if ([...before, ...after].every((p) => p === 0)) return x;
  const be = backendOf('pad', x);
  const shape = x.shape.map((n, i) => n + before[i] + after[i]);
  const out = wrap(be, be.pad(x, before, after, value), shape, x.dtype);
  return record('pad', [x], out, (g) => [slice(g, before, before.map((b, i) => b + x.shape[i]))]);
}

/** PyTorch's F.pad: pairs (before, after) starting from the LAST axis: [left, right, top, bottom, ...]. */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) throw new Error(`pad: padding of length ${padding.length} must be pairs for at most ${x.ndim} axes`);
  const before = new Array<number>(x.ndim).fill(0), after = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    before[x.ndim - 1 - i] = padding[2 * i];
    after[x.ndim - 1 - i] = padding[2 * i + 1];
  }
  return padFull(x, before, after, value);
}

/** Join along an existing axis. Each piece is padded to the full size and summed: simple, and
 *  its gradient (slices) comes for free; fine for the handful of pieces models concatenate. */
export function concat(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const d = normAxis('concat', dim, xs[0].ndim);
  xs.forEach((t, k) => {
    if (t.ndim !== xs[0].ndim || t.shape.some((n, i) => i !== d && n !== xs[0].shape[i])) {
      throw new Error(`concat: tensor ${k} has shape ${fmt(t.shape)} but tensor 0 has ${fmt(xs[0].shape)} (they may differ only on axis ${d})`);
    }
  });
  if (xs.length === 1) return xs[0];
  const total = xs.reduce((a, t) => a + t.shape[d], 0);
  let offset = 0;
  let out: Tensor | null = null;
  for (const t of xs) {
    const before = t.shape.map((_, i) => (i === d ? offset : 0));
    const after = t.shape.map((_, i) => (i === d ? total - offset - t.shape[d] : 0));
    const piece = padFull(t, before, after, 0);
    out = out ? add(out, piece) : piece;
    offset += t.shape[d];
  }
  return out!;
}
export const cat = concat;

export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const d = normAxis('stack', dim, xs[0].ndim + 1);
  return concat(xs.map((t) => unsqueeze(t, d)), d);
}

/** Pieces of the given sizes (or of equal size `sizes`) along dim. */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normAxis('split', dim, x.ndim);
  const n = x.shape[d];
  const list = typeof sizes === 'number' ? Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes)) : sizes;
  if (list.reduce((a, b) => a + b, 0) !== n) throw new Error(`split: sizes [${list}] do not add up to ${n} (axis ${d} of ${fmt(x.shape)})`);
  let start = 0;
  return list.map((len) => { const t = narrow(x, d, start, len); start += len; return t; });
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normAxis('chunk', dim, x.ndim);
  return split(x, Math.ceil(x.shape[d] / chunks), d);
}

/** A copy with its own buffer, still on the graph. */
export function clone(x: Tensor): Tensor {
  const out = stridedKernel('clone', x, x.shape, stridesOf(x.shape), 0);
  return record('clone', [x], out, (g) => [g]);
}

/** Same data, cut off from the graph. */
export function detach(x: Tensor): Tensor {
  return x.shareAs(x.shape);
}
