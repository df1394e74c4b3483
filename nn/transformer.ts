// Transformer blocks on batch-first [B, T, E] tensors: the position-wise MLP, the encoder layer
// (self-attention + MLP) and the decoder layer (causal self-attention + cross-attention + MLP),
// pre-norm by default (Xiong et al. 2020: LayerNorm before each sub-layer, the residual path left
// clean, stable without a long warm-up), and the stacks with their final LayerNorm.

import type { Generator, Tensor } from '../engine/index.js';
import { GELU, ReLU } from './activation.js';
import { KVCache, MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import type { InitOptions } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { ModuleList } from './module-list.js';
import { LayerNorm } from './normalization.js';

export interface TransformerLayerOptions extends InitOptions {
  /** Hidden size of the MLP (default 4 · dModel). */
  dimFeedforward?: number;
  /** Dropout after attention weights, after each sub-layer and inside the MLP. */
  dropout?: number;
  activation?: 'gelu' | 'relu';
  layerNormEps?: number;
  /** Pre-norm (true, the default here) or the original post-norm. PyTorch's default is post-norm. */
  normFirst?: boolean;
  dropoutGenerator?: Generator;
}

/** Linear → GELU (or ReLU) → dropout → Linear: the position-wise feed-forward network. */
export class FeedForward extends Module {
  fc1: Linear;
  act: GELU | ReLU;
  dropout: Dropout;
  fc2: Linear;

  constructor(dModel: number, hidden = 4 * dModel, o: { dropout?: number; activation?: 'gelu' | 'relu'; dropoutGenerator?: Generator } & InitOptions = {}) {
    super();
    this.fc1 = new Linear(dModel, hidden, o);
    this.act = o.activation === 'relu' ? new ReLU() : new GELU();
    this.dropout = new Dropout(o.dropout ?? 0, o.dropoutGenerator);
    this.fc2 = new Linear(hidden, dModel, o);
  }

  forward(x: Tensor): Tensor { return this.fc2.forward(this.dropout.forward(this.act.forward(this.fc1.forward(x)))); }
}

export interface EncoderLayerCall {
  /** Broadcasts to [B, H, T, T]; nonzero = may not attend. */
  mask?: Tensor | null;
  /** [B, T], nonzero at padding. */
  keyPaddingMask?: Tensor | null;
  /** Causal self-attention (a decoder-only model such as GPT is a stack of causal encoder layers). */
  isCausal?: boolean;
  /** With isCausal: the keys and values of earlier positions, for incremental decoding. */
  cache?: KVCache;
}

/** Makers of a layer's sub-modules, all from the same options. */
function layerParts(dModel: number, nHead: number, o: TransformerLayerOptions) {
  const p = o.dropout ?? 0.1;
  const attn = () => new MultiheadAttention(dModel, nHead, { dropout: p, generator: o.generator, dropoutGenerator: o.dropoutGenerator });
  return {
    p, attn,
    ff: () => new FeedForward(dModel, o.dimFeedforward ?? 4 * dModel, { dropout: p, activation: o.activation, generator: o.generator, dropoutGenerator: o.dropoutGenerator }),
    norm: () => new LayerNorm(dModel, o.layerNormEps ?? 1e-5),
    drop: () => new Dropout(p, o.dropoutGenerator),
  };
}

/** One encoder layer: x + SelfAttn(LN(x)), then x + MLP(LN(x)) (pre-norm). */
export class TransformerEncoderLayer extends Module<[Tensor, EncoderLayerCall?], Tensor> {
  self_attn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly normFirst: boolean;

  constructor(readonly dModel: number, readonly nHead: number, o: TransformerLayerOptions = {}) {
    super();
    const parts = layerParts(dModel, nHead, o);
    this.self_attn = parts.attn();
    this.ff = parts.ff();
    this.norm1 = parts.norm(); this.norm2 = parts.norm();
    this.dropout1 = parts.drop(); this.dropout2 = parts.drop();
    this.normFirst = o.normFirst ?? true;
  }

  private sa(x: Tensor, o: EncoderLayerCall): Tensor {
    return this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: o.mask, keyPaddingMask: o.keyPaddingMask, isCausal: o.isCausal, cache: o.cache }));
  }

  forward(x: Tensor, o: EncoderLayerCall = {}): Tensor {
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), o));
      return x.add(this.dropout2.forward(this.ff.forward(this.norm2.forward(x))));
    }
    x = this.norm1.forward(x.add(this.sa(x, o)));
    return this.norm2.forward(x.add(this.dropout2.forward(this.ff.forward(x))));
  }
}

/** The caches of one decoder layer: its self-attention's (growing) and its cross-attention's (fixed). */
export interface DecoderLayerCache { self: KVCache; cross: KVCache }

export interface DecoderLayerCall {
  /** Target self-attention: causal by default (as a decoder always is when trained with teacher forcing). */
  tgtIsCausal?: boolean;
  tgtMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryMask?: Tensor | null;
  /** [B, S], nonzero at the source's padding. */
  memoryKeyPaddingMask?: Tensor | null;
  cache?: DecoderLayerCache;
}

/** One decoder layer: x + CausalSelfAttn(LN(x)), x + CrossAttn(LN(x), memory), x + MLP(LN(x)). */
export class TransformerDecoderLayer extends Module<[Tensor, Tensor, DecoderLayerCall?], Tensor> {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly normFirst: boolean;

  constructor(readonly dModel: number, readonly nHead: number, o: TransformerLayerOptions = {}) {
    super();
    const parts = layerParts(dModel, nHead, o);
    this.self_attn = parts.attn();
    this.multihead_attn = parts.attn();
    this.ff = parts.ff();
    this.norm1 = parts.norm(); this.norm2 = parts.norm(); this.norm3 = parts.norm();
    this.dropout1 = parts.drop(); this.dropout2 = parts.drop(); this.dropout3 = parts.drop();
    this.normFirst = o.normFirst ?? true;
  }

  private sa(x: Tensor, o: DecoderLayerCall): Tensor {
    return this.dropout1.forward(this.self_attn.forward(x, x, x, {
      attnMask: o.tgtMask, keyPaddingMask: o.tgtKeyPaddingMask, isCausal: o.tgtIsCausal ?? true, cache: o.cache?.self,
    }));
  }

  private ca(x: Tensor, memory: Tensor, o: DecoderLayerCall): Tensor {
    return this.dropout2.forward(this.multihead_attn.forward(x, memory, memory, {
      attnMask: o.memoryMask, keyPaddingMask: o.memoryKeyPaddingMask, cache: o.cache?.cross,
    }));
  }

  forward(x: Tensor, memory: Tensor, o: DecoderLayerCall = {}): Tensor {
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1.forward(x), o));
      x = x.add(this.ca(this.norm2.forward(x), memory, o));
      return x.add(this.dropout3.forward(this.ff.forward(this.norm3.forward(x))));
    }
    x = this.norm1.forward(x.add(this.sa(x, o)));
    x = this.norm2.forward(x.add(this.ca(x, memory, o)));
    return this.norm3.forward(x.add(this.dropout3.forward(this.ff.forward(x))));
  }
}

export interface StackOptions extends TransformerLayerOptions { numLayers: number; dModel: number; nHead: number }

/** numLayers encoder layers, then (pre-norm) a final LayerNorm. */
export class TransformerEncoder extends Module<[Tensor, Omit<EncoderLayerCall, 'cache'>?, KVCache[]?], Tensor> {
  layers: ModuleList<TransformerEncoderLayer>;
  norm: LayerNorm | null;

  constructor(o: StackOptions) {
    super();
    this.layers = new ModuleList(Array.from({ length: o.numLayers }, () => new TransformerEncoderLayer(o.dModel, o.nHead, o)));
    this.norm = (o.normFirst ?? true) ? new LayerNorm(o.dModel, o.layerNormEps ?? 1e-5) : null;
  }

  /** One KVCache per layer, for causal incremental decoding (decoder-only models). */
  makeCache(): KVCache[] { return Array.from({ length: this.layers.length }, () => new KVCache()); }

  forward(x: Tensor, o: Omit<EncoderLayerCall, 'cache'> = {}, caches?: KVCache[]): Tensor {
    let i = 0;
    for (const layer of this.layers) x = layer.forward(x, { ...o, cache: caches?.[i++] });
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** Every decoder layer's caches: made empty before decoding, reordered by beam search, then disposed. */
export class DecoderCache {
  readonly layers: DecoderLayerCache[];

  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({ self: new KVCache(), cross: new KVCache(true) }));
  }

  /** Positions decoded so far. */
  get length(): number { return this.layers[0]?.self.length ?? 0; }

  reorder(indices: Tensor): void { for (const l of this.layers) { l.self.reorder(indices); l.cross.reorder(indices); } }

  dispose(): void { for (const l of this.layers) { l.self.dispose(); l.cross.dispose(); } }
}

export interface DecoderCall extends Omit<DecoderLayerCall, 'cache'> { cache?: DecoderCache }

/** numLayers decoder layers, then (pre-norm) a final LayerNorm. */
export class TransformerDecoder extends Module<[Tensor, Tensor, DecoderCall?], Tensor> {
  layers: ModuleList<TransformerDecoderLayer>;
  norm: LayerNorm | null;

  constructor(o: StackOptions) {
    super();
    this.layers = new ModuleList(Array.from({ length: o.numLayers }, () => new TransformerDecoderLayer(o.dModel, o.nHead, o)));
    this.norm = (o.normFirst ?? true) ? new LayerNorm(o.dModel, o.layerNormEps ?? 1e-5) : null;
  }

  makeCache(): DecoderCache { return new DecoderCache(this.layers.length); }

  forward(x: Tensor, memory: Tensor, o: DecoderCall = {}): Tensor {
    let i = 0;
    for (const layer of this.layers) x = layer.forward(x, memory, { ...o, cache: o.cache?.layers[i++] });
    return this.norm ? this.norm.forward(x) : x;
  }
}
