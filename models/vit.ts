// A Vision Transformer (Dosovitskiy et al. 2021) for small images: `vit`. The image is cut into
// patch×patch squares (a strided convolution embeds each), a learned class token is put in front,
// learned positions are added, a pre-norm Transformer encoder runs over the tokens, and the class
// token's final state is classified. Registered as a classifier, so `train --model vit` and
// eval/predict take it like the CNNs.

import { concat, type Tensor } from '../engine/index.js';
import { Conv2d, init, LearnedPositionalEmbedding, Linear, Module, Parameter, TransformerEncoder } from '../nn/index.js';
import type { ClassifierConfig } from './classifiers.js';
import { registerModel } from './registry.js';

export interface VitConfig extends ClassifierConfig {
  patch: number;
  dModel: number;
  depth: number;
  nHead: number;
  mlp: number;
  dropout: number;
  activation: string;
}

export class VisionTransformer extends Module {
  patch_embed: Conv2d;
  cls_token: Tensor;
  pos_embed: LearnedPositionalEmbedding;
  encoder: TransformerEncoder;
  head: Linear;
  readonly patches: number;

  constructor(readonly config: VitConfig) {
    super();
    const c = config;
    if (c.size % c.patch) throw new Error(`vit: image size ${c.size} is not a multiple of the patch size ${c.patch}`);
    this.patches = (c.size / c.patch) ** 2;
    this.patch_embed = new Conv2d(c.channels, c.dModel, c.patch, { stride: c.patch });
    this.cls_token = Parameter(init.normalInit([1, 1, c.dModel], 0.02));
    this.pos_embed = new LearnedPositionalEmbedding(this.patches + 1, c.dModel);
    this.encoder = new TransformerEncoder({
      numLayers: c.depth, dModel: c.dModel, nHead: c.nHead, dimFeedforward: c.mlp, dropout: c.dropout, activation: c.activation === 'relu' ? 'relu' : 'gelu',
    });
    this.head = new Linear(c.dModel, c.classes);
  }

  forward(x: Tensor): Tensor {
    const b = x.shape[0], d = this.config.dModel;
    const tokens = this.patch_embed.forward(x).reshape([b, d, this.patches]).permute([0, 2, 1]);
    const h = this.encoder.forward(this.pos_embed.forward(concat([this.cls_token.expand([b, 1, d]), tokens], 1)));
    return this.head.forward(h.narrow(1, 0, 1).reshape([b, d]));
  }
}

export const vit = registerModel<VitConfig>({
  name: 'vit',
  summary: 'Vision Transformer: 7×7 patches, class token, learned positions, 6 pre-norm encoder layers of width 64, 4 heads',
  task: 'classification',
  defaults: { channels: 1, size: 28, classes: 10, patch: 7, dModel: 64, depth: 6, nHead: 4, mlp: 128, dropout: 0, activation: 'gelu' },
  inputShape: (c) => [c.channels, c.size, c.size],
  build: (c) => new VisionTransformer(c),
});
