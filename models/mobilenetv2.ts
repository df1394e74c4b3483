// MobileNetV2 (Sandler et al. 2018) at 32×32: the stem, 17 inverted residual blocks, a 1×1 conv to
// 1280 features, global average pooling, dropout and a dense head. Layer for layer it is Keras's
// `MobileNetV2(alpha)` (same channel rounding, no conv biases before BatchNorm, BN eps 1e-3), so its counts can be checked against Keras's. Inputs
// of another size (28×28 digits) are first resized bilinearly to 32×32, as the seed does.
// The model is a Sequential { resize?, features, pool, dropout, classifier }: a backbone is
// `features` (what pretrain trains and finetune loads), the head is `classifier`.

import { BatchNorm2d, Conv2d, Dropout, GlobalAvgPool2d, Linear, Module, ReLU6, Sequential, Upsample, type ModelConfig } from '../nn/index.js';
import type { Tensor } from '../engine/index.js';
import { registerModel } from './registry.js';

export interface MobileNetV2Config extends ModelConfig { channels: number; size: number; classes: number; width: number; dropout: number }

/** The backbone's input side: the resolution the seed fine-tunes at. */
export const MOBILENET_SIZE = 32;

/** Expansion t, output channels c, repeats n, first stride s: the paper's table 2. */
const BLOCKS: [t: number, c: number, n: number, s: number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** Keras's _make_divisible: the nearest multiple of 8, never more than 10 % below v. */
export function makeDivisible(v: number, divisor = 8): number {
  const r = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  return r < 0.9 * v ? r + divisor : r;
}

// Keras's epsilon 1e-3, but PyTorch's momentum 0.1: Keras's 0.999 (0.001 here) needs thousands of
// steps before the running statistics mean anything, and a 10-labels-per-class run has a hundred.
const bn = (c: number) => new BatchNorm2d(c, { eps: 1e-3, momentum: 0.1 });

/** Conv (no bias), BatchNorm, then ReLU6 unless `linear`. */
function convBn(cin: number, cout: number, k: number, o: { stride?: number; groups?: number; linear?: boolean } = {}): Sequential {
  const conv = new Conv2d(cin, cout, k, { stride: o.stride ?? 1, padding: (k - 1) / 2, groups: o.groups ?? 1, bias: false });
  return o.linear ? new Sequential({ conv, bn: bn(cout) }) : new Sequential({ conv, bn: bn(cout), relu: new ReLU6() });
}

/** 1×1 expand (when t > 1), 3×3 depthwise, linear 1×1 project; x + block(x) where the shapes allow. */
export class InvertedResidual extends Module {
  readonly expand: Sequential | null;
  readonly depthwise: Sequential;
  readonly project: Sequential;
  readonly residual: boolean;

  constructor(cin: number, cout: number, stride: number, t: number) {
    super();
    const hidden = cin * t;
    this.expand = t === 1 ? null : convBn(cin, hidden, 1);
    this.depthwise = convBn(hidden, hidden, 3, { stride, groups: hidden });
    this.project = convBn(hidden, cout, 1, { linear: true });
    this.residual = stride === 1 && cin === cout;
  }

  forward(x: Tensor): Tensor {
    const y = this.project.forward(this.depthwise.forward(this.expand ? this.expand.forward(x) : x));
    return this.residual ? x.add(y) : y;
  }
}

/** The feature extractor, [N, channels, 32, 32] → [N, lastChannels, 1, 1]: stem, block1..block17, head conv. */
export function mobilenetV2Features(channels: number, width: number): Sequential {
  let cin = makeDivisible(32 * width);
  const layers: Record<string, Module> = { stem: convBn(channels, cin, 3, { stride: 2 }) };
  let i = 0;
  for (const [t, c, n, s] of BLOCKS) {
    const cout = makeDivisible(c * width);
    for (let r = 0; r < n; r++) { layers[`block${++i}`] = new InvertedResidual(cin, cout, r === 0 ? s : 1, t); cin = cout; }
  }
  layers.head = convBn(cin, featureChannels(width), 1);
  return new Sequential(layers);
}

/** Channels out of the backbone: 1280, widened (never narrowed) with the multiplier, as Keras does. */
export const featureChannels = (width: number) => (width > 1 ? makeDivisible(1280 * width) : 1280);

/** The names of the backbone's blocks, bottom to top (finetune unfreezes the last few). */
export const MOBILENET_BLOCKS = ['stem', ...Array.from({ length: 17 }, (_, i) => `block${i + 1}`), 'head'];

export const mobilenetv2 = registerModel<MobileNetV2Config>({
  name: 'mobilenetv2',
  summary: 'MobileNetV2 at 32×32 (inverted residuals, BatchNorm, ReLU6, width multiplier, global average pooling); 28×28 inputs are resized',
  task: 'classification',
  defaults: { channels: 1, size: 28, classes: 10, width: 1, dropout: 0.2 },
  inputShape: (c) => [c.channels, c.size, c.size],
  check: (c) => {
    if (c.channels !== 1 && c.channels !== 3) throw new Error(`mobilenetv2: channels must be 1 or 3, got ${c.channels}`);
    if (!Number.isInteger(c.size) || c.size < 8 || c.size > 64) throw new Error(`mobilenetv2: size must be an integer from 8 to 64 (it is resized to 32), got ${c.size}`);
    if (!Number.isInteger(c.classes) || c.classes < 1 || c.classes > 1000) throw new Error(`mobilenetv2: classes must be an integer from 1 to 1000, got ${c.classes}`);
    // checkModelFits asks with the data's channels, size and classes only: the rest keep their defaults.
    if (c.width !== undefined && !(c.width >= 0.25 && c.width <= 2)) throw new Error(`mobilenetv2: width must be from 0.25 to 2, got ${c.width}`);
    if (c.dropout !== undefined && !(c.dropout >= 0 && c.dropout < 1)) throw new Error(`mobilenetv2: dropout must be in [0, 1), got ${c.dropout}`);
  },
  build: (c) => new Sequential({
    ...(c.size === MOBILENET_SIZE ? {} : { resize: new Upsample({ size: MOBILENET_SIZE, mode: 'bilinear' }) }),
    features: mobilenetV2Features(c.channels, c.width),
    pool: new GlobalAvgPool2d(),
    dropout: new Dropout(c.dropout),
    classifier: new Linear(featureChannels(c.width), c.classes),
  }),
});
