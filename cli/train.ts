// `zerograd train`: an image classifier on MNIST (or any IDX set in --data-dir), through the shared loop.

import { join } from 'node:path';
import { modelNames } from '../models/index.js';
import { checkModelFits, ClassifyTask, DEFAULT_CONFIG, type ClassifyConfig, type OptimizerName, type ScheduleName } from '../mnist/classify.js';
import { isCifarDir } from '../mnist/cifar.js';
import { loadImageData } from '../mnist/data.js';
import { fit, prepareRunFolder, withDiagnostics, type EpochDiagnostics } from '../train/index.js';
import type { Args, Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, plural, printJson, say } from './output.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';
import { formatMetric, metricLine } from './progress.js';

const D = DEFAULT_CONFIG;

/** Each flag and the recipe field it sets (what a resume compares). */
const FIELDS: [flag: string, field: keyof ClassifyConfig][] = [
  ['model', 'model'], ['batch', 'batchSize'], ['lr', 'lr'], ['optimizer', 'optimizer'], ['momentum', 'momentum'],
  ['weight-decay', 'weightDecay'], ['schedule', 'schedule'], ['step-epochs', 'stepEpochs'], ['warmup', 'warmupSteps'],
  ['clip', 'clip'], ['label-smoothing', 'labelSmoothing'], ['augment', 'augment'], ['seed', 'seed'], ['limit', 'limit'],
  ['test-limit', 'testLimit'], ['val-split', 'valSplit'],
];

export const command: Command = {
  name: 'train',
  summary: 'train a model on MNIST (or Fashion-MNIST, CIFAR-10, any IDX set)',
  usage: '[--model cnn] [--epochs 5] [--batch 64] [--lr 1e-3] [--out runs/cnn] [...]',
  description: [
    'Trains an image classifier on the MNIST training images (or the first --limit of them, or any IDX set in',
    '--data-dir) and evaluates it on the test set after every epoch. Each epoch saves a checkpoint set into --out',
    '(checkpoint.json names its files with their hashes; --resume continues with exactly the same numbers), the',
    'latest weights as model.safetensors (with a model card: eval and predict need nothing else), history.json,',
    'loss.svg, accuracy.svg and confusion.svg. Ctrl-C saves a checkpoint and exits with status 130.',
    'With --diagnostics, every --diagnostics-every steps it also measures each layer\'s activations (mean, std, dead ReLUs),',
    'gradient norm and update-to-weight ratio, and after each epoch writes diagnostics.json, diagnostics-*.svg and',
    'diagnostics.html and prints one line naming the layer that looks unhealthy and why (the analysis report shows them too).',
  ].join('\n'),
  flags: [
    { name: 'model', value: modelNames('classification').join('|'), default: D.model, help: 'architecture (see zerograd summary)' },
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
    ...RUN_FLAGS,
    { name: 'data-dir', value: 'DIR', help: 'folder with the IDX files, or CIFAR-10\'s binary batches (default: the bundled MNIST); a classes.txt there names the classes' },
    { name: 'diagnostics', help: 'gradient-flow diagnostics per layer and epoch (diagnostics.html in --out)' },
    { name: 'diagnostics-every', value: 'N', default: 10, help: 'sample the diagnostics every N steps' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd train --model cnn --epochs 5 --out runs/cnn',
    'zerograd train --model mlp --epochs 1 --limit 2000 --test-limit 1000 --json',
    'zerograd train --out runs/cnn --epochs 8 --resume',
    'zerograd train --model cnn --epochs 1 --diagnostics --out runs/diag',
    'zerograd train --data-dir /usr/share/datasets/fashion-mnist --out runs/fashion',
    'zerograd train --data-dir ~/cifar-10-batches-bin --out runs/cifar   (cifar-cnn on 32×32 colour images)',
  ],
  run,
};

function config(args: Args): ClassifyConfig {
  const int = (name: string, min: number) => args.number(name, { integer: true, min });
  return {
    // A CIFAR-10 folder trains the seed's colour CNN unless another model is asked for.
    model: !args.has('model') && isCifarDir(args.string('data-dir')) ? 'cifar-cnn' : args.choice('model', modelNames('classification')),
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
  };
}

async function run(args: Args): Promise<number> {
  const requested = config(args);
  const out = args.string('out') ?? join('runs', requested.model);
  const resume = args.flag('resume');
  // Before the data and the backend: a folder that cannot be written is named at once, not after an epoch.
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite'), checkOnly: true });
  const c = resume ? resumedRecipe(args, out, 'classify', requested, ['epochs', 'epochs'], FIELDS) : requested;
  const backend = await pickBackend(args);
  const dataDir = args.string('data-dir');
  const data = loadImageData({ dataDir, limit: c.limit, testLimit: c.testLimit, valSplit: c.valSplit, seed: c.seed });
  checkModelFits(c.model, data, dataDir ?? 'the bundled MNIST');
  say(`${resume ? 'resuming' : 'training'} ${c.model} on ${plural(data.train.count, `${data.info.name} image`)}${data.val.count ? ` (+${data.val.count} validation)` : ''}, `
    + `testing on ${data.test.count}: ${plural(Math.ceil(data.train.count / c.batchSize), 'step')} per epoch`);

  let last: ClassifyTask | null = null;
  const diagnostics = args.flag('diagnostics');
  const every = args.number('diagnostics-every', { integer: true, min: 1 })!;
  let diag: EpochDiagnostics | null = null;
  const makeTask = () => {
    last = new ClassifyTask({ ...c }, data);
    return diagnostics ? withDiagnostics(last, { every, onEpoch: (d) => { diag = d; say(`diagnostics, epoch ${d.epoch}: ${d.verdict}`); } }) : last;
  };
  const result = await runWithInterrupts(args, (hooks) => fit(makeTask, {
    out, epochs: c.epochs, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
      ...hooks,
      onStart: (i) => { if (i.resumed) say(`continuing from epoch ${i.startEpoch + 1}${i.startStep ? `, step ${i.startStep + 1}` : ''}`); },
      onEpoch: (r) => {
        hooks.onEpoch?.(r);
        const pick = (prefix: string) => Object.fromEntries(['loss', 'accuracy'].filter((k) => r[`${prefix}_${k}`] !== undefined).map((k) => [k, r[`${prefix}_${k}`]]));
        say(`epoch ${r.epoch}: train ${metricLine(pick('train'))}${r.val_accuracy !== undefined ? `  val ${metricLine(pick('val'))}` : ''}`
          + `  test ${metricLine(pick('test'))}  ${r.seconds.toFixed(1)} s  ${Math.round(r.samples_per_second)} samples/s`);
      },
    },
  }));
  if (result === 'interrupted') return 130;
  const lastEpoch = result.history[result.history.length - 1];
  const test = (last as ClassifyTask | null)?.last;
  const checkpoint = join(out, 'model.safetensors');
  const figures = {
    test_accuracy: test?.accuracy ?? lastEpoch?.test_accuracy, test_loss: test?.loss ?? lastEpoch?.test_loss, epochs: result.history.length,
    seconds: result.seconds, samples_per_second: result.samplesPerSecond, backend, checkpoint, dataset: data.info.name,
    ...(diag ? { diagnostics: { report: join(out, 'diagnostics.html'), verdict: (diag as EpochDiagnostics).verdict, findings: (diag as EpochDiagnostics).findings.map((f) => ({ layer: f.layer, problem: f.problem, message: f.message })) } } : {}),
  };
  if (lastEpoch) {
    say(`test accuracy ${percent(figures.test_accuracy!)} (loss ${formatMetric('loss', figures.test_loss!)}) after ${plural(figures.epochs, 'epoch')}, `
      + `${figures.seconds.toFixed(1)} s, ${Math.round(figures.samples_per_second)} samples/s; checkpoint ${checkpoint}`);
  } else {
    say(`nothing left to train: the run in ${out} has ${plural(figures.epochs, 'epoch')} already (raise --epochs to continue)`);
  }
  if (args.flag('json')) printJson(figures);
  return 0;
}
