// Positional embeddings added to token embeddings [B, T, E]: the fixed sinusoids of Vaswani et al.
// (2017) and a learned table (BERT, GPT-2, ViT). Both take an offset, the position of the first
// token, so incremental decoding with a key/value cache adds the right rows.

import { formatShape as fmt, keep, narrow, tensor, type Tensor } from '../engine/index.js';
import { normalInit, type InitOptions } from './init.js';
import { Module, Parameter } from './module.js';

function check(name: string, x: Tensor, dim: number, maxLen: number, offset: number): void {
  if (x.ndim < 2 || x.shape[x.ndim - 1] !== dim) throw new Error(`${name}: expected [..., T, ${dim}] embeddings, got ${fmt(x.shape)}`);
  const t = x.shape[x.ndim - 2];
  if (!(Number.isInteger(offset) && offset >= 0) || offset + t > maxLen) {
    throw new Error(`${name}: positions ${offset}…${offset + t - 1} are beyond the ${maxLen} it was built for (maxLen)`);
  }
}

/** The sinusoid table [maxLen, dim]: sin(pos / 10000^(2i/dim)) at 2i, cos at 2i + 1. */
export function sinusoidTable(maxLen: number, dim: number): Float32Array {
  const pe = new Float32Array(maxLen * dim);
  for (let pos = 0; pos < maxLen; pos++) {
    for (let i = 0; i < dim; i += 2) {
      const angle = pos / Math.pow(10000, i / dim);
      pe[pos * dim + i] = Math.sin(angle);
      if (i + 1 < dim) pe[pos * dim + i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** x + PE[offset : offset + T]. The table is computed, not learned, so it is not in the state_dict. */
export class SinusoidalPositionalEmbedding extends Module<[Tensor, number?], Tensor> {
  private readonly table: Tensor;

  constructor(readonly maxLen: number, readonly dim: number) {
    super();
    this.table = keep(tensor(sinusoidTable(maxLen, dim), { shape: [maxLen, dim] }));
  }

  forward(x: Tensor, offset = 0): Tensor {
    check('SinusoidalPositionalEmbedding', x, this.dim, this.maxLen, offset);
    return x.add(narrow(this.table, 0, offset, x.shape[x.ndim - 2]));
  }

  override dispose(): void { super.dispose(); this.table.dispose(); }
}

/** x + W[offset : offset + T] with W [maxLen, dim] learned, N(0, 0.02²) at first (GPT-2's init). */
export class LearnedPositionalEmbedding extends Module<[Tensor, number?], Tensor> {
  weight: Tensor;

  constructor(readonly maxLen: number, readonly dim: number, o: InitOptions & { std?: number } = {}) {
    super();
    this.weight = Parameter(normalInit([maxLen, dim], o.std ?? 0.02, o));
  }

  forward(x: Tensor, offset = 0): Tensor {
    check('LearnedPositionalEmbedding', x, this.dim, this.maxLen, offset);
    return x.add(narrow(this.weight, 0, offset, x.shape[x.ndim - 2]));
  }
}
