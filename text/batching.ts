// Token-id sequences into padded int32 batches for the seq2seq model: sources [B, S], decoder
// inputs BOS + target [B, T] and outputs target + EOS [B·T], all padded with PAD.

import { tensor, type Tensor } from '../engine/index.js';
import { BOS, EOS, PAD } from './vocab.js';

/** Rows of ids padded with PAD to the longest: int32 [B, L]. */
export function padBatch(rows: readonly (readonly number[])[], length = Math.max(1, ...rows.map((r) => r.length))): Tensor {
  const out = new Int32Array(rows.length * length).fill(PAD);
  rows.forEach((r, i) => {
    if (r.length > length) throw new Error(`padBatch: a row of ${r.length} ids is longer than ${length}`);
    out.set(r, i * length);
  });
  return tensor(out, { shape: [rows.length, length] });
}

/** Teacher forcing: decoder input BOS y₁ … yₙ and target y₁ … yₙ EOS (flattened, for cross-entropy). */
export function teacherForcing(targets: readonly (readonly number[])[], length?: number): { input: Tensor; output: Tensor } {
  const input = padBatch(targets.map((t) => [BOS, ...t]), length);
  const output = padBatch(targets.map((t) => [...t, EOS]), length);
  return { input, output: output.reshape([output.size]) };
}
