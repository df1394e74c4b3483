// A DCGAN (or conditional DCGAN) on MNIST as a task on the shared loop: two modules, two Adam
// optimisers (2e-4, β1 0.5), alternating updates with BCE on logits and one-sided label smoothing
// of the real targets, an EMA copy of the generator for sampling. Each epoch it draws the fixed
// latent batch (a grid PNG, and a contact sheet of every epoch so far) and judges a few thousand
// samples with a trained classifier (gan-metrics.ts). No files: the loop's store keeps the pictures.

import { Generator, noGrad, ones, randn, tensor, tidy, zeros, type Tensor } from '../engine/index.js';
import { buildModel, type GanModule } from '../models/index.js';
import { Adam, bceWithLogits, type Module, type ModelCard, type ModelConfig, type Optimizer } from '../nn/index.js';
import type { ChartSpec, EpochContext, Task } from '../train/index.js';
import { encodePng, imageGrid } from '../viz/png.js';
import { gather } from './dataset.js';
import { classifierView, frechetDistance, gaussianOf, judgeClasses, type ClassJudgement, type Gaussian } from './gan-metrics.js';
import type { ImageData, Stats } from './image-data.js';

/** The recipe of a GAN run (train-state.json keeps it; --resume reuses it). */
export interface GanConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  beta1: number;
  latent: number;
  /** Channels of the 14×14 maps in both nets. */
  width: number;
  conditional: boolean;
  /** Target for real images in the discriminator's loss (1: none; 0.9: one-sided smoothing). */
  realTarget: number;
  dropout: number;
  /** Decay of the generator's exponential moving average (0: no EMA copy). */
  ema: number;
  seed: number;
  /** The first N training images (undefined: all). */
  limit?: number;
  /** Samples judged by the classifier after each epoch. */
  evalSamples: number;
}

/** Sized so the default run takes about 15 minutes on this project's idle 2-core CPU (see the README). */
export const GAN_DEFAULTS: GanConfig = {
  epochs: 5, batchSize: 64, lr: 2e-4, beta1: 0.5, latent: 64, width: 32, conditional: false, realTarget: 0.9, dropout: 0.3,
  ema: 0.999, seed: 0, evalSamples: 5000,
};

const CLASSES = 10, SIDE = 28, PIXELS = SIDE * SIDE;

/** The classifier that judges the samples: a Sequential (features = its last layer's input) and the stats its inputs are standardised with. */
export interface Judge { model: Module; stats: Stats; path: string }

/** Quality figures of one epoch (history keys). */
export interface GanEvaluation extends ClassJudgement { fid: number; fid_floor: number }

export const GAN_CHARTS: ChartSpec[] = [
  { file: 'loss.svg', title: 'GAN losses per epoch', yLabel: 'BCE with logits', series: [{ key: 'train_loss_d', name: 'discriminator' }, { key: 'train_loss_g', name: 'generator' }] },
  { file: 'd-outputs.svg', title: 'Discriminator outputs per epoch', yLabel: 'mean sigmoid', series: [{ key: 'train_d_real', name: 'D(x)' }, { key: 'train_d_fake', name: 'D(G(z))' }] },
  { file: 'fid.svg', title: 'Fréchet distance (classifier features)', yLabel: 'distance', series: [{ key: 'fid', name: 'generated vs test' }, { key: 'fid_floor', name: 'train vs test (floor)' }] },
  { file: 'confidence.svg', title: 'Classifier on the samples', yLabel: 'share', series: [
    { key: 'confident_share', name: 'top prob ≥ 0.9' }, { key: 'mean_top_prob', name: 'mean top prob' }, { key: 'agreement', name: 'agrees with the class asked' },
    { key: 'min_class_share', name: 'rarest class' }, { key: 'max_class_share', name: 'commonest class' }] },
];

/** Images in [−1, 1] (tanh's range) to [0, 1]. */
export const toUnit = (x: Float32Array) => Float32Array.from(x, (v) => (v + 1) / 2);

/** The grid's columns: one per digit for the conditional model (column k asks for k). */
export const gridColumns = (conditional: boolean) => (conditional ? CLASSES : 8);

export class GanTask implements Task {
  readonly name = 'gan';
  readonly size: number;
  readonly batchSize: number;
  readonly modules: Record<string, GanModule>;
  readonly optimizers: { generator: Optimizer; discriminator: Optimizer };
  readonly generators: { latent: Generator };
  readonly charts = GAN_CHARTS;
  readonly guarded = ['loss_d', 'loss_g'];
  readonly gConfig: ModelConfig;
  readonly dConfig: ModelConfig;
  /** The fixed latent batch every epoch's grid is drawn from (saved in the task state). */
  fixed: Float32Array;
  /** Each finished epoch's first grid row, as bytes: the contact sheet. */
  private sheet: number[][] = [];
  private emaSteps = 0;
  private lastFigures: Record<string, number> = {};
  last: GanEvaluation | null = null;
  private real: { test: Gaussian; floor: number } | null = null;

  constructor(readonly config: GanConfig & Record<string, unknown>, readonly data: ImageData, readonly judge: Judge | null) {
    const c = config;
    if (data.channels !== 1 || data.rows !== SIDE || data.cols !== SIDE) throw new Error(`gan: the DCGAN draws 1×28×28 images; ${data.info.name} has ${data.channels}×${data.rows}×${data.cols}`);
    const classes = c.conditional ? CLASSES : 0;
    const g = buildModel('dcgan-generator', { latent: c.latent, width: c.width, classes });
    const d = buildModel('dcgan-discriminator', { width: c.width, classes, dropout: c.dropout });
    this.gConfig = g.config; this.dConfig = d.config;
    this.modules = { generator: g.model as GanModule, discriminator: d.model as GanModule };
    if (c.ema > 0) {
      const ema = buildModel('dcgan-generator', this.gConfig).model as GanModule;
      ema.loadStateDict(g.model.stateDict());
      ema.eval();
      this.modules.generator_ema = ema;
    }
    const betas: [number, number] = [c.beta1, 0.999];
    this.optimizers = {
      generator: new Adam(g.model.parameters(), { lr: c.lr, betas }),
      discriminator: new Adam(d.model.parameters(), { lr: c.lr, betas }),
    };
    this.size = data.train.count;
    this.batchSize = c.batchSize;
    this.generators = { latent: new Generator(c.seed + 104729) };
    const cols = gridColumns(c.conditional);
    const fixed = new Generator(c.seed + 7);
    this.fixed = Float32Array.from({ length: cols * cols * c.latent }, () => fixed.normal());
  }

  /** The classes asked for: uniform draws from the latent generator. */
  private drawClasses(n: number): Tensor {
    return tensor(Int32Array.from({ length: n }, () => this.generators.latent.int(0, CLASSES)));
  }

  step(idx: Int32Array) {
    const c = this.config, n = idx.length, G = this.modules.generator, D = this.modules.discriminator;
    const { generator: optG, discriminator: optD } = this.optimizers;
    const bytes = gather(this.data.train.images, idx, PIXELS);
    const real = tensor(Float32Array.from(bytes, (v) => v / 127.5 - 1), { shape: [n, 1, SIDE, SIDE] });
    const realClasses = c.conditional ? tensor(Int32Array.from(gather(this.data.train.labels, idx, 1))) : undefined;
    const z = randn([n, c.latent], { generator: this.generators.latent });
    const fakeClasses = c.conditional ? this.drawClasses(n) : undefined;
    const m = ganUpdate({ G, D, optG, optD }, real, z, { realTarget: c.realTarget, realClasses, fakeClasses });
    if (this.modules.generator_ema) this.updateEma();
    return m;
  }

  /** ema ← decay·ema + (1 − decay)·live, parameters and BatchNorm statistics alike (inside the step's tidy).
   *  The decay warms up as (1 + t) / (10 + t), so early epochs' samples are not mostly the initial weights. */
  private updateEma(): void {
    this.emaSteps++;
    const decay = Math.min(this.config.ema, (1 + this.emaSteps) / (10 + this.emaSteps)), live = this.modules.generator.stateDict();
    noGrad(() => {
      for (const [k, e] of this.modules.generator_ema.stateDict()) e.copy_(e.mul(decay).add(live.get(k)!.mul(1 - decay)));
    });
  }

  /** The generator samples are drawn from: the EMA copy when there is one. */
  get sampler(): GanModule { return this.modules.generator_ema ?? this.modules.generator; }

  async evaluate(ctx: Pick<EpochContext, 'epoch' | 'write' | 'progress'>): Promise<Record<string, number>> {
    const c = this.config, cols = gridColumns(c.conditional);
    const grid = toUnit(await generate(this.sampler, this.fixed, c.latent, c.conditional ? gridClasses(cols * cols) : undefined));
    const png = encodePng(imageGrid(grid, SIDE, SIDE, cols * cols, cols, 2));
    ctx.write(`samples-epoch-${ctx.epoch}.png`, png);
    ctx.write('samples.png', png);
    this.sheet.push(Array.from(grid.subarray(0, cols * PIXELS), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    ctx.write('epochs.png', contactSheet(this.sheet, cols));
    if (!this.judge) return {};
    ctx.progress?.(0, c.evalSamples, 'generated samples');
    const e = await this.judgeSamples(this.judge, c.evalSamples);
    ctx.progress?.(c.evalSamples, c.evalSamples, 'generated samples');
    this.last = e;
    this.lastFigures = historyFigures(e);
    return this.lastFigures;
  }

  /** Classify `count` fresh samples (their own seeded latents, the same each epoch) and compare their features with the test set's. */
  async judgeSamples(judge: Judge, count: number): Promise<GanEvaluation> {
    const c = this.config;
    if (!this.real) this.real = await realFloor(judge, this.data, count);
    const g = new Generator(c.seed + 15485863);
    const z = Float32Array.from({ length: count * c.latent }, () => g.normal());
    const asked = c.conditional ? gridClasses(count) : undefined;
    const images = toUnit(await generate(this.sampler, z, c.latent, asked));
    const view = await classifierView(judge.model, images, [1, SIDE, SIDE], judge.stats);
    return {
      ...judgeClasses(view.probs, view.classes, asked),
      fid: frechetDistance(gaussianOf(view.features, view.dims), this.real.test), fid_floor: this.real.floor,
    };
  }

  cards(): Record<string, ModelCard> {
    const d = this.data;
    const dataset = { name: d.info.name, classes: d.info.classes, fingerprint: d.info.fingerprint, train_count: d.train.count };
    const common = { dataset, seed: this.config.seed, metrics: this.lastFigures };
    const gen: ModelCard = { architecture: 'dcgan-generator', config: this.gConfig, task: 'generator', input_shape: [this.config.latent], ...common };
    return {
      generator: gen,
      discriminator: { architecture: 'dcgan-discriminator', config: this.dConfig, task: 'discriminator', input_shape: [1, SIDE, SIDE], ...common },
      ...(this.modules.generator_ema ? { generator_ema: { ...gen, extra: { ema_decay: this.config.ema } } } : {}),
    };
  }

  state(): unknown { return { lastFigures: this.lastFigures, sheet: this.sheet, fixed: Array.from(this.fixed), emaSteps: this.emaSteps }; }
  loadState(s: unknown): void {
    const x = s as { lastFigures?: Record<string, number>; sheet?: number[][]; fixed?: number[]; emaSteps?: number } | null;
    this.lastFigures = x?.lastFigures ?? {};
    this.sheet = x?.sheet ?? [];
    this.emaSteps = x?.emaSteps ?? 0;
    if (x?.fixed?.length === this.fixed.length) this.fixed = Float32Array.from(x.fixed);
  }
}

export interface GanNets { G: GanModule; D: GanModule; optG: Optimizer; optD: Optimizer }

/**
 * One alternating update (what the task and the bench both run): the discriminator on real images
 * (towards realTarget) and on the generator's images (detached, towards 0), then the generator
 * through the frozen discriminator (towards 1). Returns the batch's metrics as 0-d tensors.
 */
export function ganUpdate(nets: GanNets, real: Tensor, z: Tensor, o: { realTarget: number; realClasses?: Tensor; fakeClasses?: Tensor }) {
  const { G, D, optG, optD } = nets, n = real.shape[0];
  const fake = G.forward(z, o.fakeClasses);
  optD.zeroGrad();
  const dReal = D.forward(real, o.realClasses);
  const dFake = D.forward(fake.detach(), o.fakeClasses);
  const lossD = bceWithLogits(dReal, ones([n, 1]).mul(o.realTarget)).add(bceWithLogits(dFake, zeros([n, 1])));
  lossD.backward();
  optD.step();
  // Frozen, the discriminator's weight gradients are not even computed.
  optG.zeroGrad();
  D.freeze();
  const lossG = bceWithLogits(D.forward(fake, o.fakeClasses), ones([n, 1]));
  lossG.backward();
  D.unfreeze();
  optG.step();
  return {
    loss_d: lossD, loss_g: lossG,
    d_real: noGrad(() => dReal.sigmoid().mean()), d_fake: noGrad(() => dFake.sigmoid().mean()),
  };
}

/** Classes 0, 1, …, 9, 0, 1, …: a grid of 10 columns has one digit per column. */
export const gridClasses = (n: number) => Int32Array.from({ length: n }, (_, i) => i % CLASSES);

/** Run a generator (eval mode, no graph) on latents (n × latent), in batches; images in [−1, 1], n × 784. */
export async function generate(G: GanModule, z: Float32Array, latent: number, classes?: Int32Array, batch = 500): Promise<Float32Array> {
  const n = z.length / latent, out = new Float32Array(n * PIXELS);
  const was = G.training;
  G.eval();
  try {
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      // tidy: the forward's intermediates (and the inputs) go at once; only the images come back.
      const y = tidy(() => noGrad(() => G.forward(tensor(z.subarray(s * latent, (s + m) * latent), { shape: [m, latent] }), classes ? tensor(classes.subarray(s, s + m)) : undefined)));
      out.set((await y.data()) as Float32Array, s * PIXELS);
      y.dispose();
    }
  } finally {
    G.train(was);
  }
  return out;
}

/** Rows of digits (bytes), one row per epoch: how the same latents turned into digits. */
export function contactSheet(rows: number[][], cols: number): Uint8Array {
  const all = Uint8Array.from(rows.flat());
  return encodePng(imageGrid(all, SIDE, SIDE, rows.length * cols, cols, 2));
}

/** The test set's feature Gaussian, and the floor: the distance from it of as many training digits as samples are judged (the estimate's bias depends on the count). */
async function realFloor(judge: Judge, d: ImageData, count: number): Promise<{ test: Gaussian; floor: number }> {
  const unit = (b: Uint8Array) => Float32Array.from(b, (v) => v / 255);
  const test = await classifierView(judge.model, unit(d.test.images), [1, SIDE, SIDE], judge.stats);
  const m = Math.min(d.train.count, count);
  const train = await classifierView(judge.model, unit(d.train.images.subarray(0, m * PIXELS)), [1, SIDE, SIDE], judge.stats);
  const g = gaussianOf(test.features, test.dims);
  return { test: g, floor: frechetDistance(gaussianOf(train.features, train.dims), g) };
}

/** The evaluation as history keys: every class's share, the rarest and commonest, the rest as they are. */
function historyFigures(e: GanEvaluation): Record<string, number> {
  const { class_shares: shares, ...rest } = e;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  shares.forEach((s, k) => { out[`share_${k}`] = s; });
  out.min_class_share = Math.min(...shares);
  out.max_class_share = Math.max(...shares);
  return out;
}
