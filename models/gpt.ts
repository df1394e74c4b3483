// A decoder-only Transformer language model (Radford et al. 2018/2019, as nanoGPT): `gpt`. Token
// and learned position embeddings, a stack of pre-norm causal layers (nn/transformer.ts's encoder
// layers with isCausal), a final LayerNorm and an output layer tied to the token embedding. With
// a KVCache per layer, forward() takes only the new positions and where they start.

import { embedding, linear, type Tensor } from '../engine/index.js';
import { Embedding, KVCache, LearnedPositionalEmbedding, Module, TransformerEncoder, type ModelConfig } from '../nn/index.js';
import { registerModel } from './registry.js';

export interface GptConfig extends ModelConfig {
  vocabSize: number;
  /** Longest context (positions the embedding table covers). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
}

/** nanoGPT's character-level CPU recipe (4 layers, 4 heads, 128 wide, context 64, no dropout). */
export const GPT_DEFAULTS: GptConfig = { vocabSize: 85, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0 };

export class GPT extends Module<[Tensor, { cache?: KVCache[]; offset?: number }?], Tensor> {
  wte: Embedding;
  wpe: LearnedPositionalEmbedding;
  blocks: TransformerEncoder;

  constructor(readonly config: GptConfig) {
    super();
    const c = config;
    this.wte = new Embedding(c.vocabSize, c.nEmbd, { std: 0.02 });
    this.wpe = new LearnedPositionalEmbedding(c.blockSize, c.nEmbd);
    this.blocks = new TransformerEncoder({ numLayers: c.nLayer, dModel: c.nEmbd, nHead: c.nHead, dimFeedforward: 4 * c.nEmbd, dropout: c.dropout, activation: 'gelu' });
  }

  /** Token ids [B, T] → next-token logits [B, T, vocab]. With a cache, `ids` are the next positions
   *  only and `offset` is where they start. */
  forward(ids: Tensor, o: { cache?: KVCache[]; offset?: number } = {}): Tensor {
    const x = this.wpe.forward(embedding(ids, this.wte.weight), o.offset ?? 0);
    return linear(this.blocks.forward(x, { isCausal: true }, o.cache), this.wte.weight);
  }

  /** One empty KVCache per layer (dispose them after decoding). */
  makeCache(): KVCache[] { return this.blocks.makeCache(); }
}

export const gpt = registerModel<GptConfig>({
  name: 'gpt',
  summary: 'decoder-only Transformer language model (pre-norm, learned positions, GELU MLP, tied output layer)',
  task: 'language-model',
  defaults: GPT_DEFAULTS,
  inputShape: (c) => [c.blockSize],
  inputDtype: 'int32',
  check: (c) => {
    for (const k of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
      if (!(Number.isInteger(c[k]) && c[k] >= 1 && c[k] <= 65536)) throw new Error(`gpt: ${k} must be an integer from 1 to 65536, got ${c[k]}`);
    }
    if (c.nEmbd % c.nHead) throw new Error(`gpt: nEmbd ${c.nEmbd} must divide into nHead ${c.nHead} heads`);
    if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`gpt: dropout must be in [0, 1), got ${c.dropout}`);
  },
  build: (c) => new GPT(c),
});
