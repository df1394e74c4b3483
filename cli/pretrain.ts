// `zerograd pretrain`: SimCLR pretraining of the mobilenetv2 backbone on unlabelled training images, through the shared loop.

import { join } from 'node:path';
import { loadImageData } from '../mnist/data.js';
import { PRETRAIN_DEFAULTS as D, PretrainTask, type PretrainConfig } from '../mnist/pretrain.js';
import { fit, prepareRunFolder } from '../train/index.js';
import type { Args, Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, plural, printJson, say } from './output.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';

const FIELDS: [string, keyof PretrainConfig][] = [['batch', 'batchSize'], ['lr', 'lr'], ['seed', 'seed'], ['width', 'width'], ['temperature', 'temperature'], ['limit', 'limit'], ['test-limit', 'testLimit'], ['probe-train', 'probeTrain']];

export const command: Command = {
  name: 'pretrain',
  summary: 'self-supervised (SimCLR) pretraining of the mobilenetv2 backbone, labels never read',
  usage: '[--epochs 1] [--batch 128] [--width 0.35] [--limit N] [--out runs/pretrain]',
  description: [
    'Pretrains the mobilenetv2 backbone without labels: each batch becomes two random warps of every image (shift, rotation,',
    'scale), a projection head maps both views\' features to unit vectors, and the NT-Xent loss at --temperature asks each',
    'view to find its partner among the 2B-1 others. After every epoch a k-NN probe (k 20, cosine) classifies the test',
    'images against the first --probe-train labelled training images, so the features can be seen to improve.',
    '--out gets backbone.safetensors (what `zerograd finetune --checkpoint` takes), projector.safetensors, a checkpoint',
    'set (--resume continues exactly), history.json, loss.svg and knn.svg. Ctrl-C saves and exits 130.',
  ].join('\n'),
  flags: [
    { name: 'epochs', value: 'N', default: D.epochs, help: 'passes over the training images (with --resume: the new total)' },
    { name: 'batch', value: 'N', default: D.batchSize, help: 'images per step (each gives two views)' },
    { name: 'lr', value: 'X', default: D.lr, help: 'Adam learning rate' },
    { name: 'width', value: 'X', default: D.width, help: 'mobilenetv2 width multiplier' },
    { name: 'temperature', value: 'X', default: D.temperature, help: 'NT-Xent temperature' },
    { name: 'seed', value: 'N', default: D.seed, help: 'seed for the weights, order and augmentation' },
    { name: 'limit', value: 'N', help: 'pretrain on the first N training images only' },
    { name: 'test-limit', value: 'N', help: 'probe with the first N test images only (default: all)' },
    { name: 'probe-train', value: 'N', default: D.probeTrain, help: 'labelled training images the k-NN probe compares with' },
    { name: 'out', value: 'DIR', help: 'run folder (default: runs/pretrain)' },
    ...RUN_FLAGS,
    { name: 'data-dir', value: 'DIR', help: 'folder with IDX files (default: the bundled MNIST)' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd pretrain --epochs 1 --limit 12000 --test-limit 1000 --out runs/pretrain', 'zerograd pretrain --out runs/pretrain --epochs 2 --resume'],
  run,
};

async function run(args: Args): Promise<number> {
  const int = (n: string, min: number) => args.number(n, { integer: true, min });
  const requested: PretrainConfig = {
    epochs: int('epochs', 1)!, batchSize: int('batch', 2)!, lr: args.number('lr', { min: 0 })!, seed: int('seed', 0)!,
    width: args.number('width', { min: 0.25, max: 2 })!, temperature: args.number('temperature', { exclusiveMin: 0 })!, projection: D.projection,
    limit: int('limit', 2), testLimit: int('test-limit', 1), probeTrain: int('probe-train', 1)!,
  };
  const out = args.string('out') ?? join('runs', 'pretrain');
  const resume = args.flag('resume');
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite'), checkOnly: true });
  const c = resume ? resumedRecipe(args, out, 'pretrain', requested, ['epochs', 'epochs'], FIELDS) : requested;
  const backend = await pickBackend(args);
  const data = loadImageData({ dataDir: args.string('data-dir'), limit: c.limit, testLimit: c.testLimit, seed: c.seed });
  say(`pretraining mobilenetv2 (width ${c.width}) on ${plural(data.train.count, `unlabelled ${data.info.name} image`)}: ${plural(Math.ceil(data.train.count / c.batchSize), 'step')} per epoch`);
  let last: PretrainTask | null = null;
  const result = await runWithInterrupts(args, (hooks) => fit(() => (last = new PretrainTask({ ...c }, data)), {
    out, epochs: c.epochs, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
      ...hooks,
      onEpoch: (r) => { hooks.onEpoch?.(r); say(`epoch ${r.epoch}: NT-Xent ${r.train_loss?.toFixed(4)}  k-NN test accuracy ${percent(r.knn_accuracy)}  ${r.seconds.toFixed(1)} s`); },
    },
  }));
  if (result === 'interrupted') return 130;
  const lastEpoch = result.history[result.history.length - 1];
  const task = last as PretrainTask | null;
  const figures = {
    knn_accuracy: lastEpoch?.knn_accuracy, train_loss: lastEpoch?.train_loss, epochs: result.history.length, seconds: result.seconds,
    samples_per_second: result.samplesPerSecond, trainable_params: task ? task.modules.backbone.parameters().reduce((n, p) => n + p.size, 0) : undefined,
    backend, checkpoint: join(out, 'backbone.safetensors'),
  };
  say(`k-NN test accuracy ${percent(figures.knn_accuracy ?? NaN)} after ${plural(figures.epochs, 'epoch')}, ${figures.seconds.toFixed(1)} s; backbone ${figures.checkpoint}`);
  if (args.flag('json')) printJson(figures);
  return 0;
}
