// `zerograd lm`: a GPT language model on the shared loop. `lm train` pretrains it on a corpus
// (characters or BPE subwords), `lm finetune` adapts a checkpoint to another corpus (every weight,
// the head only, or LoRA adapters saved on their own), `lm eval` scores a checkpoint on a corpus's
// held-out text, and `lm sample` streams text from it with the key/value cache.

import { join } from 'node:path';
import { readBytes, writeFileAtomic } from '../io/files.js';
import { resolveCheckpoint } from '../mnist/classifier.js';
import { restoreModel, type GPT } from '../models/index.js';
import { encodeModule, fit, prepareRunFolder } from '../train/index.js';
import { CORPORA, loadCorpus } from '../text/corpora.js';
import {
  adapterCard, evaluateLm, FINETUNE_DEFAULTS, LORA_TARGETS, lmCard, LmTask, loadLoraModel, METHODS, PRETRAIN_DEFAULTS, type LmConfig, type LmData,
} from '../text/lm.js';
import { generate } from '../text/sample.js';
import { TOKENIZERS, trainTokenizer, type Tokenizer } from '../text/tokenizer.js';
import { BOS, EOS, PAD, UNK } from '../text/vocab.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, printJson, say } from './output.js';
import { resumedRecipe, runWithInterrupts, RUN_FLAGS } from './run.js';

/** Each numeric training flag and the recipe field it sets. */
const FIELDS: [flag: string, field: keyof LmConfig, integer: boolean][] = [
  ['iters', 'iters', true], ['eval-every', 'evalEvery', true], ['batch', 'batchSize', true], ['block', 'blockSize', true], ['layers', 'nLayer', true],
  ['heads', 'nHead', true], ['d-model', 'nEmbd', true], ['dropout', 'dropout', false], ['lr', 'lr', false], ['min-lr', 'minLr', false],
  ['warmup', 'warmup', true], ['weight-decay', 'weightDecay', false], ['clip', 'clip', false], ['seed', 'seed', true], ['eval-windows', 'evalWindows', true],
  ['vocab', 'vocab', true], ['rank', 'rank', true], ['alpha', 'alpha', false],
];

const D = PRETRAIN_DEFAULTS, F = FINETUNE_DEFAULTS;

export const command: Command = {
  name: 'lm',
  summary: 'a GPT language model: pretrain on Moby-Dick, fine-tune on State of the Union addresses (full, head, LoRA), sample',
  usage: 'train [--corpus moby-dick|sotu] [...] | finetune --checkpoint F [--method lora|full|head] [...] | eval --checkpoint F [--corpus C] | sample --checkpoint F [--prompt TEXT]',
  description: [
    'lm train: pretrains a GPT (token + learned position embeddings, pre-norm causal layers, GELU MLP, output tied to the',
    '  token embedding) on a corpus that ships offline: moby-dick (Melville, 1.2 M characters, the last 10 % held out) or',
    '  sotu (State of the Union addresses 1790–2021, every tenth address held out). Training counts iterations; every',
    '  --eval-every of them the held-out loss is measured (nats per token and per character), curves and checkpoints',
    '  are written to --out, Ctrl-C saves and --resume continues exactly. The defaults are nanoGPT\'s CPU recipe for',
    '  its character-level Shakespeare model.',
    'lm finetune: continues a checkpoint on --corpus (default sotu) for --iters (default 300): --method full (every',
    '  weight), head (the tied output/embedding matrix and the final LayerNorm) or lora (rank --rank adapters with scale',
    '  --alpha/--rank on the attention projections, or with --targets all on every Linear; only the adapters train and',
    '  are saved, as adapters.safetensors beside a merged.safetensors with the adapters folded in).',
    'lm eval: the held-out loss of a checkpoint (or adapters file) on a corpus.',
    'lm sample: streams --tokens tokens after --prompt, at --temperature among the --top-k most likely, seeded.',
  ].join('\n'),
  flags: [
    { name: 'corpus', value: CORPORA.join('|'), help: `the text (train: default ${D.corpus}; finetune and eval: default ${F.corpus})` },
    { name: 'tokenizer', value: TOKENIZERS.join('|'), default: D.tokenizer, help: 'train: characters, or byte-pair-encoding subwords learned on the training text' },
    { name: 'vocab', value: 'N', help: `train --tokenizer bpe: vocabulary size, specials and characters included (default ${D.vocab})` },
    { name: 'iters', value: 'N', help: `training iterations (train ${D.iters}, finetune ${F.iters})` },
    { name: 'eval-every', value: 'N', help: `iterations between held-out evaluations, dividing --iters (train ${D.evalEvery}, finetune ${F.evalEvery})` },
    { name: 'batch', value: 'N', help: `windows per batch (default ${D.batchSize})` },
    { name: 'block', value: 'N', help: `context length in tokens (default ${D.blockSize})` },
    { name: 'layers', value: 'N', help: `train: Transformer layers (default ${D.nLayer})` },
    { name: 'heads', value: 'N', help: `train: attention heads (default ${D.nHead})` },
    { name: 'd-model', value: 'N', help: `train: embedding width (default ${D.nEmbd})` },
    { name: 'dropout', value: 'X', help: `train: dropout (default ${D.dropout})` },
    { name: 'lr', value: 'X', help: `peak learning rate of AdamW (train ${D.lr}, finetune ${F.lr})` },
    { name: 'min-lr', value: 'X', help: `where the cosine decay ends (default ${D.minLr})` },
    { name: 'warmup', value: 'N', help: `linear warm-up iterations (train ${D.warmup}, finetune ${F.warmup})` },
    { name: 'weight-decay', value: 'X', help: `AdamW weight decay on matrices (train ${D.weightDecay}, finetune ${F.weightDecay})` },
    { name: 'clip', value: 'X', help: `gradient norm clip, 0: none (default ${D.clip})` },
    { name: 'seed', value: 'N', help: `seeds the weights, the batches and sampling (default ${D.seed})` },
    { name: 'eval-windows', value: 'N', help: `most held-out windows scored per evaluation (default ${D.evalWindows})` },
    { name: 'method', value: METHODS.join('|'), default: 'lora', help: 'finetune: what trains' },
    { name: 'rank', value: 'N', help: `finetune --method lora: adapter rank r (default ${D.rank})` },
    { name: 'alpha', value: 'X', help: `finetune --method lora: scale α (the update is α/r · B·A; default ${D.alpha})` },
    { name: 'targets', value: LORA_TARGETS.join('|'), default: D.targets, help: 'finetune --method lora: attention projections, or every Linear' },
    { name: 'out', value: 'DIR', help: 'where the run goes (default runs/lm-<corpus>, runs/lm-<corpus>-<method>)' },
    ...RUN_FLAGS,
    { name: 'checkpoint', value: 'F', help: 'finetune, eval, sample: a model.safetensors (or its run folder), or for eval/sample an adapters.safetensors' },
    { name: 'base', value: 'F', help: 'eval, sample of adapters: the base checkpoint (default: the one the adapters were trained on)' },
    { name: 'prompt', value: 'TEXT', default: '\n', help: 'sample: the text to continue' },
    { name: 'tokens', value: 'N', default: 500, help: 'sample: tokens to draw' },
    { name: 'temperature', value: 'X', default: 0.8, help: 'sample: softmax temperature (0: greedy)' },
    { name: 'top-k', value: 'N', default: 40, help: 'sample: draw among the k most likely tokens (0: all)' },
    { name: 'no-cache', help: 'sample: run the whole context for every token instead of using the key/value cache' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd lm train --corpus moby-dick --out runs/gpt',
    'zerograd lm sample --checkpoint runs/gpt --prompt "Call me" --temperature 0.8 --top-k 40 --tokens 500',
    'zerograd lm finetune --checkpoint runs/gpt --corpus sotu --method lora --rank 8 --out runs/gpt-sotu-lora8',
    'zerograd lm eval --checkpoint runs/gpt --corpus sotu',
    'zerograd lm train --tokenizer bpe --vocab 512 --out runs/gpt-bpe',
  ],
  positionals: { min: 1, max: 1 },
  run,
};

async function run(args: Args): Promise<number> {
  const sub = args.positionals[0];
  if (sub === 'train') return train(args, false);
  if (sub === 'finetune') return train(args, true);
  if (sub === 'eval') return evalCheckpoint(args);
  if (sub === 'sample') return sample(args);
  throw new UsageError(`lm needs 'train', 'finetune', 'eval' or 'sample' first, got '${sub}'`);
}

function config(args: Args, finetune: boolean): LmConfig {
  const c: LmConfig = { ...D, ...(finetune ? F : {}) };
  for (const [flag, field, integer] of FIELDS) {
    const v = args.number(flag, { integer, min: 0 });
    if (v !== undefined) (c as unknown as Record<string, number>)[field] = v;
  }
  if (args.has('corpus')) c.corpus = args.choice('corpus', CORPORA);
  if (!finetune) c.tokenizer = args.choice('tokenizer', TOKENIZERS);
  c.targets = args.choice('targets', LORA_TARGETS);
  c.method = finetune ? args.choice('method', METHODS) : 'pretrain';
  for (const [flag, v] of [['iters', c.iters], ['eval-every', c.evalEvery], ['batch', c.batchSize], ['block', c.blockSize], ['layers', c.nLayer], ['heads', c.nHead], ['d-model', c.nEmbd], ['rank', c.rank]] as const) {
    if (v < 1) throw new UsageError(`--${flag} must be at least 1, got ${v}`);
  }
  // A resume checks --iters against the run's own --eval-every instead.
  if (!args.flag('resume') && c.iters % c.evalEvery) throw new UsageError(`--eval-every ${c.evalEvery} must divide --iters ${c.iters}`);
  if (c.nEmbd % c.nHead) throw new UsageError(`--d-model ${c.nEmbd} must divide into --heads ${c.nHead}`);
  if (c.dropout >= 1) throw new UsageError('--dropout must be below 1');
  if (c.tokenizer === 'bpe' && c.vocab < 128) throw new UsageError(`--vocab must be at least 128 for BPE, got ${c.vocab}`);
  return c;
}

/** A checkpoint's bytes (a run folder means its model.safetensors). */
function readCheckpoint(path: string) {
  const file = resolveCheckpoint(path);
  return { where: file, bytes: readBytes(file, 'checkpoint (a model.safetensors from zerograd lm train, or its run folder)') };
}

/** The corpus cut into the tokenizer's ids. */
function tokenize(c: LmConfig, tokenizer?: Tokenizer): { data: LmData; description: string } {
  const corpus = loadCorpus(c.corpus);
  const tok = tokenizer ?? trainTokenizer(c.tokenizer, corpus.train, c.vocab);
  return { data: { train: Int32Array.from(tok.encode(corpus.train)), val: Int32Array.from(tok.encode(corpus.val)), tokenizer: tok }, description: corpus.description };
}

async function train(args: Args, finetune: boolean): Promise<number> {
  const requested = config(args, finetune);
  const verb = finetune ? 'finetune' : 'train';
  const out = args.string('out') ?? join('runs', finetune ? `lm-${requested.corpus}-${requested.method}` : `lm-${requested.corpus}`);
  const resume = args.flag('resume');
  prepareRunFolder(out, { resume, overwrite: args.flag('overwrite'), checkOnly: true });
  let c = resume ? resumedRecipe(args, out, 'lm', requested, ['iters', 'iters'], FIELDS, (saved, merged) => {
    if ((saved.method === 'pretrain') === finetune) throw new UsageError(`${out} holds a ${saved.method} run; continue it with lm ${finetune ? 'train' : 'finetune'} --resume`);
    if (merged.iters % merged.evalEvery) throw new UsageError(`--iters ${merged.iters} must be a multiple of the run's --eval-every ${merged.evalEvery}`);
  }) : requested;
  let base: { where: string; bytes: Uint8Array } | undefined;
  let tokenizer: Tokenizer | undefined;
  if (finetune) {
    const given = resume ? c.base : args.string('checkpoint');
    if (!given) throw new UsageError('lm finetune needs --checkpoint F (a model.safetensors from lm train, or its run folder)');
    base = readCheckpoint(given);
    const { model, card } = restoreModel(base.bytes, base.where);
    model.dispose();
    const lm = lmCard(card, base.where);
    tokenizer = lm.tokenizer;
    c = { ...c, base: base.where, blockSize: Number(lm.config.blockSize), nLayer: Number(lm.config.nLayer), nHead: Number(lm.config.nHead), nEmbd: Number(lm.config.nEmbd) };
  }
  const backend = await pickBackend(args);
  const { data, description } = tokenize(c, tokenizer);
  say(`${resume ? 'resuming' : finetune ? `fine-tuning ${base!.where} (${c.method})` : 'training'} on ${description}: `
    + `${data.train.length.toLocaleString('en')} training and ${data.val.length.toLocaleString('en')} held-out ${data.tokenizer.name === 'char' ? 'characters' : 'tokens'}`
    + `, vocabulary ${data.tokenizer.size}`);
  let last: LmTask | null = null;
  const result = await runWithInterrupts(args, (hooks) => fit(() => {
    last = new LmTask({ ...c }, data, base);
    say(`model: ${c.nLayer} layers, ${c.nHead} heads, width ${c.nEmbd}, context ${c.blockSize}; ${last.totalParams.toLocaleString('en')} parameters, `
      + `${last.trainableParams.toLocaleString('en')} trainable (${(100 * last.trainableParams / last.totalParams).toFixed(2)} %)`
      + (last.adapted.length ? `; LoRA r ${c.rank}, α ${c.alpha} on ${last.adapted.length} Linears` : ''));
    return last;
  }, {
    out, epochs: c.iters / c.evalEvery, seed: c.seed, resume, overwrite: args.flag('overwrite'), hooks: {
      ...hooks,
      onStart: (i) => { if (i.resumed) say(`continuing from iteration ${i.startEpoch * c.evalEvery + i.startStep + 1}`); },
      onEpoch: (r) => {
        hooks.onEpoch?.(r);
        say(`iter ${r.epoch * c.evalEvery}: train loss ${(r.train_loss as number).toFixed(4)}  val loss ${(r.val_loss as number).toFixed(4)} nats/token`
          + `${data.tokenizer.name === 'char' ? '' : ` (${(r.val_loss_per_char as number).toFixed(4)} nats/char)`}  lr ${r.lr.toExponential(2)}  ${r.seconds.toFixed(1)} s`
          + `  ${Math.round(r.samples_per_second * c.blockSize).toLocaleString('en')} tokens/s`);
      },
    },
  }), 'windows');
  if (result === 'interrupted') return 130;
  const t = last as LmTask | null;
  const lastRecord = result.history[result.history.length - 1];
  let checkpoint = join(out, 'model.safetensors'), merged: string | undefined;
  if (c.method === 'lora') {
    checkpoint = join(out, 'adapters.safetensors');
    merged = join(out, 'merged.safetensors');
    const { model, card } = loadLoraModel(base!, readCheckpoint(checkpoint), { merge: true });
    try { writeFileAtomic(merged, await encodeModule(model, card)); } finally { model.dispose(); }
  }
  const figures = {
    corpus: c.corpus, method: c.method, tokenizer: data.tokenizer.name, vocab: data.tokenizer.size, iters: result.history.length * c.evalEvery,
    val_loss: lastRecord?.val_loss, val_loss_per_char: lastRecord?.val_loss_per_char, train_loss: lastRecord?.train_loss,
    trainable_params: t?.trainableParams, total_params: t?.totalParams, seconds: result.seconds,
    tokens_per_second: result.samplesPerSecond * c.blockSize, backend, checkpoint, merged,
  };
  if (lastRecord) say(`val loss ${(lastRecord.val_loss as number).toFixed(4)} nats/token after ${figures.iters} iterations, ${result.seconds.toFixed(1)} s `
    + `(${Math.round(figures.tokens_per_second).toLocaleString('en')} training tokens/s); ${c.method === 'lora' ? `adapters ${checkpoint}, merged model ${merged}` : `checkpoint ${checkpoint}`}`);
  if (args.flag('json')) printJson(figures);
  return 0;
}

/** The model of --checkpoint: a GPT checkpoint, or LoRA adapters on their base (--base or the one they name). */
function loadModel(args: Args) {
  const given = args.string('checkpoint');
  if (!given) throw new UsageError(`lm ${args.positionals[0]} needs --checkpoint F`);
  const ckpt = readCheckpoint(given);
  const { model, card } = restoreModelOrAdapters(ckpt, args.string('base'));
  try {
    return { path: ckpt.where, model: model as GPT, card, ...lmCard(card, ckpt.where) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function restoreModelOrAdapters(ckpt: { where: string; bytes: Uint8Array }, baseFlag?: string) {
  try {
    return restoreModel(ckpt.bytes, ckpt.where);
  } catch (e) {
    // An adapters file fails as a model (it lacks the base weights): read it as adapters instead.
    const adapters = adapterCard(ckpt);
    if (!adapters) throw e;
    return loadLoraModel(readCheckpoint(baseFlag ?? adapters.base), ckpt, { merge: false });
  }
}

async function evalCheckpoint(args: Args): Promise<number> {
  await pickBackend(args);
  const m = loadModel(args);
  try {
    const corpus = args.has('corpus') ? args.choice('corpus', CORPORA) : (F.corpus as LmConfig['corpus']);
    const c = { ...D, corpus };
    const { data, description } = tokenize(c, m.tokenizer);
    const maxWindows = args.number('eval-windows', { integer: true, min: 1 }) ?? D.evalWindows;
    const blockSize = m.model.config.blockSize;
    say(`scoring ${m.path} on the held-out text of ${description}`);
    const t0 = performance.now();
    const e = await evaluateLm(m.model, data.val, m.tokenizer, { blockSize, maxWindows });
    const seconds = (performance.now() - t0) / 1000;
    say(`val loss ${e.loss.toFixed(4)} nats/token, ${e.lossPerChar.toFixed(4)} nats/char on ${e.tokens.toLocaleString('en')} held-out tokens (${seconds.toFixed(1)} s)`);
    if (args.flag('json')) printJson({ checkpoint: m.path, corpus, val_loss: e.loss, val_loss_per_char: e.lossPerChar, tokens: e.tokens, seconds });
    return 0;
  } finally {
    m.model.dispose();
  }
}

async function sample(args: Args): Promise<number> {
  const tokens = args.number('tokens', { integer: true, min: 1 })!;
  const temperature = args.number('temperature', { min: 0 })!;
  const topK = args.number('top-k', { integer: true, min: 0 })!;
  const seed = args.number('seed', { integer: true, min: 0 }) ?? 0;
  const prompt = args.string('prompt') ?? '\n';
  await pickBackend(args);
  const m = loadModel(args);
  try {
    const ids = m.tokenizer.encode(prompt);
    if (!ids.length) throw new UsageError('--prompt must not be empty');
    const unknown = ids.filter((i) => i === UNK).length;
    if (unknown) note(`note: ${unknown} character${unknown === 1 ? '' : 's'} of --prompt are not in the model's vocabulary (read as <unk>)`);
    process.stdout.write(prompt);
    const out: number[] = [];
    const t0 = performance.now();
    for await (const id of generate(m.model, ids, { tokens, temperature, topK, seed, cache: !args.flag('no-cache'), banned: [PAD, BOS, EOS] })) {
      out.push(id);
      process.stdout.write(m.tokenizer.decode([id]));
    }
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write('\n');
    note(`${tokens} tokens in ${seconds.toFixed(2)} s (${(tokens / seconds).toFixed(0)} tokens/s${args.flag('no-cache') ? ', no cache' : ', key/value cache'})`);
    if (args.flag('json')) printJson({ checkpoint: m.path, prompt, text: m.tokenizer.decode(out), tokens, seconds, tokens_per_second: tokens / seconds, seed, temperature, top_k: topK });
    return 0;
  } finally {
    m.model.dispose();
  }
}
