// `zerograd finetune`: a fresh head on a pretrained mobilenetv2 backbone, trained on N labels per class, through the shared loop.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImageData } from '../mnist/data.js';
import { DEFAULT_CONFIG } from '../mnist/classify.js';
import { backboneState, FinetuneTask, type FinetuneConfig, type FreezePolicy } from '../mnist/finetune.js';
import { loadSafetensors, readCard, type StateDict } from '../nn/index.js';
import { fit, prepareRunFolder } from '../train/index.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, plural, printJson, say } from './output.js';
import { metricLine } from './progress.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';

const FIELDS: [string, keyof FinetuneConfig][] = [['labels-per-class', 'labelsPerClass'], ['freeze', 'freeze'], ['frozen-epochs', 'frozenEpochs'], ['unfreeze', 'unfreeze'],
  ['backbone-lr', 'backboneLr'], ['lr', 'lr'], ['batch', 'batchSize'], ['seed', 'seed'], ['checkpoint', 'backbone'], ['test-limit', 'testLimit'], ['eval-every', 'evalEvery']];

export const command: Command = {
  name: 'finetune',
  summary: 'fine-tune a pretrained mobilenetv2 backbone with N labels per class',
  usage: '--checkpoint F|scratch --labels-per-class N [--freeze all|top|none] [--epochs 30] [--out runs/finetune]',
  description: [
    'Puts a fresh dense head on the mobilenetv2 backbone in --checkpoint (zerograd pretrain\'s backbone.safetensors, or any',
    'mobilenetv2 classifier\'s model.safetensors, e.g. trained with labels on Fashion-MNIST) and trains it on --labels-per-class',
    'images of each class (a seeded draw), evaluating on the test set every epoch. --freeze all keeps the whole backbone frozen',
    '(its BatchNorm in eval mode, so its statistics stay as loaded); top (the default) does that for --frozen-epochs, then',
    'trains the top --unfreeze blocks at lr × --backbone-lr; none trains everything. --checkpoint scratch starts the same',
    'backbone from random weights (the baseline). Saves model.safetensors (eval and predict take it) and a checkpoint set.',
  ].join('\n'),
  flags: [
    { name: 'checkpoint', value: 'F|scratch', help: 'the backbone: a safetensors file, or scratch (default: the shipped SimCLR backbone, models/pretrained/)' },
    { name: 'labels-per-class', value: 'N', help: 'labelled training images per class (0: all) (required)' },
    { name: 'freeze', value: 'all|top|none', default: 'top', help: 'what stays frozen (see above)' },
    { name: 'frozen-epochs', value: 'N', default: 10, help: 'epochs with the whole backbone frozen before --freeze top unfreezes' },
    { name: 'unfreeze', value: 'N', default: 4, help: 'blocks from the top (head conv, block17, ...) that --freeze top trains' },
    { name: 'backbone-lr', value: 'X', default: 0.1, help: 'learning rate of the unfrozen blocks, as a fraction of --lr' },
    { name: 'epochs', value: 'N', default: 30, help: 'passes over the labelled images' },
    { name: 'batch', value: 'N', default: 50, help: 'images per step' },
    { name: 'lr', value: 'X', default: 1e-3, help: 'the head\'s Adam learning rate (cosine to 0)' },
    { name: 'seed', value: 'N', default: 0, help: 'seed for the label draw, the head, the order and augmentation' },
    { name: 'augment', help: 'random shifts, rotations and scaling of the labelled images' },
    { name: 'test-limit', value: 'N', help: 'evaluate on the first N test images only (default: all)' },
    { name: 'eval-every', value: 'N', default: 1, help: 'evaluate every N epochs (and after the last one)' },
    { name: 'out', value: 'DIR', help: 'run folder (default: runs/finetune)' },
    ...RUN_FLAGS,
    { name: 'data-dir', value: 'DIR', help: 'folder with IDX files (default: the bundled MNIST)' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd finetune --checkpoint runs/pretrain/backbone.safetensors --labels-per-class 10 --out runs/ft10',
    'zerograd finetune --checkpoint scratch --labels-per-class 10 --freeze none --out runs/scratch10',
  ],
  run,
};

/** The backbone shipped in the repository (its card: models/pretrained/*.json). */
const SHIPPED = fileURLToPath(new URL('../models/pretrained/mobilenetv2-0.35-simclr-mnist.safetensors', import.meta.url));

/** The backbone's weights and width from a file, or null for scratch. */
function readBackbone(path: string): { state: StateDict; width: number } | null {
  if (path === 'scratch') return null;
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new Error(`--checkpoint ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  const { tensors, metadata } = loadSafetensors(bytes);
  const card = readCard(metadata, path);
  if (!['mobilenetv2', 'mobilenetv2-backbone'].includes(card.architecture)) throw new Error(`--checkpoint ${path}: it holds a ${card.architecture}, not a mobilenetv2 backbone`);
  return { state: backboneState(tensors), width: Number(card.config.width ?? 1) };
}

async function run(args: Args): Promise<number> {
  const int = (n: string, min: number) => args.number(n, { integer: true, min });
  const ckpt = args.string('checkpoint') ?? SHIPPED, lpc = int('labels-per-class', 0);
  if (lpc === undefined) throw new UsageError('--labels-per-class is required (labelled training images per class; 0: all)');
  const out = args.string('out') ?? join('runs', 'finetune');
  const resume = args.flag('resume');
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite'), checkOnly: true });
  const backbone = readBackbone(ckpt);
  const requested: FinetuneConfig = {
    ...DEFAULT_CONFIG, model: 'mobilenetv2', epochs: int('epochs', 1)!, batchSize: int('batch', 1)!, lr: args.number('lr', { min: 0 })!, seed: int('seed', 0)!,
    augment: args.flag('augment'), testLimit: int('test-limit', 1), labelsPerClass: lpc, freeze: args.choice<FreezePolicy>('freeze', ['all', 'top', 'none']),
    frozenEpochs: int('frozen-epochs', 0)!, unfreeze: int('unfreeze', 0)!, backboneLr: args.number('backbone-lr', { min: 0 })!,
    width: backbone?.width ?? 0.35, backbone: ckpt, evalEvery: int('eval-every', 1)!,
  };
  const c = resume ? resumedRecipe(args, out, 'classify', requested, ['epochs', 'epochs'], FIELDS) : requested;
  const backend = await pickBackend(args);
  const data = loadImageData({ dataDir: args.string('data-dir'), testLimit: c.testLimit, seed: c.seed });
  let last: FinetuneTask | null = null;
  const result = await runWithInterrupts(args, (hooks) => fit(() => (last = new FinetuneTask({ ...c }, data, backbone?.state ?? null)), {
    out, epochs: c.epochs, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
      ...hooks,
      onStart: () => say(`fine-tuning mobilenetv2 (width ${c.width}, backbone ${ckpt}, freeze ${c.freeze}) on ${plural(last!.size, 'labelled image')}, testing on ${data.test.count}`),
      onEpoch: (r) => {
        hooks.onEpoch?.(r);
        const test = r.test_accuracy === undefined ? '' : `  test ${metricLine({ loss: r.test_loss, accuracy: r.test_accuracy })}`;
        say(`epoch ${r.epoch}: train ${metricLine({ loss: r.train_loss, accuracy: r.train_accuracy })}${test}  ${r.seconds.toFixed(1)} s`);
      },
    },
  }));
  for (const t of backbone?.state.values() ?? []) t.dispose();
  if (result === 'interrupted') return 130;
  const lastEpoch = result.history[result.history.length - 1];
  const task = last as FinetuneTask | null;
  const figures = {
    test_accuracy: lastEpoch?.test_accuracy, test_loss: lastEpoch?.test_loss, epochs: result.history.length, seconds: result.seconds,
    trainable_params: task?.trainableParams(), labels_per_class: c.labelsPerClass, freeze: c.freeze, backbone: ckpt, backend, checkpoint: join(out, 'model.safetensors'),
  };
  say(`test accuracy ${percent(figures.test_accuracy ?? NaN)} after ${plural(figures.epochs, 'epoch')}, ${figures.seconds.toFixed(1)} s; checkpoint ${figures.checkpoint}`);
  if (args.flag('json')) printJson(figures);
  return 0;
}
