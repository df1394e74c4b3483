// Multi-head attention (Vaswani et al. 2017) on batch-first [B, T, E] tensors, with the key/value
// cache that makes incremental decoding cost one position per step instead of the whole prefix.

import { formatShape as fmt, indexSelect, isGradEnabled, keep, concat, permute, reshape, type Generator, type Tensor } from '../engine/index.js';
import { attention, combineMasks, paddingMask } from './functional/attention.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import type { InitOptions } from './init.js';

/**
 * Keys and values of the positions decoded so far, per layer, as [B, H, T, D]. A self-attention
 * cache grows by the new positions at each call; a `fixed` one (cross-attention over an encoder's
 * output) is filled on the first call and reused. The cache owns its tensors (kept out of tidy()
 * scopes) until dispose(). For inference only: it is refused while gradients are recorded.
 */
export class KVCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  constructor(readonly fixed = false) {}

  /** Positions held. */
  get length(): number { return this.k ? this.k.shape[2] : 0; }

  /** Whether a fixed cache already holds its keys and values. */
  get filled(): boolean { return this.fixed && this.k !== null; }

  /** Append the new positions (or, for a fixed cache, store them once); returns the full keys and values. */
  update(k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    if (isGradEnabled() && (k.requiresGrad || v.requiresGrad)) {
      throw new Error('KVCache: a key/value cache is for decoding under noGrad(); training attends to whole sequences');
    }
    if (this.filled) return { k: this.k!, v: this.v! };
    const nk = this.k ? concat([this.k, k], 2) : k.clone(), nv = this.v ? concat([this.v, v], 2) : v.clone();
    this.k?.dispose(); this.v?.dispose();
    this.k = keep(nk); this.v = keep(nv);
    return { k: this.k, v: this.v };
  }

  /** Keep batch rows `indices` (int32 [B']), in that order: beam search follows its surviving beams. */
  reorder(indices: Tensor): void {
    if (!this.k) return;
    const k = keep(indexSelect(this.k, 0, indices)), v = keep(indexSelect(this.v!, 0, indices));
    this.k.dispose(); this.v!.dispose();
    this.k = k; this.v = v;
  }

  dispose(): void {
    this.k?.dispose(); this.v?.dispose();
    this.k = this.v = null;
  }
}

export interface MultiheadAttentionOptions extends InitOptions {
  /** Dropout on the attention weights while training. */
  dropout?: number;
  bias?: boolean;
  /** Feature sizes of key and value inputs when they differ from embedDim. */
  kdim?: number;
  vdim?: number;
  /** For the dropout masks (default: the engine's generator). */
  dropoutGenerator?: Generator;
}

export interface AttentionCall {
  /** [B, Tk], nonzero where the key is padding. */
  keyPaddingMask?: Tensor | null;
  /** Broadcasts to [B, H, Tq, Tk]; nonzero = may not attend. */
  attnMask?: Tensor | null;
  isCausal?: boolean;
  /** Incremental decoding: keys and values of earlier positions (see KVCache). */
  cache?: KVCache;
}

/**
 * torch.nn.MultiheadAttention with batch_first = true and separate q/k/v projections. forward(query,
 * key, value) gives [B, Tq, E]; with `keepWeights` set, the last call's attention weights
 * [B, H, Tq, Tk] (averaged over nothing, before dropout) stay in `lastWeights`, owned by the module.
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, AttentionCall?], Tensor> {
  q_proj: Linear;
  k_proj: Linear;
  v_proj: Linear;
  out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  keepWeights = false;
  lastWeights: Tensor | null = null;
  private readonly generator?: Generator;

  constructor(readonly embedDim: number, readonly numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    if (!(Number.isInteger(numHeads) && numHeads > 0 && embedDim % numHeads === 0)) {
      throw new Error(`MultiheadAttention: embedDim ${embedDim} must divide into numHeads ${numHeads} heads`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = o.dropout ?? 0;
    this.generator = o.dropoutGenerator;
    const lin = { bias: o.bias, generator: o.generator };
    this.q_proj = new Linear(embedDim, embedDim, lin);
    this.k_proj = new Linear(o.kdim ?? embedDim, embedDim, lin);
    this.v_proj = new Linear(o.vdim ?? embedDim, embedDim, lin);
    this.out_proj = new Linear(embedDim, embedDim, lin);
  }

  /** [B, T, E] → [B, H, T, D]. */
  private heads(t: Tensor): Tensor {
    const [b, n] = t.shape;
    return permute(reshape(t, [b, n, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, o: AttentionCall = {}): Tensor {
    if (query.ndim !== 3 || key.ndim !== 3 || value.ndim !== 3 || key.shape[0] !== query.shape[0] || key.shape[1] !== value.shape[1]) {
      throw new Error(`MultiheadAttention: query, key and value must be [B, T, E] with one batch and as many keys as values, got ${fmt(query.shape)}, ${fmt(key.shape)}, ${fmt(value.shape)}`);
    }
    const [b, tq] = query.shape;
    const q = this.heads(this.q_proj.forward(query));
    let k: Tensor, v: Tensor;
    if (o.cache?.filled) {
      k = o.cache.k!; v = o.cache.v!;
    } else {
      k = this.heads(this.k_proj.forward(key));
      v = this.heads(this.v_proj.forward(value));
      if (o.cache) ({ k, v } = o.cache.update(k, v));
    }
    const mask = combineMasks(o.attnMask, o.keyPaddingMask ? paddingMask(o.keyPaddingMask) : null);
    const { output, weights } = attention(q, k, v, {
      mask, isCausal: o.isCausal, dropoutP: this.dropout, training: this.training, generator: this.generator,
    });
    if (this.keepWeights) {
      this.lastWeights?.dispose();
      this.lastWeights = keep(weights.detach());
    }
    return this.out_proj.forward(reshape(permute(output, [0, 2, 1, 3]), [b, tq, this.embedDim]));
  }

  override dispose(): void {
    super.dispose();
    this.lastWeights?.dispose();
    this.lastWeights = null;
  }
}
