// The MNIST training loop: seeded model and data order, one tidy() per step (a flat tensor count),
// the fused optimiser, metrics accumulated on the device and read every few steps, an evaluation
// and a checkpoint each epoch, and an exact resume from any checkpoint (epoch end or interrupt).

import { join } from 'node:path';
import { crossEntropy, defaultGenerator, Generator, manualSeed, noGrad, scalar, tensor, tidy, type Tensor } from '../engine/index.js';
import {
  Adam, AdamW, clipGradNorm, CosineAnnealingLR, LinearLR, SequentialLR, SGD, StepLR,
  type LRScheduler, type Module, type Optimizer,
} from '../nn/index.js';
import {
  disposeOptimizerState, MODEL_FILE, OPTIMIZER_FILE, readOptimizer, readTrainState, loadModel, saveModel, saveOptimizer, saveTrainState,
} from './checkpoint.js';
import { batches, gather } from './dataset.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { buildModel, type ModelName } from './models.js';
import { allImages, batchImages, loadTrainData, type TrainData } from './train-data.js';
import { writeTrainReport, type EpochRecord } from './train-report.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';
export type ScheduleName = 'cosine' | 'step' | 'none';

export interface TrainConfig {
  model: ModelName;
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
  /** The first N test images (undefined: all 10,000). */
  testLimit?: number;
  /** Fraction of the training images held out (stratified) for validation. */
  valSplit: number;
  dataDir?: string;
}

export const DEFAULT_CONFIG: TrainConfig = {
  model: 'cnn', epochs: 5, batchSize: 64, lr: 1e-3, seed: 0, optimizer: 'adam', momentum: 0.9, weightDecay: 0,
  schedule: 'cosine', stepEpochs: 2, warmupSteps: 0, clip: 0, labelSmoothing: 0, augment: false, valSplit: 0,
};

export interface Progress {
  epoch: number; epochs: number; step: number; steps: number;
  /** Running means over the epoch so far. */
  loss: number; accuracy: number;
  samplesPerSecond: number; etaSeconds: number; lr: number;
}

export interface TrainHooks {
  onStart?(info: { trainCount: number; valCount: number; testCount: number; stepsPerEpoch: number; startEpoch: number; config: TrainConfig }): void;
  /** Called every `progressEvery` steps and at each epoch's last step. */
  onProgress?(p: Progress): void;
  onEpoch?(record: EpochRecord, test: Evaluation): void;
  /** Polled before every step (and the event loop is let through between steps, so a signal handler can set it). */
  shouldStop?(): boolean;
  progressEvery?: number;
}

export interface TrainResult {
  history: EpochRecord[];
  test: Evaluation | null;
  /** Stopped by shouldStop() before the last epoch ended (a checkpoint was saved). */
  stopped: boolean;
  checkpoint: string;
  seconds: number;
  samplesPerSecond: number;
}

/** The loss stopped being a finite number; the message names where, the fields let a caller advise. */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(readonly epoch: number, readonly step: number, readonly lr: number, readonly value: number) {
    super(`loss became ${Number.isNaN(value) ? 'NaN' : 'infinite'} at epoch ${epoch} step ${step} (lr ${lr})`);
  }
}

/** What train-state.json holds. */
interface TrainState {
  version: 1;
  config: TrainConfig;
  /** Epochs finished, and steps done in the next one (non-zero only after an interrupt). */
  epoch: number;
  step: number;
  scheduler: { lastEpoch: number } | null;
  rng: { default: number[]; augment: number[] };
  /** The interrupted epoch's running sums. */
  partial: { lossSum: number; correct: number; seen: number; seconds: number };
  history: EpochRecord[];
  seconds: number;
  trainSeconds: number;
  samplesSeen: number;
}

function makeOptimizer(c: TrainConfig, params: Tensor[]): Optimizer {
  switch (c.optimizer) {
    case 'adam': return new Adam(params, { lr: c.lr, weightDecay: c.weightDecay });
    case 'adamw': return new AdamW(params, { lr: c.lr, weightDecay: c.weightDecay });
    case 'sgd': return new SGD(params, { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, nesterov: c.momentum > 0 });
  }
}

/** Stepped once per batch. */
function makeScheduler(c: TrainConfig, opt: Optimizer, stepsPerEpoch: number): LRScheduler | null {
  const total = c.epochs * stepsPerEpoch, warm = Math.min(c.warmupSteps, total);
  const main = c.schedule === 'cosine' ? new CosineAnnealingLR(opt, Math.max(1, total - warm))
    : c.schedule === 'step' ? new StepLR(opt, c.stepEpochs * stepsPerEpoch, 0.1) : null;
  if (!warm) return main;
  const warmup = new LinearLR(opt, 0.1, 1, warm);
  return main ? new SequentialLR(opt, [warmup, main], [warm]) : warmup;
}

/** A different, reproducible batch order every epoch. */
const epochSeed = (seed: number, epoch: number) => (Math.imul(seed + 1, 0x9e3779b1) + epoch) >>> 0;

/** Train `config` (or continue the run saved in `out` when resume is set), writing checkpoints and a report into `out`. */
export async function train(config: TrainConfig, out: string, hooks: TrainHooks = {}, resume = false): Promise<TrainResult> {
  const saved = resume ? readTrainState<TrainState>(out) : null;
  // A resumed run keeps its recipe; only the number of epochs (and where the data is) may change.
  const c: TrainConfig = saved ? { ...saved.config, epochs: config.epochs, dataDir: config.dataDir } : config;
  const data: TrainData = loadTrainData({ dataDir: c.dataDir, limit: c.limit, testLimit: c.testLimit, valSplit: c.valSplit, seed: c.seed });
  const { rows, cols } = data, shape = [1, rows, cols];
  const stepsPerEpoch = Math.ceil(data.train.count / c.batchSize);

  manualSeed(c.seed);
  const augmentGen = new Generator(c.seed + 7919);
  let model: Module, history: EpochRecord[] = [];
  if (saved) {
    model = loadModel(join(out, MODEL_FILE)).model;
    defaultGenerator.setState(saved.rng.default);
    augmentGen.setState(saved.rng.augment);
    history = saved.history;
  } else {
    model = buildModel(c.model);
  }
  const params = model.parameters();
  const optimizer = makeOptimizer(c, params);
  if (saved) {
    const st = readOptimizer(join(out, OPTIMIZER_FILE));
    optimizer.loadStateDict(st);
    disposeOptimizerState(st);
  }
  const scheduler = makeScheduler(c, optimizer, stepsPerEpoch);
  if (saved?.scheduler && scheduler) scheduler.loadStateDict(saved.scheduler);

  const testImages = allImages(data.test), valImages = allImages(data.val);
  const startEpoch = saved?.epoch ?? 0;
  let startStep = saved?.step ?? 0;
  let seconds = saved?.seconds ?? 0, trainSeconds = saved?.trainSeconds ?? 0, samplesSeen = saved?.samplesSeen ?? 0;
  hooks.onStart?.({ trainCount: data.train.count, valCount: data.val.count, testCount: data.test.count, stepsPerEpoch, startEpoch, config: c });

  const checkpoint = join(out, MODEL_FILE);
  const save = async (epoch: number, step: number, partial: TrainState['partial']) => {
    await saveModel(checkpoint, model, c.model, { epoch: String(epoch) });
    await saveOptimizer(join(out, OPTIMIZER_FILE), optimizer);
    const state: TrainState = {
      version: 1, config: c, epoch, step, scheduler: scheduler?.stateDict() ?? null,
      rng: { default: defaultGenerator.getState(), augment: augmentGen.getState() },
      partial, history, seconds, trainSeconds, samplesSeen,
    };
    saveTrainState(out, state);
  };

  let test: Evaluation | null = null;
  const every = hooks.progressEvery ?? 20;
  model.train();
  try {
    for (let epoch = startEpoch; epoch < c.epochs; epoch++) {
      const order = [...batches(data.train.count, c.batchSize, { seed: epochSeed(c.seed, epoch) })];
      const p0 = startStep ? saved!.partial : { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
      let acc = { loss: scalar(p0.lossSum), correct: scalar(p0.correct) };
      let seen = p0.seen, lossSum = p0.lossSum, correct = p0.correct;
      const epochStart = performance.now() - p0.seconds * 1000;
      let epochTrainMs = p0.seconds * 1000;

      for (let step = startStep; step < order.length; step++) {
        if (hooks.shouldStop?.()) {
          seconds += (performance.now() - epochStart) / 1000 - p0.seconds;
          [lossSum, correct] = [(await acc.loss.data())[0], (await acc.correct.data())[0]];
          await save(epoch, step, { lossSum, correct, seen, seconds: epochTrainMs / 1000 });
          acc.loss.dispose(); acc.correct.dispose();
          return { history, test, stopped: true, checkpoint, seconds, samplesPerSecond: trainSeconds ? samplesSeen / trainSeconds : 0 };
        }
        const t0 = performance.now();
        const idx = order[step], n = idx.length;
        const xs = batchImages(data.train, idx, rows, cols, c.augment ? () => augmentGen.random() : undefined);
        const ys = Int32Array.from(gather(data.train.labels, idx, 1));
        const next = tidy(() => {
          const x = tensor(xs, { shape: [n, ...shape] }), y = tensor(ys);
          optimizer.zeroGrad();
          const logits = model.forward(x);
          const loss = crossEntropy(logits, y, { labelSmoothing: c.labelSmoothing });
          loss.backward();
          if (c.clip > 0) clipGradNorm(params, c.clip);
          optimizer.step();
          return noGrad(() => ({ loss: acc.loss.add(loss.mul(n)), correct: acc.correct.add(logits.argmax(1).eq(y).float().sum()) }));
        });
        acc.loss.dispose(); acc.correct.dispose();
        acc = next;
        const lr = optimizer.lr;
        scheduler?.step();
        seen += n;
        samplesSeen += n;
        const dt = performance.now() - t0;
        epochTrainMs += dt;
        trainSeconds += dt / 1000;
        if ((step + 1) % every === 0 || step === order.length - 1) {
          [lossSum, correct] = [(await acc.loss.data())[0], (await acc.correct.data())[0]];
          if (!Number.isFinite(lossSum)) throw new NonFiniteLossError(epoch + 1, step + 1, lr, lossSum);
          const rate = seen / (epochTrainMs / 1000);
          const stepsLeft = order.length - step - 1 + (c.epochs - epoch - 1) * order.length;
          hooks.onProgress?.({
            epoch: epoch + 1, epochs: c.epochs, step: step + 1, steps: order.length, loss: lossSum / seen, accuracy: correct / seen,
            samplesPerSecond: rate, etaSeconds: (stepsLeft * c.batchSize) / rate, lr,
          });
        }
        // Let signals (Ctrl-C) and timers in between steps.
        await new Promise((r) => setImmediate(r));
      }
      acc.loss.dispose(); acc.correct.dispose();
      startStep = 0;

      test = await evaluate(model, testImages, data.test.labels, shape, data.numClasses);
      const val = data.val.count ? await evaluate(model, valImages, data.val.labels, shape, data.numClasses) : null;
      const epochSeconds = (performance.now() - epochStart) / 1000;
      seconds += epochSeconds - p0.seconds;
      const record: EpochRecord = {
        epoch: epoch + 1, train_loss: lossSum / seen, train_accuracy: correct / seen,
        test_loss: test.loss, test_accuracy: test.accuracy,
        ...(val ? { val_loss: val.loss, val_accuracy: val.accuracy } : {}),
        lr: optimizer.lr, seconds: epochSeconds, samples_per_second: seen / (epochTrainMs / 1000),
      };
      history.push(record);
      await save(epoch + 1, 0, { lossSum: 0, correct: 0, seen: 0, seconds: 0 });
      writeTrainReport(out, history, test.confusion);
      hooks.onEpoch?.(record, test);
    }
    if (!test) test = await evaluate(model, testImages, data.test.labels, shape, data.numClasses);
    return { history, test, stopped: false, checkpoint, seconds, samplesPerSecond: trainSeconds ? samplesSeen / trainSeconds : 0 };
  } finally {
    optimizer.dispose();
    model.zeroGrad();
    model.dispose();
  }
}
