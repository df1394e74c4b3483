// Image classification as a task on the shared loop: a registered classifier, cross-entropy, one
// optimiser with a per-step schedule, optional augmentation; each epoch it is evaluated on the
// test set (and a validation split) and the confusion matrix is drawn. Its card records the
// dataset, class names and normalisation, so eval and predict need nothing but the checkpoint.
// No files (the loop's store keeps the confusion matrix): the browser page trains this same task.

import { Generator, noGrad, tensor } from '../engine/index.js';
import { DataError } from '../io/errors.js';
import { buildModel, modelSpec } from '../models/index.js';
import { crossEntropy, Adam, AdamW, clipGradNorm, CosineAnnealingLR, LinearLR, SequentialLR, SGD, StepLR, type LRScheduler, type Module, type ModelCard, type ModelConfig, type Optimizer, type ParamGroupSpec } from '../nn/index.js';
import type { Tensor } from '../engine/index.js';
import type { EpochContext, StepContext, Task } from '../train/core.js';
import type { ChartSpec } from '../train/history.js';
import { matrixHeatmap } from '../viz/svg.js';
import { allImages, batchImages, type ImageData } from './image-data.js';
import { gather } from './dataset.js';
import { evaluate, type Evaluation } from './evaluate.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';
export type ScheduleName = 'cosine' | 'step' | 'none';

/** The recipe of a classification run (train-state.json keeps it; --resume reuses it). */
export interface ClassifyConfig {
  model: string;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  optimizer: OptimizerName;
  /** SGD only. */
  momentum: number;
  weightDecay: number;
  /** Per-step schedule after the warm-up: cosine to 0 over the run, or ×0.1 every `stepEpochs` epochs. */
  schedule: ScheduleName;
  stepEpochs: number;
  /** Linear warm-up from lr/10 over this many steps. */
  warmupSteps: number;
  /** Clip the global gradient norm to this (0: off). */
  clip: number;
  labelSmoothing: number;
  augment: boolean;
  /** The first N training images (undefined: all). */
  limit?: number;
  /** The first N test images (undefined: all). */
  testLimit?: number;
  /** Fraction of the training images held out (stratified) for validation. */
  valSplit: number;
}

export const DEFAULT_CONFIG: ClassifyConfig = {
  model: 'cnn', epochs: 5, batchSize: 64, lr: 1e-3, seed: 0, optimizer: 'adam', momentum: 0.9, weightDecay: 0,
  schedule: 'cosine', stepEpochs: 2, warmupSteps: 0, clip: 0, labelSmoothing: 0, augment: false, valSplit: 0,
};

export function makeOptimizer(c: Pick<ClassifyConfig, 'optimizer' | 'lr' | 'momentum' | 'weightDecay'>, params: Tensor[] | ParamGroupSpec[]): Optimizer {
  switch (c.optimizer) {
    case 'adam': return new Adam(params, { lr: c.lr, weightDecay: c.weightDecay });
    case 'adamw': return new AdamW(params, { lr: c.lr, weightDecay: c.weightDecay });
    case 'sgd': return new SGD(params, { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, nesterov: c.momentum > 0 });
  }
}

/** Stepped once per batch: optional linear warm-up from lr/10, then cosine to 0, ×0.1 steps, or constant. */
export function makeScheduler(c: Pick<ClassifyConfig, 'epochs' | 'schedule' | 'stepEpochs' | 'warmupSteps'>, opt: Optimizer, stepsPerEpoch: number): LRScheduler | null {
  const total = c.epochs * stepsPerEpoch, warm = Math.min(c.warmupSteps, total);
  const main = c.schedule === 'cosine' ? new CosineAnnealingLR(opt, Math.max(1, total - warm))
    : c.schedule === 'step' ? new StepLR(opt, c.stepEpochs * stepsPerEpoch, 0.1) : null;
  if (!warm) return main;
  const warmup = new LinearLR(opt, 0.1, 1, warm);
  return main ? new SequentialLR(opt, [warmup, main], [warm]) : warmup;
}

/** The card of a classifier trained on `data`. */
export function classifierCard(architecture: string, config: ModelConfig, data: ImageData, seed: number, metrics: Record<string, number>): ModelCard {
  return {
    architecture, config, task: 'classification', input_shape: [data.channels, data.rows, data.cols],
    dataset: { name: data.info.name, classes: data.info.classes, fingerprint: data.info.fingerprint, train_count: data.train.count },
    normalisation: { mean: [data.stats.mean], std: [data.stats.std] }, seed, metrics,
  };
}

/** Refuse, before training, a model that cannot take the data's images (non-square, or too small for its convolutions). */
export function checkModelFits(model: string, data: ImageData, where: string): void {
  const shape = `${data.rows}×${data.cols}${data.channels > 1 ? `×${data.channels}` : ''}`;
  if (data.rows !== data.cols) throw new DataError(`${where}: images are ${shape}; the classifiers take square images`);
  try {
    modelSpec(model).check?.({ channels: data.channels, size: data.rows, classes: data.numClasses });
  } catch (e) {
    throw new DataError(`--model ${model}: ${(e as Error).message.replace(new RegExp(`^${model}:? `), '')} in ${where}; pick a model that takes them (zerograd summary --model NAME shows the layers)`);
  }
}

export const CLASSIFY_CHARTS: ChartSpec[] = [
  { file: 'loss.svg', title: 'Loss per epoch', yLabel: 'cross-entropy', series: [{ key: 'train_loss', name: 'train' }, { key: 'val_loss', name: 'validation' }, { key: 'test_loss', name: 'test' }] },
  { file: 'accuracy.svg', title: 'Accuracy per epoch', yLabel: 'accuracy', series: [{ key: 'train_accuracy', name: 'train' }, { key: 'val_accuracy', name: 'validation' }, { key: 'test_accuracy', name: 'test' }] },
];

/** The confusion matrix as an SVG heatmap (confusion.svg). */
export function confusionSvg(confusion: number[][], classes?: string[]): string {
  return matrixHeatmap({ matrix: confusion, rowLabels: classes, colLabels: classes },
    { title: 'Confusion matrix (rows: true class, columns: predicted)', xLabel: 'predicted', yLabel: 'true', width: 560, height: 560 });
}

export class ClassifyTask implements Task {
  readonly name = 'classify';
  readonly size: number;
  readonly batchSize: number;
  readonly modules: { model: Module };
  readonly optimizers: { optimizer: Optimizer };
  readonly schedulers: Record<string, LRScheduler>;
  readonly generators: { augment: Generator };
  readonly charts = CLASSIFY_CHARTS;
  readonly guarded = ['loss'];
  readonly modelConfig: ModelConfig;
  /** The latest evaluation, for the card and the caller. */
  last: Evaluation | null = null;
  private lastFigures: Record<string, number> = {};
  private readonly shape: number[];

  /** `setup` (fine-tuning): more settings for the model, and a prepare(model) that loads weights
   *  into it and returns what the optimiser trains (parameter groups). */
  constructor(readonly config: ClassifyConfig & Record<string, unknown>, readonly data: ImageData,
    setup: { overrides?: Partial<ModelConfig>; prepare?(model: Module): Tensor[] | ParamGroupSpec[] } = {}) {
    const c = config;
    checkModelFits(c.model, data, data.info.name);
    const built = buildModel(c.model, { ...setup.overrides, channels: data.channels, size: data.rows, classes: data.numClasses });
    this.modelConfig = built.config;
    this.shape = built.inputShape;
    this.modules = { model: built.model as Module };
    this.optimizers = { optimizer: makeOptimizer(c, setup.prepare ? setup.prepare(built.model as Module) : built.model.parameters()) };
    this.size = data.train.count;
    this.batchSize = c.batchSize;
    const sched = makeScheduler(c, this.optimizers.optimizer, Math.ceil(this.size / c.batchSize));
    this.schedulers = sched ? { lr: sched } : {};
    this.generators = { augment: new Generator(c.seed + 7919) };
  }

  step(idx: Int32Array, _ctx?: StepContext) {
    const c = this.config, d = this.data, model = this.modules.model, opt = this.optimizers.optimizer;
    const xs = batchImages(d.train, idx, d, d.stats, c.augment ? () => this.generators.augment.random() : undefined);
    const x = tensor(xs, { shape: [idx.length, ...this.shape] });
    const y = tensor(Int32Array.from(gather(d.train.labels, idx, 1)));
    opt.zeroGrad();
    const logits = model.forward(x);
    const loss = crossEntropy(logits, y, { labelSmoothing: c.labelSmoothing });
    loss.backward();
    if (c.clip > 0) clipGradNorm(model.parameters(), c.clip);
    opt.step();
    return { loss, accuracy: noGrad(() => logits.argmax(1).eq(y).float().mean()) };
  }

  async evaluate(ctx: Pick<EpochContext, 'write' | 'progress'>): Promise<Record<string, number>> {
    const d = this.data, model = this.modules.model;
    const report = (what: string) => ({ onProgress: (done: number, total: number) => ctx.progress?.(done, total, what) });
    const test = await evaluate(model, allImages(d.test, d.stats), d.test.labels, this.shape, d.numClasses, report('test images'));
    const val = d.val.count ? await evaluate(model, allImages(d.val, d.stats), d.val.labels, this.shape, d.numClasses, report('validation images')) : null;
    this.last = test;
    ctx.write('confusion.svg', confusionSvg(test.confusion, d.info.classes));
    this.lastFigures = { test_loss: test.loss, test_accuracy: test.accuracy, ...(val ? { val_loss: val.loss, val_accuracy: val.accuracy } : {}) };
    return this.lastFigures;
  }

  cards(): Record<string, ModelCard> {
    return { model: classifierCard(this.config.model, this.modelConfig, this.data, this.config.seed, this.lastFigures) };
  }

  state(): unknown { return { lastFigures: this.lastFigures }; }
  loadState(s: unknown): void { this.lastFigures = (s as { lastFigures?: Record<string, number> } | null)?.lastFigures ?? {}; }
}
