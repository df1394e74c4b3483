// CPU buffers: plain typed arrays. In float64 mode (used by gradcheck) float tensors are held
// as Float64Array so finite differences are computed in double precision.

import type { DType, Storage } from '../backend.js';

export type FloatArray = Float32Array | Float64Array;
export type CpuArray = FloatArray | Int32Array;

export class CpuStorage implements Storage {
  constructor(readonly data: CpuArray, readonly dtype: DType) {}
  get size(): number { return this.data.length; }
}

export type Precision = 'float32' | 'float64';
