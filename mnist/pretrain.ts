// Self-supervised pretraining of the mobilenetv2 backbone, SimCLR-style (Chen et al. 2020), as a
// task on the shared loop: each batch of training images becomes two randomly warped views (the
// augmentation of `train --augment`: shifts, rotations, scaling), the backbone and a projection
// head (Linear, ReLU, Linear) map both to unit vectors, and the NT-Xent loss at temperature τ asks
// each view to pick its partner out of the other 2B − 1. The training labels are never read.
// Each epoch the features are probed with a k-NN classifier (cosine similarity, k = 20, votes
// weighted by exp(sim/τ)), the labelled reference being the first --probe-train training images,
// on the first --test-limit test images: the user sees the features improve.

import { concat, eye, Generator, noGrad, tensor, tidy, type Tensor } from '../engine/index.js';
import { featureChannels, mobilenetV2Features, MOBILENET_SIZE } from '../models/index.js';
import { Adam, crossEntropy, interpolate, Linear, ReLU, Sequential, type ModelCard, type Optimizer } from '../nn/index.js';
import type { EpochContext, Task } from '../train/core.js';
import type { ChartSpec } from '../train/history.js';
import { allImages, batchImages, type ImageData } from './image-data.js';

export interface PretrainConfig {
  epochs: number; batchSize: number; lr: number; seed: number; width: number;
  /** NT-Xent temperature. */
  temperature: number;
  /** Projection head's output size. */
  projection: number;
  limit?: number; testLimit?: number;
  /** Labelled training images the k-NN probe compares with. */
  probeTrain: number;
}

export const PRETRAIN_DEFAULTS: PretrainConfig = { epochs: 1, batchSize: 128, lr: 1e-3, seed: 0, width: 0.35, temperature: 0.2, projection: 64, probeTrain: 2000 };

/** Unit rows. */
const unit = (z: Tensor) => z.div(z.square().sum(1, true).add(1e-12).sqrt());

/** NT-Xent over 2B unit vectors, rows i and i + B being the two views of one image. */
export function ntXent(z: Tensor, temperature: number): Tensor {
  const n = z.shape[0], b = n / 2;
  // Self-similarity leaves the softmax: a large negative on the diagonal.
  const logits = z.matmul(z.transpose(0, 1)).div(temperature).sub(eye(n).mul(1e9));
  const partner = tensor(Int32Array.from({ length: n }, (_, i) => (i + b) % n));
  return crossEntropy(logits, partner);
}

export class PretrainTask implements Task {
  readonly name = 'pretrain';
  readonly size: number;
  readonly batchSize: number;
  readonly modules: { backbone: Sequential; projector: Sequential };
  readonly optimizers: { optimizer: Optimizer };
  readonly generators: { augment: Generator };
  readonly guarded = ['loss'];
  readonly charts: ChartSpec[] = [
    { file: 'loss.svg', title: 'NT-Xent loss per epoch', yLabel: 'loss', series: [{ key: 'train_loss', name: 'train' }] },
    { file: 'knn.svg', title: 'k-NN probe accuracy per epoch', yLabel: 'accuracy', series: [{ key: 'knn_accuracy', name: 'test' }] },
  ];
  private lastFigures: Record<string, number> = {};

  constructor(readonly config: PretrainConfig & Record<string, unknown>, readonly data: ImageData) {
    const c = config;
    const backbone = mobilenetV2Features(data.channels, c.width);
    const d = featureChannels(c.width);
    this.modules = { backbone, projector: new Sequential({ fc1: new Linear(d, 256), relu: new ReLU(), fc2: new Linear(256, c.projection) }) };
    this.optimizers = { optimizer: new Adam([...backbone.parameters(), ...this.modules.projector.parameters()], { lr: c.lr }) };
    this.size = data.train.count;
    this.batchSize = c.batchSize;
    this.generators = { augment: new Generator(c.seed + 7919) };
  }

  /** [N, C, H, W] images → [N, features] (resized to 32×32, globally pooled). */
  embed(x: Tensor): Tensor {
    const x32 = x.shape[2] === MOBILENET_SIZE ? x : interpolate(x, { size: MOBILENET_SIZE, mode: 'bilinear' });
    return this.modules.backbone.forward(x32).mean([2, 3]);
  }

  step(idx: Int32Array) {
    const d = this.data, g = this.generators.augment, shape = [idx.length, d.channels, d.rows, d.cols];
    const view = () => tensor(batchImages(d.train, idx, d, d.stats, () => g.random()), { shape });
    const x = concat([view(), view()], 0);
    const loss = ntXent(unit(this.modules.projector.forward(this.embed(x))), this.config.temperature);
    const opt = this.optimizers.optimizer;
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return { loss };
  }

  /** Unit features of `count` images of a set, in eval mode, a batch at a time. */
  private async features(images: Float32Array, count: number): Promise<Float32Array> {
    const d = this.data, per = d.channels * d.rows * d.cols, bs = 250, dim = featureChannels(this.config.width);
    const out = new Float32Array(count * dim);
    const bb = this.modules.backbone, was = bb.training;
    bb.eval();
    try {
      for (let i = 0; i < count; i += bs) {
        const n = Math.min(bs, count - i);
        const f = tidy(() => noGrad(() => unit(this.embed(tensor(images.subarray(i * per, (i + n) * per), { shape: [n, d.channels, d.rows, d.cols] })))));
        out.set(await f.data(), i * dim);
        f.dispose();
      }
    } finally { bb.train(was); }
    return out;
  }

  /** k-NN accuracy of the test images against the labelled probe set. */
  async evaluate(ctx: Pick<EpochContext, 'progress'>): Promise<Record<string, number>> {
    const d = this.data, c = this.config, k = 20, dim = featureChannels(c.width);
    const nRef = Math.min(c.probeTrain, d.train.count), nTest = d.test.count;
    ctx.progress?.(0, nTest, 'k-NN probe');
    const ref = await this.features(allImages(d.train, d.stats), nRef);
    const test = await this.features(allImages(d.test, d.stats), nTest);
    let correct = 0;
    const sims = new Float32Array(nRef), votes = new Float64Array(d.numClasses);
    for (let t = 0; t < nTest; t++) {
      for (let r = 0; r < nRef; r++) { let s = 0; for (let j = 0; j < dim; j++) s += test[t * dim + j] * ref[r * dim + j]; sims[r] = s; }
      const top = Array.from(sims.keys()).sort((a, b) => sims[b] - sims[a]).slice(0, k);
      votes.fill(0);
      for (const r of top) votes[d.train.labels[r]] += Math.exp(sims[r] / c.temperature);
      if (votes.indexOf(Math.max(...votes)) === d.test.labels[t]) correct++;
    }
    this.lastFigures = { knn_accuracy: correct / nTest };
    return this.lastFigures;
  }

  cards(): Record<string, ModelCard> {
    const d = this.data, c = this.config;
    const card = (task: string): ModelCard => ({
      architecture: 'mobilenetv2-backbone', config: { channels: d.channels, width: c.width }, task, input_shape: [d.channels, MOBILENET_SIZE, MOBILENET_SIZE],
      dataset: { name: d.info.name, classes: d.info.classes, fingerprint: d.info.fingerprint, train_count: d.train.count },
      normalisation: { mean: [d.stats.mean], std: [d.stats.std] }, seed: c.seed, metrics: this.lastFigures,
    });
    return { backbone: card('backbone'), projector: card('projection-head') };
  }

  state(): unknown { return { lastFigures: this.lastFigures }; }
  loadState(s: unknown): void { this.lastFigures = (s as { lastFigures?: Record<string, number> } | null)?.lastFigures ?? {}; }
}
