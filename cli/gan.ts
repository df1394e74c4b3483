// `zerograd gan`: train the DCGAN (or the conditional one) on MNIST through the shared loop, with a
// trained classifier judging its samples every epoch (`gan train`), or draw from a checkpoint
// (`gan sample`: a grid, a requested digit, a latent interpolation strip).

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '../engine/index.js';
import { DataError, readBytes, writeFileAtomic } from '../io/files.js';
import { ClassifyTask, DEFAULT_CONFIG } from '../mnist/classify.js';
import { loadClassifier } from '../mnist/classifier.js';
import { loadImageData } from '../mnist/data.js';
import { GAN_DEFAULTS, GanTask, generate, gridClasses, gridColumns, toUnit, type GanConfig, type Judge } from '../mnist/gan.js';
import { restoreModel, type GanModule } from '../models/index.js';
import { fit, prepareRunFolder } from '../train/index.js';
import { encodePng, imageGrid } from '../viz/png.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, percent, plural, printJson, say } from './output.js';
import { metricLine } from './progress.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';

const D = GAN_DEFAULTS;

/** Each training flag, the recipe field it sets, and whether it is an integer. */
const FIELDS: [flag: string, field: keyof GanConfig, integer: boolean][] = [
  ['batch', 'batchSize', true], ['lr', 'lr', false], ['beta1', 'beta1', false], ['latent', 'latent', true], ['width', 'width', true],
  ['real-target', 'realTarget', false], ['dropout', 'dropout', false], ['ema', 'ema', false], ['seed', 'seed', true],
  ['limit', 'limit', true], ['eval-samples', 'evalSamples', true],
];

export const command: Command = {
  name: 'gan',
  summary: 'train a DCGAN (or a conditional one) that draws digits, or sample from one',
  usage: 'train [--epochs 5] [--conditional] [--out runs/gan] [...] | sample --checkpoint F [--digit 7] [--n 64] [--interpolate] --out grid.png',
  description: [
    'gan train: trains the DCGAN pair (zerograd summary --model dcgan-generator / dcgan-discriminator) on the MNIST',
    '  training images: BCE on logits, Adam (--lr, --beta1), the discriminator then the generator on every batch, real',
    '  targets smoothed to --real-target, an EMA copy of the generator (--ema) that the samples are drawn from. With',
    '  --conditional both nets also get the digit (an embedding), so sample can be asked for one. Every epoch writes',
    '  samples-epoch-N.png (the same fixed latents each time), epochs.png (the first row of every epoch, a contact sheet),',
    '  and judges --eval-samples fresh samples with a trained cnn (--classifier F; without it one is trained for one epoch',
    '  into OUT/classifier): the share of each predicted class, the mean top-class probability, the share at >= 0.9, for',
    '  the conditional model the share that agrees with the digit asked for, and the Fréchet distance of the cnn\'s',
    '  penultimate features from the test set\'s, beside the same distance for real training digits (the floor).',
    '  history.json, loss.svg, d-outputs.svg, fid.svg, confidence.svg; checkpoints each epoch, --resume continues exactly.',
    'gan sample: draws --n digits from a checkpoint (the run folder picks its EMA generator) into a grid PNG; --digit D asks',
    '  a conditional model for one digit; --interpolate draws rows of --steps images between pairs of latents.',
  ].join('\n'),
  flags: [
    { name: 'epochs', value: 'N', default: D.epochs, help: 'passes over the training images (with --resume: the new total)' },
    { name: 'conditional', help: 'train the conditional DCGAN (the digit is an input of both nets)' },
    { name: 'batch', value: 'N', default: D.batchSize, help: 'real images (and as many generated) per step' },
    { name: 'lr', value: 'X', default: D.lr, help: 'Adam learning rate of both nets' },
    { name: 'beta1', value: 'X', default: D.beta1, help: 'Adam β1 of both nets' },
    { name: 'latent', value: 'N', default: D.latent, help: 'length of the latent vector z' },
    { name: 'width', value: 'N', default: D.width, help: 'channels of the 14×14 maps in both nets (7×7 maps have twice as many)' },
    { name: 'real-target', value: 'X', default: D.realTarget, help: 'discriminator target for real images (1: no label smoothing)' },
    { name: 'dropout', value: 'X', default: D.dropout, help: 'dropout in the discriminator' },
    { name: 'ema', value: 'X', default: D.ema, help: 'decay of the generator\'s moving average that samples come from (0: none)' },
    { name: 'seed', value: 'N', default: D.seed, help: 'seed for the weights, batch order, latents and dropout' },
    { name: 'limit', value: 'N', help: 'train on the first N training images only (quick runs)' },
    { name: 'eval-samples', value: 'N', default: D.evalSamples, help: 'samples the classifier judges after each epoch' },
    { name: 'classifier', value: 'F', help: 'the cnn checkpoint that judges the samples (default: OUT/classifier, trained for one epoch if absent)' },
    { name: 'out', value: 'DIR', help: 'train: the run folder (default runs/gan or runs/gan-conditional); sample: the PNG to write' },
    ...RUN_FLAGS,
    { name: 'checkpoint', value: 'F', help: 'sample: a generator .safetensors or its run folder' },
    { name: 'digit', value: 'D', help: 'sample: the digit to ask a conditional model for (default: one column per digit)' },
    { name: 'n', value: 'N', default: 64, help: 'sample: how many digits' },
    { name: 'interpolate', help: 'sample: rows walking the latent space in a straight line between two random latents' },
    { name: 'steps', value: 'N', default: 10, help: 'sample --interpolate: images per row' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd gan train --out runs/gan',
    'zerograd gan train --conditional --out runs/gan-conditional',
    'zerograd gan train --epochs 1 --limit 2000 --eval-samples 500 --out runs/gan-quick',
    'zerograd gan sample --checkpoint runs/gan-conditional --digit 7 --n 64 --out sevens.png',
    'zerograd gan sample --checkpoint runs/gan --interpolate --n 8 --out walk.png',
  ],
  positionals: { min: 1, max: 1 },
  run,
};

async function run(args: Args): Promise<number> {
  const [sub] = args.positionals;
  if (sub === 'train') return train(args);
  if (sub === 'sample') return sample(args);
  throw new UsageError(`gan needs 'train' or 'sample' first, got '${sub}'`);
}

function config(args: Args): GanConfig {
  const c: GanConfig = { ...D, epochs: args.number('epochs', { integer: true, min: 1 })!, conditional: args.flag('conditional') };
  for (const [flag, field, integer] of FIELDS) {
    const v = args.number(flag, { integer, min: 0 });
    if (v !== undefined) (c as unknown as Record<string, number>)[field] = v;
  }
  if (c.batchSize < 2) throw new UsageError('--batch must be at least 2 (BatchNorm needs more than one image)');
  if (c.latent < 1 || c.width < 1) throw new UsageError('--latent and --width must be at least 1');
  if (c.limit !== undefined && c.limit < 2) throw new UsageError('--limit must be at least 2');
  if (c.evalSamples < 2) throw new UsageError('--eval-samples must be at least 2');
  if (c.realTarget > 1) throw new UsageError(`--real-target must be in [0, 1], got ${c.realTarget}`);
  if (c.dropout >= 1 || c.ema >= 1 || c.beta1 >= 1) throw new UsageError('--dropout, --ema and --beta1 must be below 1');
  return c;
}

/** The classifier that judges samples: --classifier, or OUT/classifier (trained for one epoch when absent). */
async function judgeFor(args: Args, out: string): Promise<Judge> {
  const given = args.string('classifier');
  const own = join(out, 'classifier');
  if (!given && !existsSync(join(own, 'model.safetensors'))) {
    say(`no --classifier: training a cnn for one epoch into ${own} to judge the samples`);
    const c = { ...DEFAULT_CONFIG, epochs: 1 };
    const data = loadImageData({});
    const r = await runWithInterrupts(args, (hooks) => fit(() => new ClassifyTask({ ...c }, data), { out: own, epochs: 1, seed: 0, overwrite: true, hooks }));
    if (r === 'interrupted') throw new DataError(`interrupted while training the judging classifier in ${own}; run again (or pass --classifier F)`);
    say(`judging classifier: test accuracy ${percent(r.history[0].test_accuracy)}`);
  }
  const cl = loadClassifier(given ?? own);
  if (cl.card.architecture !== 'cnn') note(`note: ${cl.path} is a ${cl.card.architecture}, not the cnn the README's figures use`);
  if (cl.card.dataset?.name !== 'mnist') throw new DataError(`${cl.path}: was trained on ${cl.card.dataset?.name}, not MNIST; it cannot judge digits`);
  return { model: cl.model, stats: cl.stats, path: cl.path };
}

async function train(args: Args): Promise<number> {
  const requested = config(args);
  const out = args.string('out') ?? join('runs', requested.conditional ? 'gan-conditional' : 'gan');
  const resume = args.flag('resume');
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite'), checkOnly: true });
  const c = resume ? resumedRecipe(args, out, 'gan', requested, ['epochs', 'epochs'], [['conditional', 'conditional'], ...FIELDS]) : requested;
  const backend = await pickBackend(args);
  const data = loadImageData({ limit: c.limit });
  const judge = await judgeFor(args, out);
  say(`${resume ? 'resuming' : 'training'} the ${c.conditional ? 'conditional ' : ''}DCGAN on ${plural(data.train.count, 'MNIST image')}: `
    + `${plural(Math.ceil(data.train.count / c.batchSize), 'step')} per epoch; ${judge.path} judges ${c.evalSamples} samples after each`);
  let last: GanTask | null = null;
  try {
    const result = await runWithInterrupts(args, (hooks) => fit(() => (last = new GanTask({ ...c }, data, judge)), {
      out, epochs: c.epochs, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
        ...hooks,
        onStart: (i) => { if (i.resumed) say(`continuing from epoch ${i.startEpoch + 1}${i.startStep ? `, step ${i.startStep + 1}` : ''}`); },
        onEpoch: (r) => {
          hooks.onEpoch?.(r);
          const shares = Array.from({ length: 10 }, (_, k) => r[`share_${k}`]);
          say(`epoch ${r.epoch}: ${metricLine({ loss_d: r.train_loss_d, loss_g: r.train_loss_g, 'D(x)': r.train_d_real, 'D(G(z))': r.train_d_fake })}  `
            + `${r.seconds.toFixed(1)} s  ${Math.round(r.samples_per_second)} images/s`);
          say(`  samples: FID ${r.fid.toFixed(3)} (floor ${r.fid_floor.toFixed(3)}), top prob ≥ 0.9 ${percent(r.confident_share)}, mean top prob ${r.mean_top_prob.toFixed(3)}`
            + `${r.agreement !== undefined ? `, agreement ${percent(r.agreement)}` : ''}; classes ${shares.map((s) => (100 * s).toFixed(1)).join(' ')} %`);
        },
      },
    }), 'images');
    if (result === 'interrupted') return 130;
    const e = (last as GanTask | null)?.last;
    const figures = {
      fid: e?.fid, fid_floor: e?.fid_floor, class_shares: e?.class_shares, mean_top_prob: e?.mean_top_prob, confident_share: e?.confident_share,
      agreement: e?.agreement, conditional: c.conditional, epochs: result.history.length, seconds: result.seconds,
      samples_per_second: result.samplesPerSecond, backend, classifier: judge.path,
      checkpoint: join(out, c.ema > 0 ? 'generator_ema.safetensors' : 'generator.safetensors'), samples: join(out, 'samples.png'),
    };
    if (e) {
      say(`after ${plural(figures.epochs, 'epoch')} (${figures.seconds.toFixed(1)} s): FID ${e.fid.toFixed(3)}, ${(e.fid / e.fid_floor).toFixed(2)}× the real-vs-real floor; `
        + `checkpoint ${figures.checkpoint}, samples ${figures.samples}`);
    } else {
      say(`nothing left to train: the run in ${out} has ${plural(figures.epochs, 'epoch')} already (raise --epochs to continue)`);
    }
    if (args.flag('json')) printJson(figures);
    return 0;
  } finally {
    judge.model.dispose();
  }
}

/** A generator file, or the run folder (its EMA copy when it has one). */
function generatorFile(path: string): string {
  if (!(existsSync(path) && statSync(path).isDirectory())) return path;
  const ema = join(path, 'generator_ema.safetensors');
  return existsSync(ema) ? ema : join(path, 'generator.safetensors');
}

async function sample(args: Args): Promise<number> {
  const given = args.string('checkpoint');
  if (!given) throw new UsageError('gan sample needs --checkpoint F (a generator .safetensors or a gan train run folder)');
  const file = args.string('out');
  if (!file) throw new UsageError('gan sample needs --out F.png');
  const n = args.number('n', { integer: true, min: 1, max: 10000 })!;
  const steps = args.number('steps', { integer: true, min: 2, max: 100 })!;
  const digit = args.number('digit', { integer: true, min: 0, max: 9 });
  const seed = args.number('seed', { integer: true, min: 0 }) ?? 0;
  const path = generatorFile(given);
  await pickBackend(args);
  const { model, card } = restoreModel(readBytes(path, 'checkpoint (a generator .safetensors from zerograd gan train, or its run folder)'), path);
  try {
    if (card.task !== 'generator') throw new DataError(`${path}: holds a ${card.task} model (${card.architecture}), not a generator`);
    const latent = Number(card.config.latent), conditional = Number(card.config.classes) > 0;
    if (digit !== undefined && !conditional) throw new UsageError(`--digit needs a conditional generator; ${path} is unconditional (train one with gan train --conditional)`);
    const g = new Generator(seed);
    const normal = (k: number) => Float32Array.from({ length: k * latent }, () => g.normal());
    let z: Float32Array, cols: number, count: number;
    if (args.flag('interpolate')) {
      // n rows, each from one random latent to another in `steps` equal steps.
      const ends = normal(2 * n);
      z = new Float32Array(n * steps * latent);
      for (let r = 0; r < n; r++) {
        for (let s = 0; s < steps; s++) {
          const t = s / (steps - 1);
          for (let j = 0; j < latent; j++) z[(r * steps + s) * latent + j] = (1 - t) * ends[2 * r * latent + j] + t * ends[(2 * r + 1) * latent + j];
        }
      }
      [cols, count] = [steps, n * steps];
    } else {
      cols = conditional && digit === undefined ? gridColumns(true) : Math.min(n, Math.ceil(Math.sqrt(n)));
      [z, count] = [normal(n), n];
    }
    // A conditional model draws the digit asked for, or (interpolation: one digit per row) row r's r mod 10.
    const classes = !conditional ? undefined
      : digit !== undefined ? new Int32Array(count).fill(digit)
        : args.flag('interpolate') ? Int32Array.from({ length: count }, (_, i) => Math.floor(i / steps) % 10) : gridClasses(count);
    const images = toUnit(await generate(model as GanModule, z, latent, classes));
    const raster = imageGrid(images, 28, 28, count, cols, 2);
    writeFileAtomic(file, encodePng(raster));
    say(`${plural(count, 'digit')}${digit !== undefined ? ` (asked for ${digit})` : ''} from ${path}: ${file} (${raster.width}×${raster.height})`);
    if (args.flag('json')) printJson({ checkpoint: path, out: file, n: count, digit, interpolate: args.flag('interpolate'), width: raster.width, height: raster.height });
    return 0;
  } finally {
    model.dispose();
  }
}
