// Making tensors: from JavaScript data, constants, ranges and seeded random draws.

import type { DType, TypedArray } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { defaultGenerator, type Generator } from '../random.js';
import { fmt, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { wrap } from './kernel.js';

export interface TensorOptions { dtype?: DType; requiresGrad?: boolean }

type Nested = number | boolean | readonly Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let d: Nested = data;
  while (Array.isArray(d)) { shape.push(d.length); d = d[0] as Nested; }
  return shape;
}

function flatten(data: Nested, shape: readonly number[], out: number[], dim = 0): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new Error(`tensor: ragged nested array (expected a number at depth ${dim})`);
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array: expected ${shape[dim]} elements at depth ${dim}, got ${Array.isArray(data) ? data.length : 'a number'}`);
  }
  for (const x of data) flatten(x, shape, out, dim + 1);
}

function typed(values: ArrayLike<number>, dtype: DType): TypedArray {
  return dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** From nested arrays, a typed array (with a shape), or a number. */
export function tensor(data: Nested | TypedArray, opts: TensorOptions & { shape?: Shape } = {}): Tensor {
  let values: TypedArray;
  let shape: readonly number[];
  if (data instanceof Float32Array || data instanceof Int32Array) {
    shape = opts.shape ?? [data.length];
    if (sizeOf(shape) !== data.length) throw new Error(`tensor: ${data.length} values do not fill shape ${fmt(shape)}`);
    const dtype = opts.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
    values = (dtype === 'int32') === (data instanceof Int32Array) ? data.slice() : typed(data, dtype);
  } else {
    shape = inferShape(data);
    const flat: number[] = [];
    flatten(data, shape, flat);
    values = typed(flat, opts.dtype ?? 'float32');
    if (opts.shape) {
      if (sizeOf(opts.shape) !== flat.length) throw new Error(`tensor: ${flat.length} values do not fill shape ${fmt(opts.shape)}`);
      shape = opts.shape;
    }
  }
  const b = getBackend();
  return finish(wrap(b, b.upload(values), shape, values instanceof Int32Array ? 'int32' : 'float32'), opts);
}

export function full(shape: Shape, value: number, opts: TensorOptions = {}): Tensor {
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new Error(`full: invalid shape ${fmt(shape)}`);
  const b = getBackend();
  const dtype = opts.dtype ?? 'float32';
  return finish(wrap(b, b.fill(sizeOf(shape), value, dtype), shape, dtype), opts);
}

export const zeros = (shape: Shape, opts: TensorOptions = {}) => full(shape, 0, opts);
export const ones = (shape: Shape, opts: TensorOptions = {}) => full(shape, 1, opts);
export const scalar = (value: number, dtype: DType = 'float32') => full([], value, { dtype });

function fullLikeOn(t: Tensor, value: number, opts: TensorOptions): Tensor {
  const dtype = opts.dtype ?? t.dtype;
  return finish(wrap(t.backend, t.backend.fill(t.size, value, dtype), t.shape, dtype), opts);
}
export const zerosLike = (t: Tensor, opts: TensorOptions = {}) => fullLikeOn(t, 0, opts);
export const onesLike = (t: Tensor, opts: TensorOptions = {}) => fullLikeOn(t, 1, opts);
export const fullLike = (t: Tensor, value: number, opts: TensorOptions = {}) => fullLikeOn(t, value, opts);

/** [start, end) by step, like torch.arange; int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (ints ? 'int32' : 'float32');
  return tensor(typed(Array.from({ length: n }, (_, i) => start + i * step), dtype), { ...opts, dtype });
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  const v = Array.from({ length: steps }, (_, i) => (steps === 1 ? start : start + ((end - start) * i) / (steps - 1)));
  return tensor(Float32Array.from(v), opts);
}

export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const v = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1;
  return tensor(v, { ...opts, shape: [n, m] });
}

export interface RandomOptions extends TensorOptions { generator?: Generator }

function drawn(shape: Shape, opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const v = new Float32Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = draw(g);
  return tensor(v, { ...opts, dtype: opts.dtype ?? 'float32', shape });
}

/** Uniform in [0, 1), from the seeded generator (manualSeed). */
export const rand = (shape: Shape, opts: RandomOptions = {}) => drawn(shape, opts, (g) => g.random());
/** Standard normal, from the seeded generator. */
export const randn = (shape: Shape, opts: RandomOptions = {}) => drawn(shape, opts, (g) => g.normal());
/** Uniform in [low, high), from the seeded generator. */
export const uniform = (shape: Shape, low: number, high: number, opts: RandomOptions = {}) =>
  drawn(shape, opts, (g) => low + (high - low) * g.random());
/** Integers in [low, high), int32. */
export const randint = (low: number, high: number, shape: Shape, opts: RandomOptions = {}) =>
  drawn(shape, { ...opts, dtype: 'int32' }, (g) => g.int(low, high));
