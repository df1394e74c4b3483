// `zerograd translate`: train the seq2seq Transformer on a translation task through the shared
// loop (`translate train`), or run a checkpoint on inputs (`translate run`), with beam search and
// the cross-attention maps of the first input.

import { join } from 'node:path';
import { readBytes, writeFileAtomic } from '../io/files.js';
import { resolveCheckpoint } from '../mnist/classifier.js';
import { restoreModel, type Seq2SeqTransformer } from '../models/index.js';
import { crossAttention, drawCrossAttention } from '../text/attention-map.js';
import { loadTranslationData, TRANSLATION_TASKS, type TranslationTaskName } from '../text/datasets.js';
import { beamSearch, greedyDecode } from '../text/decode.js';
import { encodeSource, evaluateTranslation, TASK_DEFAULTS, translationCard, TranslateTask, type TranslateConfig } from '../text/translate.js';
import { PAD } from '../text/vocab.js';
import { fit, prepareRunFolder } from '../train/index.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, percent, printJson, say } from './output.js';
import { metricLine } from './progress.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';

/** Each training flag and the recipe field it sets (defaults depend on --task). */
const FIELDS: [flag: string, field: keyof TranslateConfig, integer: boolean][] = [
  ['epochs', 'epochs', true], ['batch', 'batchSize', true], ['lr', 'lr', false], ['warmup', 'warmupSteps', true],
  ['weight-decay', 'weightDecay', false], ['label-smoothing', 'labelSmoothing', false], ['clip', 'clip', false], ['seed', 'seed', true],
  ['train-size', 'trainSize', true], ['test-size', 'testSize', true], ['eval-limit', 'evalLimit', true],
  ['d-model', 'dModel', true], ['heads', 'nHead', true], ['layers', 'layers', true], ['ff', 'dimFeedforward', true], ['dropout', 'dropout', false],
];

const defaultsLine = (k: keyof TranslateConfig) => TRANSLATION_TASKS.map((t) => `${t} ${TASK_DEFAULTS[t][k]}`).join(', ');

export const command: Command = {
  name: 'translate',
  summary: 'train or run the seq2seq Transformer: numbers into Chinese or English words, spelling into pronunciation',
  usage: 'train --task numbers-zh|numbers-en|g2p [...] | eval (--checkpoint F | --task T) | run (--checkpoint F | --task T) TEXT...',
  description: [
    'translate train: trains the encoder–decoder Transformer (pre-norm, sinusoidal positions, tied output layer) on',
    '  numbers-zh  integers below 10^12 → Chinese numerals (二千零四十七), generated; 5 % of all numbers are held out',
    '  numbers-en  the same → English words (two thousand forty-seven)',
    '  g2p         CMUdict spelling → ARPAbet phonemes, 10 % of the words held out (every pronunciation of a word together)',
    'with label-smoothed cross-entropy that ignores padding, AdamW, a linear warm-up then cosine decay, and batches',
    'bucketed by length. After each epoch it greedily decodes held-out items (--eval-limit of them; all after the last',
    'epoch) and reports exact match (numbers) or word and phoneme error rates (g2p). --out gets checkpoints (the card',
    'holds both vocabularies), history.json and curves; --resume continues exactly.',
    'translate eval: greedily decodes the held-out set of a checkpoint\'s task (the split of its seed) and scores it.',
    'translate run: decodes each TEXT with a checkpoint (greedy, or --beam N), --attention F.png also writes the',
    'cross-attention heads of the first TEXT (a PNG mosaic, layers down and heads across, and F.svg with the tokens).',
  ].join('\n'),
  flags: [
    { name: 'task', value: TRANSLATION_TASKS.join('|'), help: 'what to train; with run, picks runs/<task>/model.safetensors when --checkpoint is not given' },
    { name: 'epochs', value: 'N', help: `passes over the training pairs (${defaultsLine('epochs')})` },
    { name: 'batch', value: 'N', help: `pairs per step (${defaultsLine('batchSize')})` },
    { name: 'lr', value: 'X', help: `peak learning rate (${defaultsLine('lr')})` },
    { name: 'warmup', value: 'N', help: `steps of linear warm-up (${defaultsLine('warmupSteps')})` },
    { name: 'weight-decay', value: 'X', help: 'AdamW decoupled weight decay on the matrices (default 0.01)' },
    { name: 'label-smoothing', value: 'X', help: 'cross-entropy label smoothing (default 0.1)' },
    { name: 'clip', value: 'X', help: 'clip the global gradient norm (default 1; 0: off)' },
    { name: 'seed', value: 'N', help: 'seed for the weights, batch order and generated numbers (g2p: also the split) (default 0)' },
    { name: 'train-size', value: 'N', help: `generated training pairs, numbers tasks (${defaultsLine('trainSize')})` },
    { name: 'test-size', value: 'N', help: `held-out numbers (${defaultsLine('testSize')})` },
    { name: 'eval-limit', value: 'N', help: `held-out items decoded after each epoch but the last; 0: all (${defaultsLine('evalLimit')})` },
    { name: 'd-model', value: 'N', help: `model width (${defaultsLine('dModel')})` },
    { name: 'heads', value: 'N', help: 'attention heads (default 4)' },
    { name: 'layers', value: 'N', help: `encoder and decoder layers each (${defaultsLine('layers')})` },
    { name: 'ff', value: 'N', help: `MLP hidden size (${defaultsLine('dimFeedforward')})` },
    { name: 'dropout', value: 'X', help: `dropout (${defaultsLine('dropout')})` },
    { name: 'activation', value: 'relu|gelu', help: 'the MLPs\' nonlinearity (default relu: cheaper on the CPU than GELU\'s erf)' },
    { name: 'out', value: 'DIR', help: 'where the run goes (default runs/<task>)' },
    ...RUN_FLAGS,
    { name: 'checkpoint', value: 'F', help: 'run: the model.safetensors (or its run folder)' },
    { name: 'beam', value: 'N', default: 1, help: 'run: beam width (1: greedy)' },
    { name: 'attention', value: 'F.png', help: 'run: write the cross-attention heads of the first TEXT (and F.svg with labels)' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd translate train --task numbers-zh',
    'zerograd translate run --checkpoint runs/numbers-zh "305" "2047" --attention docs/attention-zh.png',
    'zerograd translate train --task g2p --epochs 3 --out runs/g2p',
    'zerograd translate eval --task g2p',
    'zerograd translate run --task g2p "zerograd" --beam 4',
  ],
  positionals: { min: 1, max: 1000 },
  run,
};

function taskOf(args: Args): TranslationTaskName | undefined {
  return args.has('task') ? args.choice('task', TRANSLATION_TASKS) : undefined;
}

async function run(args: Args): Promise<number> {
  const [sub, ...rest] = args.positionals;
  if (sub === 'train') {
    if (rest.length) throw new UsageError(`translate train takes no arguments, got '${rest[0]}'`);
    return train(args);
  }
  if (sub === 'run') return runCheckpoint(args, rest);
  if (sub === 'eval') {
    if (rest.length) throw new UsageError(`translate eval takes no arguments, got '${rest[0]}'`);
    return evalCheckpoint(args);
  }
  throw new UsageError(`translate needs 'train', 'eval' or 'run' first, got '${sub}'`);
}

function config(args: Args, task: TranslationTaskName): TranslateConfig {
  const c: TranslateConfig = { ...TASK_DEFAULTS[task] };
  for (const [flag, field, integer] of FIELDS) {
    const v = args.number(flag, { integer, min: 0 });
    if (v !== undefined) (c as unknown as Record<string, number>)[field] = v;
  }
  if (args.has('activation')) c.activation = args.choice('activation', ['relu', 'gelu'] as const);
  if (c.epochs < 1 || c.batchSize < 1 || c.dModel < 1 || c.nHead < 1 || c.layers < 1 || c.dimFeedforward < 1) {
    throw new UsageError('--epochs, --batch, --d-model, --heads, --layers and --ff must be at least 1');
  }
  if (c.dModel % c.nHead) throw new UsageError(`--d-model ${c.dModel} must divide into --heads ${c.nHead}`);
  if (c.dropout >= 1 || c.labelSmoothing >= 1) throw new UsageError('--dropout and --label-smoothing must be below 1');
  if (task !== 'g2p' && (c.trainSize < 1 || c.testSize < 1)) throw new UsageError('--train-size and --test-size must be at least 1');
  return c;
}

async function train(args: Args): Promise<number> {
  const task = taskOf(args);
  if (!task) throw new UsageError(`translate train needs --task ${TRANSLATION_TASKS.join('|')}`);
  const requested = config(args, task);
  const out = args.string('out') ?? join('runs', task);
  const resume = args.flag('resume');
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite') });
  const c = resume ? resumedRecipe(args, out, 'translate', requested, ['epochs', 'epochs'], FIELDS, (saved) => {
    if (saved.task !== task) throw new UsageError(`${out} holds a ${saved.task} run, not ${task}`);
  }) : requested;
  const backend = await pickBackend(args);
  const data = loadTranslationData(task, { trainSize: c.trainSize, testSize: c.testSize, seed: c.seed });
  say(`${resume ? 'resuming' : 'training'} the Transformer on ${data.description}: ${Math.ceil(data.train.length / c.batchSize)} steps per epoch`);
  let last: TranslateTask | null = null;
  const result = await runWithInterrupts(args, (hooks) => fit(() => {
    last = new TranslateTask({ ...c }, data);
    const params = last.modules.model.parameters().reduce((n, p) => n + p.size, 0);
    say(`model: d_model ${c.dModel}, ${c.nHead} heads, ${c.layers}+${c.layers} layers, MLP ${c.dimFeedforward}, ${params.toLocaleString('en-US')} parameters; `
      + `vocabularies ${last.srcVocab.size} → ${last.tgtVocab.size}`);
    return last;
  }, {
    out, epochs: c.epochs, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
      ...hooks,
      onStart: (i) => { if (i.resumed) say(`continuing from epoch ${i.startEpoch + 1}${i.startStep ? `, step ${i.startStep + 1}` : ''}`); },
      onEpoch: (r) => {
        hooks.onEpoch?.(r);
        const test = Object.fromEntries(['exact_match', 'wer', 'per'].filter((k) => r[`test_${k}`] !== undefined).map((k) => [k, r[`test_${k}`] as number]));
        say(`epoch ${r.epoch}: train ${metricLine({ loss: r.train_loss as number, token_accuracy: r.train_token_accuracy as number })}`
          + `  held-out (${r.test_items} items) ${metricLine(test)}  ${r.seconds.toFixed(1)} s  ${Math.round(r.samples_per_second)} pairs/s`);
        for (const s of (last as TranslateTask | null)?.last?.samples ?? []) say(`  ${s.input} → ${s.output}${s.output === s.reference ? '' : `   (reference: ${s.reference})`}`);
      },
    },
  }), 'pairs');
  if (result === 'interrupted') return 130;
  const e = (last as TranslateTask | null)?.last;
  const checkpoint = join(out, 'model.safetensors');
  const figures = {
    task, exact_match: e?.exact_match, wer: e?.wer, per: e?.per, test_items: e?.items, epochs: result.history.length,
    seconds: result.seconds, samples_per_second: result.samplesPerSecond, backend, checkpoint,
  };
  if (e) {
    const score = e.exact_match !== undefined ? `exact match ${percent(e.exact_match)}` : `WER ${percent(e.wer!)}, PER ${percent(e.per!)}`;
    say(`held-out ${score} on ${e.items} items after ${figures.epochs} epoch${figures.epochs === 1 ? '' : 's'}, ${figures.seconds.toFixed(1)} s; checkpoint ${checkpoint}`);
  } else {
    say(`nothing left to train: the run in ${out} has ${figures.epochs} epochs already (raise --epochs to continue)`);
  }
  if (args.flag('json')) printJson(figures);
  return 0;
}

/** The checkpoint named by --checkpoint, or runs/<task> for --task. */
async function loadTranslator(args: Args, verb: string) {
  const task = taskOf(args);
  const given = args.string('checkpoint');
  if (!given && !task) throw new UsageError(`translate ${verb} needs --checkpoint F (or --task T for runs/T/model.safetensors)`);
  const path = resolveCheckpoint(given ?? join('runs', task!));
  await pickBackend(args);
  const { model, card } = restoreModel(readBytes(path, 'checkpoint (a model.safetensors from zerograd translate train, or its run folder)'), path);
  try {
    const t = translationCard(card, path);
    if (task && task !== t.task) note(`note: ${path} was trained on ${t.task}, not ${task}; running it as ${t.task}`);
    return { path, model: model as Seq2SeqTransformer, card, ...t };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Decode the whole held-out set of the checkpoint's task (the same split as training: the card's seed). */
async function evalCheckpoint(args: Args): Promise<number> {
  const t = await loadTranslator(args, 'eval');
  try {
    const c = TASK_DEFAULTS[t.task];
    const data = loadTranslationData(t.task, { trainSize: 1, testSize: args.has('test-size') ? args.number('test-size', { integer: true, min: 1 })! : c.testSize, seed: t.card.seed ?? 0 });
    const limit = args.number('eval-limit', { integer: true, min: 0 }) ?? 0;
    say(`decoding ${limit || data.test.length} held-out items of ${t.task} greedily with ${t.path}`);
    const t0 = performance.now();
    const e = await evaluateTranslation(t.model, t.source, t.tgt, data.test, { task: t.task, maxLen: t.maxOutput, limit });
    const seconds = (performance.now() - t0) / 1000;
    const score = e.exact_match !== undefined ? `exact match ${percent(e.exact_match)}` : `WER ${percent(e.wer!)}, PER ${percent(e.per!)}`;
    say(`held-out ${score} on ${e.items} items (${seconds.toFixed(1)} s)`);
    for (const s of e.samples) say(`  ${s.input} → ${s.output}${s.output === s.reference ? '' : `   (reference: ${s.reference})`}`);
    if (args.flag('json')) printJson({ task: t.task, checkpoint: t.path, exact_match: e.exact_match, wer: e.wer, per: e.per, test_items: e.items, seconds });
    return 0;
  } finally {
    t.model.dispose();
  }
}

async function runCheckpoint(args: Args, texts: string[]): Promise<number> {
  if (!texts.length) throw new UsageError('translate run needs at least one TEXT to translate');
  const beam = args.number('beam', { integer: true, min: 1 })!;
  const t = await loadTranslator(args, 'run');
  const { model, path } = t;
  try {
    model.eval();
    const inputs = texts.map((x) => (t.task === 'g2p' ? x.toLowerCase() : x));
    inputs.forEach((x, i) => {
      const bad = t.source.vocab.unknown(x);
      if (bad.length) throw new UsageError(`TEXT ${i + 1} '${texts[i]}' has ${bad.length === 1 ? 'a character' : 'characters'} the ${t.task} model never saw: ${[...new Set(bad)].join(' ')}`);
      if (!x) throw new UsageError(`TEXT ${i + 1} is empty`);
    });
    const src = inputs.map((x, i) => {
      try { return encodeSource(t.source, x); } catch (e) { throw new UsageError(`TEXT ${i + 1}: ${(e as Error).message}`); }
    });
    let ids: number[][];
    if (beam > 1) {
      ids = [];
      for (const s of src) ids.push((await beamSearch(model, s, { beamWidth: beam, maxLen: t.maxOutput }))[0].tokens);
    } else {
      ids = await greedyDecode(model, src, { maxLen: t.maxOutput });
    }
    const outputs = ids.map((x) => t.tgt.decode(x));
    inputs.forEach((x, i) => say(`${x} → ${outputs[i]}`));
    let attention: string | undefined;
    const file = args.string('attention');
    if (file) {
      // Padding columns are masked (weight exactly 0): the pictures show the real source tokens only.
      const cols = src[0].flatMap((id, j) => (id === PAD ? [] : [j]));
      const maps = (await crossAttention(model, src[0], ids[0])).map((layer) => layer.map((head) => head.map((row) => cols.map((j) => row[j]))));
      const { svg, png } = drawCrossAttention(maps, cols.map((j) => t.source.vocab.tokens[src[0][j]]), t.tgt.tokensOf(ids[0]));
      const svgPath = file.replace(/\.png$/i, '') + '.svg';
      writeFileAtomic(file, png);
      writeFileAtomic(svgPath, svg);
      attention = file;
      say(`cross-attention of '${inputs[0]}' (${maps.length} layer${maps.length === 1 ? "" : "s"} × ${maps[0].length} heads): ${file}, ${svgPath}`);
    }
    if (args.flag('json')) printJson({ task: t.task, checkpoint: path, beam, output: outputs[0], outputs, inputs, attention });
    return 0;
  } finally {
    model.dispose();
  }
}
