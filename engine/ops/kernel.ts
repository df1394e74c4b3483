// The few helpers every op uses to call a backend kernel and wrap its result as a Tensor.

import type { Backend, DType, Storage } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { profiling } from '../profiler.js';
import { fmt, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The backend all inputs live on; a clear error if they differ. Every op calls it before its
 *  kernels, so it also tells a running profile that an op has started. */
export function backendOf(op: string, ...ts: Tensor[]): Backend {
  if (profiling) profiling.opStart();
  const b = ts.length ? ts[0].backend : getBackend();
  for (const t of ts) {
    if (t.backend === b) continue;
    throw new Error(t.backend.name === b.name
      ? `${op}: inputs live on two different ${b.name} backend instances (inside gradcheck, pass every tensor fn uses as an input instead of capturing it)`
      : `${op}: inputs live on different backends (${b.name} and ${t.backend.name}); move one with await t.to('${b.name}')`);
  }
  return b;
}

export function wrap(b: Backend, s: Storage, shape: Shape, dtype: DType): Tensor {
  return Tensor.fromStorage(s, shape, dtype, b);
}

export function requireFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} ${fmt(t.shape)}; convert with .float()`);
  }
}

export function requireRank(op: string, t: Tensor, rank: number, what = 'input'): void {
  if (t.ndim !== rank) throw new Error(`${op}: ${what} must have ${rank} dimensions, got ${fmt(t.shape)}`);
}

export type Scalar = number;
export type TensorLike = Tensor | Scalar;
