// CPU buffers: typed arrays. In float32 mode they are views into the wasm kernels' memory
// (heap.ts), `ptr` being their byte address there; an array outside it (ptr -1) is a plain one.
// In float64 mode (used by gradcheck) float tensors are held as Float64Array, outside the wasm
// memory, so finite differences are computed in double precision.

import type { DType, Storage } from '../backend.js';

export type FloatArray = Float32Array | Float64Array;
export type CpuArray = FloatArray | Int32Array;

export class CpuStorage implements Storage {
  constructor(readonly data: CpuArray, readonly dtype: DType, readonly ptr = -1) {}
  /** Set once dispose() has returned the bytes, so a second dispose is caught. */
  freed = false;
  get size(): number { return this.data.length; }
}

export type Precision = 'float32' | 'float64';
