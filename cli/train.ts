// `zerograd train`: flags to a TrainConfig, a live progress bar, Ctrl-C saves a checkpoint (exit
// 130), a diverging loss stops with advice, and --json ends with the run's figures.

import { join } from 'node:path';
import { DEFAULT_CONFIG, NonFiniteLossError, train, type OptimizerName, type ScheduleName, type TrainConfig } from '../mnist/train.js';
import { MODEL_NAMES } from '../mnist/models.js';
import type { Args, Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, percent, printJson, say } from './output.js';
import { ProgressBar } from './progress.js';

const D = DEFAULT_CONFIG;

export const command: Command = {
  name: 'train',
  summary: 'train a model on MNIST',
  usage: '[--model cnn] [--epochs 5] [--batch 64] [--lr 1e-3] [--out runs/cnn] [...]',
  description: [
    'Trains a model on the MNIST training images (or the first --limit of them) and evaluates it on the',
    'test set after every epoch. Each epoch writes into --out: model.safetensors, optimizer.safetensors and',
    'train-state.json (a checkpoint that --resume continues with exactly the same numbers), history.json,',
    'loss.svg, accuracy.svg and confusion.svg. Ctrl-C saves a checkpoint and exits with status 130.',
  ].join('\n'),
  flags: [
    { name: 'model', value: MODEL_NAMES.join('|'), default: D.model, help: 'architecture (see zerograd summary)' },
    { name: 'epochs', value: 'N', default: D.epochs, help: 'passes over the training images (with --resume: the new total)' },
    { name: 'batch', value: 'N', default: D.batchSize, help: 'images per optimiser step' },
    { name: 'lr', value: 'X', default: D.lr, help: 'peak learning rate' },
    { name: 'optimizer', value: 'adam|adamw|sgd', default: D.optimizer, help: 'update rule (sgd uses Nesterov momentum --momentum)' },
    { name: 'momentum', value: 'X', default: D.momentum, help: 'SGD momentum' },
    { name: 'weight-decay', value: 'X', default: D.weightDecay, help: 'L2 penalty (decoupled for adamw)' },
    { name: 'schedule', value: 'cosine|step|none', default: D.schedule, help: 'learning-rate decay per step: cosine to 0, or x0.1 every --step-epochs' },
    { name: 'step-epochs', value: 'N', default: D.stepEpochs, help: 'epochs between x0.1 decays with --schedule step' },
    { name: 'warmup', value: 'N', default: D.warmupSteps, help: 'steps of linear warm-up from lr/10' },
    { name: 'clip', value: 'X', default: D.clip, help: 'clip the global gradient norm to X (0: off)' },
    { name: 'label-smoothing', value: 'X', default: D.labelSmoothing, help: 'cross-entropy label smoothing in [0, 1)' },
    { name: 'augment', help: 'random shifts, rotations and scaling of the training images' },
    { name: 'seed', value: 'N', default: D.seed, help: 'seed for the weights, batch order, dropout and augmentation' },
    { name: 'limit', value: 'N', help: 'train on the first N training images only (quick runs)' },
    { name: 'test-limit', value: 'N', help: 'evaluate on the first N test images only (default: all 10,000)' },
    { name: 'val-split', value: 'X', default: D.valSplit, help: 'hold out this fraction of the training images (stratified) for validation' },
    { name: 'out', value: 'DIR', help: 'where checkpoints and the report go (default: runs/<model>)' },
    { name: 'resume', help: 'continue the run saved in --out' },
    { name: 'data-dir', value: 'DIR', help: 'folder with the IDX files (default: the bundled MNIST)' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd train --model cnn --epochs 5 --out runs/cnn',
    'zerograd train --model mlp --epochs 1 --limit 2000 --test-limit 1000 --json',
    'zerograd train --out runs/cnn --epochs 8 --resume',
  ],
  run,
};

function config(args: Args): TrainConfig {
  const int = (name: string, min: number) => args.number(name, { integer: true, min });
  return {
    model: args.choice('model', MODEL_NAMES),
    epochs: int('epochs', 1)!,
    batchSize: int('batch', 1)!,
    lr: args.number('lr', { min: 0 })!,
    seed: int('seed', 0)!,
    optimizer: args.choice<OptimizerName>('optimizer', ['adam', 'adamw', 'sgd']),
    momentum: args.number('momentum', { min: 0, max: 1 })!,
    weightDecay: args.number('weight-decay', { min: 0 })!,
    schedule: args.choice<ScheduleName>('schedule', ['cosine', 'step', 'none']),
    stepEpochs: int('step-epochs', 1)!,
    warmupSteps: int('warmup', 0)!,
    clip: args.number('clip', { min: 0 })!,
    labelSmoothing: args.number('label-smoothing', { min: 0, max: 0.99 })!,
    augment: args.flag('augment'),
    limit: int('limit', 1),
    testLimit: int('test-limit', 1),
    valSplit: args.number('val-split', { min: 0, max: 0.9 })!,
    dataDir: args.string('data-dir'),
  };
}

async function run(args: Args): Promise<number> {
  const c = config(args);
  const out = args.string('out') ?? join('runs', c.model);
  const resume = args.flag('resume');
  const backend = await pickBackend(args);
  const bar = new ProgressBar();

  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    bar.done();
    note('interrupted: saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train(c, out, {
      onStart: (i) => say(`${resume ? 'resuming' : 'training'} ${i.config.model} on ${i.trainCount} images${i.valCount ? ` (+${i.valCount} validation)` : ''}, `
        + `testing on ${i.testCount}: ${i.stepsPerEpoch} steps per epoch${resume ? `, from epoch ${i.startEpoch + 1}` : ''}`),
      onProgress: (p) => bar.update(p),
      onEpoch: (r) => {
        bar.done();
        say(`epoch ${r.epoch}: train loss ${r.train_loss.toFixed(4)} acc ${percent(r.train_accuracy)}`
          + (r.val_accuracy !== undefined ? `  val loss ${r.val_loss!.toFixed(4)} acc ${percent(r.val_accuracy)}` : '')
          + `  test loss ${r.test_loss.toFixed(4)} acc ${percent(r.test_accuracy)}  ${r.seconds.toFixed(1)} s  ${Math.round(r.samples_per_second)} samples/s`);
      },
      shouldStop: () => interrupts > 0,
    }, resume);
    bar.done();
    if (result.stopped) {
      say(`checkpoint saved: ${result.checkpoint} (continue with --resume --out ${out})`);
      return 130;
    }
    const last = result.history[result.history.length - 1];
    const figures = {
      test_accuracy: result.test!.accuracy, test_loss: result.test!.loss, epochs: result.history.length,
      seconds: result.seconds, samples_per_second: result.samplesPerSecond, backend, checkpoint: result.checkpoint,
    };
    say(`test accuracy ${percent(figures.test_accuracy)} (loss ${figures.test_loss.toFixed(4)}) after ${figures.epochs} epochs, `
      + `${figures.seconds.toFixed(1)} s, ${Math.round(figures.samples_per_second)} samples/s; checkpoint ${result.checkpoint}${last ? '' : ' (nothing left to train)'}`);
    if (args.flag('json')) printJson(figures);
    return 0;
  } catch (e) {
    bar.done();
    if (e instanceof NonFiniteLossError) {
      throw new Error(`loss became ${Number.isNaN(e.value) ? 'NaN' : 'infinite'} at epoch ${e.epoch} step ${e.step}; try a lower --lr (now ${e.lr}) or gradient clipping (--clip 1)`);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
