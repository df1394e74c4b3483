// Scaled dot-product attention, softmax(q kᵀ · scale, masked) v, on [..., T, D] tensors (any
// leading axes: [B, H, T, D] for heads). The masking and the softmax are one fused kernel
// (maskedSoftmax), so a mask is never expanded to the scores' shape nor added as -Infinity.
//
// Masks follow torch.nn.MultiheadAttention's convention: a NONZERO (true) element means "may not
// attend". (torch.nn.functional.scaled_dot_product_attention's boolean mask is the opposite.)

import {
  defaultGenerator, formatShape as fmt, maskedSoftmax, matmul, maximum, reshape, tensor, transpose, type Generator, type Tensor,
} from '../../engine/index.js';
import { dropout } from './dropout.js';

export interface AttentionOptions {
  /** Broadcasts to the scores [..., Tq, Tk]; nonzero = masked. */
  mask?: Tensor | null;
  /** Also mask every key after its query: query i of the Tq sees keys 0 … i + (Tk − Tq), so with a
   *  key/value cache the Tq new queries are the last Tq positions of the Tk keys. */
  isCausal?: boolean;
  /** Dropout on the attention weights, while training. */
  dropoutP?: number;
  training?: boolean;
  generator?: Generator;
  /** Multiplies q kᵀ; default 1/√D. */
  scale?: number;
}

/** [tq, tk] float32, 1 where key j comes after query i (offset so the queries are the last tq of tk). */
export function causalMask(tq: number, tk: number): Tensor {
  if (tq > tk) throw new Error(`causalMask: ${tq} queries cannot be the last positions of ${tk} keys`);
  const m = new Float32Array(tq * tk), off = tk - tq;
  for (let i = 0; i < tq; i++) for (let j = i + off + 1; j < tk; j++) m[i * tk + j] = 1;
  return tensor(m, { shape: [tq, tk] });
}

/** A key-padding mask [B, Tk] (nonzero = padding) as a mask for [B, H, Tq, Tk] scores. */
export function paddingMask(keyPadding: Tensor): Tensor {
  if (keyPadding.ndim !== 2) throw new Error(`paddingMask: a key padding mask is [batch, keys], got ${fmt(keyPadding.shape)}`);
  return reshape(keyPadding, [keyPadding.shape[0], 1, 1, keyPadding.shape[1]]);
}

/** Either mask, or both (masked where either is): they broadcast together. */
export function combineMasks(a: Tensor | null | undefined, b: Tensor | null | undefined): Tensor | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return maximum(a.dtype === 'float32' ? a : a.float(), b.dtype === 'float32' ? b : b.float());
}

/** The attention weights softmax(q kᵀ · scale) with the masks applied: [..., Tq, Tk], each row summing to 1
 *  (or all 0 where every key is masked). Before dropout. */
export function attentionWeights(q: Tensor, k: Tensor, o: AttentionOptions = {}): Tensor {
  if (q.ndim < 2 || k.ndim !== q.ndim || q.shape[q.ndim - 1] !== k.shape[k.ndim - 1]) {
    throw new Error(`attention: q ${fmt(q.shape)} and k ${fmt(k.shape)} must be [..., T, D] with the same D and rank`);
  }
  const tq = q.shape[q.ndim - 2], tk = k.shape[k.ndim - 2], d = q.shape[q.ndim - 1];
  const scores = matmul(q, transpose(k, -2, -1));
  const mask = combineMasks(o.mask, o.isCausal ? causalMask(tq, tk) : null);
  return maskedSoftmax(scores, mask, -1, o.scale ?? 1 / Math.sqrt(d));
}

/** The output and the weights (before dropout) of scaled dot-product attention. */
export function attention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): { output: Tensor; weights: Tensor } {
  if (v.ndim !== k.ndim || v.shape[v.ndim - 2] !== k.shape[k.ndim - 2]) {
    throw new Error(`attention: v ${fmt(v.shape)} must have as many positions as k ${fmt(k.shape)}`);
  }
  const weights = attentionWeights(q, k, o);
  const p = o.dropoutP ?? 0;
  const dropped = p > 0 && o.training ? dropout(weights, p, true, o.generator ?? defaultGenerator) : weights;
  return { output: matmul(dropped, v), weights };
}

/** softmax(q kᵀ / √D, masked) v for q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] → [..., Tq, Dv]. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): Tensor {
  return attention(q, k, v, o).output;
}
