// Language modelling as a task on the shared loop: a GPT trained to predict the next token of a
// corpus, from scratch (pretraining) or from a checkpoint (fine-tuning: every weight, the output
// head only, or LoRA adapters). Training is counted in iterations, as nanoGPT counts them: an
// "epoch" of the loop is `evalEvery` steps, each a batch of random windows of the training text
// drawn from the epoch's seed, and each epoch ends with the held-out loss on fixed windows. The
// card carries the tokenizer, so `lm sample` needs only the checkpoint.

import { noGrad, tensor, tidy, type Tensor } from '../engine/index.js';
import { buildModel, restoreModel, type GPT } from '../models/index.js';
import {
  AdamW, applyLoRA, CheckpointError, clipGradNorm, decodeSafetensors, mergeLoRA, readCard, CosineAnnealingLR, crossEntropy, LinearLR, LoRAAdapters, SequentialLR, type AnyModule, type LRScheduler, type ModelCard,
  type ModelConfig, type Optimizer,
} from '../nn/index.js';
import { mulberry32, type ChartSpec, type EpochContext, type Task } from '../train/index.js';
import type { CorpusName } from './corpora.js';
import { tokenizerFromJSON, type Tokenizer, type TokenizerName } from './tokenizer.js';

export const METHODS = ['full', 'head', 'lora'] as const;
export type FinetuneMethod = (typeof METHODS)[number];
export const LORA_TARGETS = ['attn', 'all'] as const;
export type LoraTargets = (typeof LORA_TARGETS)[number];

/** The recipe of a run (train-state.json keeps it; --resume reuses it). */
export interface LmConfig {
  corpus: CorpusName;
  tokenizer: TokenizerName;
  /** BPE vocabulary size (specials and characters included). */
  vocab: number;
  iters: number;
  evalEvery: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  lr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  beta2: number;
  clip: number;
  seed: number;
  /** Most held-out windows of blockSize tokens scored per evaluation (spread evenly over the split). */
  evalWindows: number;
  /** Fine-tuning: how, from which checkpoint, and the adapters' rank, scale and targets. */
  method: 'pretrain' | FinetuneMethod;
  base: string;
  rank: number;
  alpha: number;
  targets: LoraTargets;
}

/** nanoGPT's shakespeare_char recipe at its CPU size (config/train_shakespeare_char.py with the README's CPU flags). */
export const PRETRAIN_DEFAULTS: LmConfig = {
  corpus: 'moby-dick', tokenizer: 'char', vocab: 512, iters: 2000, evalEvery: 250, batchSize: 12, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128,
  dropout: 0, lr: 1e-3, minLr: 1e-4, warmup: 100, weightDecay: 0.1, beta2: 0.99, clip: 1, seed: 0, evalWindows: 2000,
  method: 'pretrain', base: '', rank: 8, alpha: 16, targets: 'attn',
};

/** Fine-tuning's defaults: the same budget for every method, a short warm-up. */
export const FINETUNE_DEFAULTS: Partial<LmConfig> = { corpus: 'sotu', iters: 300, evalEvery: 100, warmup: 30, lr: 1e-3, minLr: 1e-4, weightDecay: 0 };

/** A tokenized corpus: ids of the training and held-out text. */
export interface LmData { train: Int32Array; val: Int32Array; tokenizer: Tokenizer }

export const LM_CHARTS: ChartSpec[] = [
  // An epoch of the loop is --eval-every iterations; the train line is the running mean over each.
  { file: 'loss.svg', title: 'Loss per evaluation (epoch = --eval-every iterations)', yLabel: 'cross-entropy (nats per token)', series: [{ key: 'train_loss', name: 'train' }, { key: 'val_loss', name: 'val' }] },
];

/** The Linears LoRA adapts: attention's q/k/v/out projections, or those and the MLP's two layers. */
export const loraTargets = (t: LoraTargets) => (path: string) => /\.self_attn\.(q|k|v|out)_proj$/.test(path) || (t === 'all' && /\.ff\.fc[12]$/.test(path));

/** Windows of blockSize + 1 tokens starting at `starts`: inputs [B, T] and next-token targets [B·T]. */
export function windows(ids: Int32Array, starts: ArrayLike<number>, t: number): { x: Tensor; y: Tensor } {
  const b = starts.length, x = new Int32Array(b * t), y = new Int32Array(b * t);
  for (let i = 0; i < b; i++) {
    x.set(ids.subarray(starts[i], starts[i] + t), i * t);
    y.set(ids.subarray(starts[i] + 1, starts[i] + t + 1), i * t);
  }
  return { x: tensor(x, { shape: [b, t] }), y: tensor(y, { shape: [b * t] }) };
}

export interface LmEvaluation {
  /** Mean cross-entropy per token, and per character of the text those tokens stand for. */
  loss: number;
  lossPerChar: number;
  tokens: number;
}

/** Held-out loss on non-overlapping windows of `ids` (at most `maxWindows`, spread evenly over it). */
export async function evaluateLm(model: GPT, ids: Int32Array, tok: Tokenizer, o: { blockSize: number; maxWindows: number; batch?: number; progress?: (done: number, total: number) => void }): Promise<LmEvaluation> {
  const t = o.blockSize, all = Math.floor((ids.length - 1) / t);
  if (all < 1) throw new Error(`evaluateLm: the held-out text has ${ids.length} tokens, fewer than one window of ${t + 1}`);
  const n = Math.min(all, o.maxWindows), stride = all / n;
  const starts = Int32Array.from({ length: n }, (_, i) => Math.floor(i * stride) * t);
  let nats = 0, chars = 0;
  const batch = o.batch ?? 64;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let i = 0; i < n; i += batch) {
      const s = starts.subarray(i, i + batch);
      const loss = noGrad(() => tidy(() => {
        const { x, y } = windows(ids, s, t);
        return crossEntropy(model.forward(x).reshape([y.size, model.config.vocabSize]), y, { reduction: 'sum' });
      }));
      try { nats += (await loss.data())[0]; } finally { loss.dispose(); }
      for (const st of s) for (let k = 1; k <= t; k++) chars += tok.pieceLength(ids[st + k]);
      o.progress?.(Math.min(i + batch, n), n);
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: nats / (n * t), lossPerChar: nats / chars, tokens: n * t };
}

/** What a fine-tuning run starts from: the base checkpoint's bytes and its path. */
export interface BaseCheckpoint { bytes: Uint8Array; where: string }

/** The tokenizer a language-model card carries. */
export function lmCard(card: ModelCard, where: string): { tokenizer: Tokenizer; config: ModelConfig } {
  const x = card.extra as { tokenizer?: unknown } | undefined;
  if (card.task !== 'language-model' || !x?.tokenizer) throw new Error(`${where}: not a language-model checkpoint (its card's task is '${card.task}')`);
  return { tokenizer: tokenizerFromJSON(x.tokenizer, `${where}: tokenizer`), config: card.config };
}

export class LmTask implements Task {
  readonly name = 'lm';
  readonly size: number;
  readonly batchSize: number;
  readonly modules: Record<string, AnyModule>;
  readonly optimizers: { optimizer: Optimizer };
  readonly schedulers: Record<string, LRScheduler>;
  readonly charts = LM_CHARTS;
  readonly guarded = ['loss'];
  readonly model: GPT;
  readonly modelConfig: ModelConfig;
  /** Parameters the optimiser updates, and all of the model's. */
  readonly trainableParams: number;
  readonly totalParams: number;
  /** LoRA: the adapted Linears' paths. */
  readonly adapted: string[] = [];
  last: LmEvaluation | null = null;
  private lastFigures: Record<string, number> = {};

  constructor(readonly config: LmConfig & Record<string, unknown>, readonly data: LmData, base?: BaseCheckpoint) {
    const c = config;
    if (c.method === 'pretrain') {
      const built = buildModel('gpt', { vocabSize: data.tokenizer.size, blockSize: c.blockSize, nLayer: c.nLayer, nHead: c.nHead, nEmbd: c.nEmbd, dropout: c.dropout });
      this.model = built.model as GPT;
      this.modelConfig = built.config;
    } else {
      if (!base) throw new Error(`lm: fine-tuning (${c.method}) needs the base checkpoint`);
      const { model, card } = restoreModel(base.bytes, base.where);
      this.model = model as GPT;
      this.modelConfig = card.config;
    }
    const model = this.model;
    this.totalParams = count(model.parameters());
    if (c.method === 'head') {
      // The output layer is tied to the token embedding: the head is that matrix and the final LayerNorm.
      model.freeze();
      for (const p of [model.wte.weight, ...(model.blocks.norm?.parameters() ?? [])]) p.requiresGrad = true;
    } else if (c.method === 'lora') {
      this.adapted = applyLoRA(model, loraTargets(c.targets), { rank: c.rank, alpha: c.alpha });
    }
    this.modules = c.method === 'lora' ? { adapters: new LoRAAdapters(model) } : { model };
    const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
    this.trainableParams = count(params.map(([, p]) => p));
    // Weight decay on matrices only (not biases, LayerNorm gains), as nanoGPT.
    this.optimizers = {
      optimizer: new AdamW([
        { name: 'decay', params: params.filter(([, p]) => p.ndim >= 2).map(([, p]) => p), weightDecay: c.weightDecay },
        { name: 'no_decay', params: params.filter(([, p]) => p.ndim < 2).map(([, p]) => p), weightDecay: 0 },
      ], { lr: c.lr, betas: [0.9, c.beta2] }),
    };
    this.batchSize = c.batchSize;
    this.size = c.evalEvery * c.batchSize;
    const opt = this.optimizers.optimizer, warm = Math.min(c.warmup, c.iters - 1), eta = c.minLr;
    const cosine = new CosineAnnealingLR(opt, Math.max(1, c.iters - warm), eta);
    this.schedulers = { lr: warm > 0 ? new SequentialLR(opt, [new LinearLR(opt, 1 / warm, 1, warm), cosine], [warm]) : cosine };
    if (data.train.length <= c.blockSize + 1) throw new Error(`lm: the training text has ${data.train.length} tokens, fewer than one window of ${c.blockSize + 1}`);
  }

  /** evalEvery batches of random window starts, from the epoch's seed alone. */
  batchOrder(seed: number): Int32Array[] {
    const rng = mulberry32(seed), span = this.data.train.length - this.config.blockSize - 1;
    return Array.from({ length: this.config.evalEvery }, () => Int32Array.from({ length: this.batchSize }, () => Math.floor(rng() * span)));
  }

  step(starts: Int32Array) {
    const c = this.config, opt = this.optimizers.optimizer;
    const { x, y } = windows(this.data.train, starts, c.blockSize);
    opt.zeroGrad();
    const loss = crossEntropy(this.model.forward(x).reshape([y.size, this.data.tokenizer.size]), y);
    loss.backward();
    if (c.clip > 0) clipGradNorm(opt.params, c.clip);
    opt.step();
    return { loss };
  }

  async evaluate(ctx: EpochContext): Promise<Record<string, number>> {
    const e = await evaluateLm(this.model, this.data.val, this.data.tokenizer, {
      blockSize: this.config.blockSize, maxWindows: this.config.evalWindows, progress: (d, t) => ctx.progress?.(d, t, 'held-out windows'),
    });
    this.last = e;
    this.lastFigures = { val_loss: e.loss, val_loss_per_char: e.lossPerChar };
    return this.lastFigures;
  }

  cards(): Record<string, ModelCard> {
    const c = this.config;
    const extra = { tokenizer: this.data.tokenizer.toJSON(), corpus: c.corpus, method: c.method };
    const card: ModelCard = {
      architecture: 'gpt', config: this.modelConfig, task: 'language-model', input_shape: [Number(this.modelConfig.blockSize)],
      dataset: { name: c.corpus, classes: [], train_count: this.data.train.length }, seed: c.seed, metrics: this.lastFigures, extra,
    };
    if (c.method !== 'lora') return { model: card };
    return { adapters: { ...card, task: 'lora-adapters', extra: { ...extra, base: c.base, lora: { rank: c.rank, alpha: c.alpha, targets: c.targets, paths: this.adapted } } } };
  }

  state(): unknown { return { lastFigures: this.lastFigures }; }
  loadState(s: unknown): void { this.lastFigures = (s as { lastFigures?: Record<string, number> } | null)?.lastFigures ?? {}; }

  /** The loop frees the modules it saves; a LoRA run's frozen base is freed here. */
  dispose(): void { if (this.config.method === 'lora') this.model.dispose(); }
}

const count = (ps: Tensor[]) => ps.reduce((n, p) => n + p.size, 0);

/** What an adapters file's card says: its base checkpoint and the LoRA settings (null: not an adapters file). */
export function adapterCard(file: BaseCheckpoint): { base: string; rank: number; alpha: number; targets: LoraTargets; card: ModelCard } | null {
  let card: ModelCard;
  try { card = readCard(decodeSafetensors(file.bytes).metadata, file.where); } catch { return null; }
  const x = card.extra as { base?: unknown; lora?: { rank?: unknown; alpha?: unknown; targets?: unknown } } | undefined;
  if (card.task !== 'lora-adapters' || typeof x?.base !== 'string' || !x.lora) return null;
  const { rank, alpha, targets } = x.lora;
  if (!Number.isInteger(rank) || typeof alpha !== 'number' || !LORA_TARGETS.includes(targets as LoraTargets)) {
    throw new CheckpointError(`${file.where}: the adapters' card needs lora.rank, lora.alpha and lora.targets`);
  }
  return { base: x.base, rank: rank as number, alpha, targets: targets as LoraTargets, card };
}

/** A base GPT with LoRA adapters loaded from their own file; with `merge`, folded into plain Linears
 *  (a model of the base's architecture, its card now saying which adapters went into it). */
export function loadLoraModel(base: BaseCheckpoint, adapters: BaseCheckpoint, o: { merge: boolean }): { model: GPT; card: ModelCard } {
  const a = adapterCard(adapters);
  if (!a) throw new CheckpointError(`${adapters.where}: not a LoRA adapters file (its card's task is not 'lora-adapters')`);
  const { model, card } = restoreModel(base.bytes, base.where);
  const gpt = model as GPT;
  try {
    applyLoRA(gpt, loraTargets(a.targets), { rank: a.rank, alpha: a.alpha });
    const state = new Map<string, Tensor>();
    try {
      for (const [name, t] of decodeSafetensors(adapters.bytes).tensors) state.set(name, tensor(t.data, { shape: t.shape }));
      new LoRAAdapters(gpt).loadStateDict(state);
    } catch (e) {
      throw new CheckpointError(`${adapters.where}: does not fit ${base.where}: ${(e as Error).message.replace(/^loadStateDict: /, '')}`);
    } finally {
      for (const t of state.values()) t.dispose();
    }
    if (o.merge) mergeLoRA(gpt);
    const extra = { ...card.extra, ...a.card.extra, tokenizer: card.extra?.tokenizer };
    return { model: gpt, card: { ...a.card, task: 'language-model', metrics: a.card.metrics, extra } };
  } catch (e) {
    gpt.dispose();
    throw e;
  }
}
