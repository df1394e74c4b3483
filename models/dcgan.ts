// The DCGAN pair for 28×28 digits (Radford et al. 2016, sized for a CPU): `dcgan-generator`
// (latent → Linear → 7×7 maps → two stride-2 ConvTranspose2d with BatchNorm and ReLU → tanh) and
// `dcgan-discriminator` (two stride-2 Conv2d with LeakyReLU 0.2 and Dropout → one logit). With
// `classes` > 0 both are conditional: the generator gets the class embedding beside its latent,
// the discriminator gets it as a 28×28 map beside the image (a second input channel).

import { concat, tidy, zeros, type Tensor } from '../engine/index.js';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Embedding, Flatten, init, LeakyReLU, Linear, Module, Parameter, ReLU, Sequential,
  Tanh, Unflatten, type ModelConfig,
} from '../nn/index.js';
import { registerModel } from './registry.js';

export interface GeneratorConfig extends ModelConfig {
  /** Length of the latent vector z. */
  latent: number;
  /** Channels of the 14×14 maps (the 7×7 ones have twice as many). */
  width: number;
  /** 0: unconditional; otherwise the number of classes it can be asked for. */
  classes: number;
  /** Length of the class embedding put beside z (conditional only). */
  embed: number;
}

export interface DiscriminatorConfig extends ModelConfig {
  /** Channels of the 14×14 maps (the 7×7 ones have twice as many). */
  width: number;
  classes: number;
  dropout: number;
}

/** 28 = 7 · 2 · 2: the generator starts from 7×7 maps and doubles twice. */
const SIZE = 28, BASE = 7;

/** A generator or discriminator: an image batch (or latents) and, for a conditional one, the classes. */
export type GanModule = Module<[Tensor, Tensor?], Tensor>;

/** DCGAN's initialisation: conv and dense weights N(0, 0.02), BatchNorm scales N(1, 0.02), biases 0. */
function dcganInit(m: Module): void {
  for (const [, layer] of m.namedModules()) {
    const l = layer as unknown as { weight: Tensor; bias: Tensor | null };
    const replace = (mean: number) => {
      const w = Parameter(tidy(() => init.normalInit(l.weight.shape, 0.02).add(mean)));
      l.weight.dispose();
      l.weight = w;
      if (l.bias) { const b = Parameter(zeros(l.bias.shape)); l.bias.dispose(); l.bias = b; }
    };
    if (layer instanceof Conv2d || layer instanceof ConvTranspose2d || layer instanceof Linear) replace(0);
    else if ((layer instanceof BatchNorm1d || layer instanceof BatchNorm2d) && layer.weight) replace(1);
  }
}

function generatorNet(c: GeneratorConfig): Sequential {
  const w = c.width, inputs = c.latent + (c.classes ? c.embed : 0);
  return new Sequential({
    fc: new Linear(inputs, 2 * w * BASE * BASE, { bias: false }), bn0: new BatchNorm1d(2 * w * BASE * BASE), relu0: new ReLU(),
    unflatten: new Unflatten(1, [2 * w, BASE, BASE]),
    deconv1: new ConvTranspose2d(2 * w, w, 4, { stride: 2, padding: 1, bias: false }), bn1: new BatchNorm2d(w), relu1: new ReLU(),
    deconv2: new ConvTranspose2d(w, 1, 4, { stride: 2, padding: 1 }), tanh: new Tanh(),
  });
}

function discriminatorNet(c: DiscriminatorConfig): Sequential {
  const w = c.width;
  return new Sequential({
    conv1: new Conv2d(c.classes ? 2 : 1, w, 4, { stride: 2, padding: 1 }), lrelu1: new LeakyReLU(0.2), drop1: new Dropout(c.dropout),
    conv2: new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1 }), lrelu2: new LeakyReLU(0.2), drop2: new Dropout(c.dropout),
    flatten: new Flatten(),
    fc: new Linear(2 * w * BASE * BASE, 1),
  });
}

/** Missing classes (summary's dummy input) read as class 0. */
const classesOr0 = (labels: Tensor | undefined, n: number) => labels ?? zeros([n], { dtype: 'int32' });

/** The conditional generator: z beside the embedding of the class asked for. */
export class ConditionalGenerator extends Module<[Tensor, Tensor?], Tensor> {
  label_embed: Embedding;
  net: Sequential;
  constructor(readonly config: GeneratorConfig) {
    super();
    this.label_embed = new Embedding(config.classes, config.embed);
    this.net = generatorNet(config);
  }
  forward(z: Tensor, labels?: Tensor): Tensor {
    return this.net.forward(concat([z, this.label_embed.forward(classesOr0(labels, z.shape[0]))], 1));
  }
}

/** The conditional discriminator: the image beside a learned 28×28 map of the class it claims to be. */
export class ConditionalDiscriminator extends Module<[Tensor, Tensor?], Tensor> {
  label_map: Embedding;
  net: Sequential;
  constructor(readonly config: DiscriminatorConfig) {
    super();
    this.label_map = new Embedding(config.classes, SIZE * SIZE);
    this.net = discriminatorNet(config);
  }
  forward(x: Tensor, labels?: Tensor): Tensor {
    const n = x.shape[0];
    const map = this.label_map.forward(classesOr0(labels, n)).reshape([n, 1, SIZE, SIZE]);
    return this.net.forward(concat([x, map], 1));
  }
}

/** Each setting an integer within its bounds (a damaged card must not ask for gigabytes). */
function check(name: string, settings: Record<string, [value: number, lo: number, hi: number]>): void {
  for (const [k, [v, lo, hi]] of Object.entries(settings)) {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name}: ${k} must be an integer from ${lo} to ${hi}, got ${v}`);
  }
}

export const GENERATOR_DEFAULTS: GeneratorConfig = { latent: 64, width: 32, classes: 0, embed: 16 };
export const DISCRIMINATOR_DEFAULTS: DiscriminatorConfig = { width: 32, classes: 0, dropout: 0.3 };

export const dcganGenerator = registerModel<GeneratorConfig>({
  name: 'dcgan-generator',
  summary: 'DCGAN generator: z (64) → Linear → 64×7×7 → ConvTranspose 4×4/2 → 32×14×14 → ConvTranspose 4×4/2 → tanh 1×28×28 (BatchNorm, ReLU)',
  task: 'generator',
  defaults: GENERATOR_DEFAULTS,
  inputShape: (c) => [c.latent],
  check: (c) => check('dcgan-generator', { latent: [c.latent, 1, 4096], width: [c.width, 1, 512], classes: [c.classes, 0, 1000], embed: [c.embed, 1, 4096] }),
  build: (c) => {
    const m: Module = c.classes ? new ConditionalGenerator(c) : generatorNet(c);
    dcganInit(m);
    return m;
  },
});

export const dcganDiscriminator = registerModel<DiscriminatorConfig>({
  name: 'dcgan-discriminator',
  summary: 'DCGAN discriminator: 1×28×28 → Conv 4×4/2 → 32×14×14 → Conv 4×4/2 → 64×7×7 → one logit (LeakyReLU 0.2, Dropout 0.3)',
  task: 'discriminator',
  defaults: DISCRIMINATOR_DEFAULTS,
  inputShape: () => [1, SIZE, SIZE],
  check: (c) => {
    check('dcgan-discriminator', { width: [c.width, 1, 512], classes: [c.classes, 0, 1000] });
    if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`dcgan-discriminator: dropout must be in [0, 1), got ${c.dropout}`);
  },
  build: (c) => {
    const m: Module = c.classes ? new ConditionalDiscriminator(c) : discriminatorNet(c);
    dcganInit(m);
    return m;
  },
});
