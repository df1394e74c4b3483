// The encoder–decoder Transformer (Vaswani et al. 2017), pre-norm, for sequence-to-sequence tasks
// on token ids: `transformer`. Sources and targets are int32 [B, S] and [B, T] padded with
// `padId`; the target's output layer shares the target embedding's weights. encode() and
// decodeStep() are what greedy and beam search call, with a DecoderCache for one position a step.

import { embedding, linear, noGrad, type Tensor } from '../engine/index.js';
import {
  DecoderCache, Embedding, LearnedPositionalEmbedding, Module, SinusoidalPositionalEmbedding, TransformerDecoder, TransformerEncoder,
  type ModelConfig,
} from '../nn/index.js';
import { registerModel } from './registry.js';

export interface Seq2SeqConfig extends ModelConfig {
  srcVocab: number;
  tgtVocab: number;
  dModel: number;
  nHead: number;
  encoderLayers: number;
  decoderLayers: number;
  dimFeedforward: number;
  dropout: number;
  /** Longest source or target the positional embeddings cover. */
  maxLen: number;
  positional: 'sinusoidal' | 'learned';
  /** Of the MLPs: GELU, or ReLU (the original's, cheaper on the CPU). */
  activation: 'gelu' | 'relu';
  padId: number;
}

export const SEQ2SEQ_DEFAULTS: Seq2SeqConfig = {
  srcVocab: 32, tgtVocab: 32, dModel: 128, nHead: 4, encoderLayers: 3, decoderLayers: 3, dimFeedforward: 512,
  dropout: 0.1, maxLen: 64, positional: 'sinusoidal', activation: 'gelu', padId: 0,
};

type Positional = SinusoidalPositionalEmbedding | LearnedPositionalEmbedding;

export class Seq2SeqTransformer extends Module<[Tensor, Tensor], Tensor> {
  src_embed: Embedding;
  tgt_embed: Embedding;
  src_pos: Positional;
  tgt_pos: Positional;
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  private readonly scale: number;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    const c = config, d = c.dModel;
    // Embeddings start at N(0, 1/d) and are scaled by √d, so tokens and sinusoids have unit size.
    this.src_embed = new Embedding(c.srcVocab, d, { std: 1 / Math.sqrt(d) });
    this.tgt_embed = new Embedding(c.tgtVocab, d, { std: 1 / Math.sqrt(d) });
    const pos = () => (c.positional === 'learned' ? new LearnedPositionalEmbedding(c.maxLen, d) : new SinusoidalPositionalEmbedding(c.maxLen, d));
    this.src_pos = pos();
    this.tgt_pos = pos();
    const layer = { dModel: d, nHead: c.nHead, dimFeedforward: c.dimFeedforward, dropout: c.dropout, activation: c.activation };
    this.encoder = new TransformerEncoder({ ...layer, numLayers: c.encoderLayers });
    this.decoder = new TransformerDecoder({ ...layer, numLayers: c.decoderLayers });
    this.scale = Math.sqrt(d);
  }

  /** 1 where the ids are padding: the key-padding mask of a batch. */
  paddingMask(ids: Tensor): Tensor { return noGrad(() => ids.eq(this.config.padId)); }

  /** Source ids [B, S] → memory [B, S, E]. */
  encode(src: Tensor, srcPad: Tensor = this.paddingMask(src)): Tensor {
    const x = this.src_pos.forward(embedding(src, this.src_embed.weight).mul(this.scale));
    return this.encoder.forward(x, { keyPaddingMask: srcPad });
  }

  /** Target ids [B, T] (shifted right: BOS first) → logits [B, T, tgtVocab]. With a cache, `tgt` is
   *  the next positions only and `offset` where they start. */
  decode(tgt: Tensor, memory: Tensor, srcPad: Tensor | null, o: { cache?: DecoderCache; offset?: number; tgtPad?: Tensor | null } = {}): Tensor {
    const x = this.tgt_pos.forward(embedding(tgt, this.tgt_embed.weight).mul(this.scale), o.offset ?? 0);
    const h = this.decoder.forward(x, memory, { memoryKeyPaddingMask: srcPad, tgtKeyPaddingMask: o.tgtPad, cache: o.cache });
    return linear(h, this.tgt_embed.weight);
  }

  /** Teacher-forced logits for a batch: forward(src, tgtIn). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    const srcPad = this.paddingMask(src);
    return this.decode(tgtIn, this.encode(src, srcPad), srcPad);
  }

  makeCache(): DecoderCache { return this.decoder.makeCache(); }

  /** The cross-attention modules, one per decoder layer (their kept weights are the attention maps). */
  crossAttention() { return [...this.decoder.layers].map((l) => l.multihead_attn); }
}

export const transformer = registerModel<Seq2SeqConfig>({
  name: 'transformer',
  summary: 'encoder–decoder Transformer (pre-norm, sinusoidal positions, tied output layer) for token-id sequences',
  task: 'translation',
  defaults: SEQ2SEQ_DEFAULTS,
  inputShape: () => [],
  build: (c) => new Seq2SeqTransformer(c),
});
