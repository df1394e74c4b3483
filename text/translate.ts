// Sequence-to-sequence translation as a task on the shared loop: the encoder–decoder Transformer,
// batches bucketed by length, label-smoothed cross-entropy that ignores padding, AdamW with a
// linear warm-up then cosine decay. Each epoch it greedily decodes held-out items (a subset, all
// of them after the last epoch) and scores them: exact match for numbers, word and phoneme error
// rates for G2P. The card carries both vocabularies, so `translate run` needs only the checkpoint.

import { noGrad, type Tensor } from '../engine/index.js';
import { buildModel, type Seq2SeqTransformer } from '../models/index.js';
import {
  AdamW, clipGradNorm, CosineAnnealingLR, crossEntropy, LinearLR, SequentialLR, type LRScheduler, type ModelCard, type ModelConfig, type Optimizer,
} from '../nn/index.js';
import { bucketedBatches, type ChartSpec, type Task } from '../train/index.js';
import { padBatch, teacherForcing } from './batching.js';
import type { TranslationData, TranslationTaskName } from './datasets.js';
import { greedyDecode } from './decode.js';
import { errorRates } from './metrics.js';
import { PAD, Vocab } from './vocab.js';

/** The recipe of a translation run (train-state.json keeps it; --resume reuses it). */
export interface TranslateConfig {
  task: TranslationTaskName;
  epochs: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  labelSmoothing: number;
  clip: number;
  seed: number;
  /** Generated training pairs and held-out numbers (numbers tasks). */
  trainSize: number;
  testSize: number;
  /** Held-out items decoded after each epoch but the last (0: all). */
  evalLimit: number;
  dModel: number;
  nHead: number;
  layers: number;
  dimFeedforward: number;
  dropout: number;
  activation: 'gelu' | 'relu';
  /** Left-pad every source to the longest (masked padding), so a token's position counts from the
   *  end: a digit's place value is then where it stands (the numbers tasks). */
  alignRight: boolean;
}

const COMMON = { lr: 1e-3, weightDecay: 0.01, labelSmoothing: 0.1, clip: 1, seed: 0, trainSize: 0, testSize: 0, nHead: 4, activation: 'relu' as const };

/** Sized for this project's 2-core CPU (see the README for the times they take). */
export const TASK_DEFAULTS: Record<TranslationTaskName, TranslateConfig> = {
  'numbers-zh': { ...COMMON, alignRight: true, task: 'numbers-zh', epochs: 1, batchSize: 64, warmupSteps: 100, trainSize: 60000, testSize: 2000, evalLimit: 500, dModel: 96, layers: 2, dimFeedforward: 256, dropout: 0 },
  'numbers-en': { ...COMMON, alignRight: true, task: 'numbers-en', epochs: 1, batchSize: 64, warmupSteps: 100, trainSize: 60000, testSize: 2000, evalLimit: 500, dModel: 96, layers: 2, dimFeedforward: 256, dropout: 0 },
  g2p: { ...COMMON, alignRight: false, task: 'g2p', epochs: 1, batchSize: 64, lr: 2e-3, warmupSteps: 300, evalLimit: 500, dModel: 128, layers: 2, dimFeedforward: 512, dropout: 0.1 },
};

export interface Encoded { src: number[][]; tgt: number[][] }

/** How a task turns source texts into ids: plain, or left-padded to `length` (alignRight). */
export interface SourceFormat { vocab: Vocab; alignRight: boolean; length: number }

export function encodeSource(f: SourceFormat, text: string): number[] {
  const ids = f.vocab.encode(text);
  if (!f.alignRight) return ids;
  if (ids.length > f.length) throw new Error(`'${text}' has ${ids.length} tokens; this model reads at most ${f.length}`);
  return [...new Array<number>(f.length - ids.length).fill(PAD), ...ids];
}

export interface TranslationEvaluation {
  /** Numbers: outputs equal to the reference. */
  exact_match?: number;
  /** G2P: word and phoneme error rates. */
  wer?: number;
  per?: number;
  items: number;
  /** A few outputs beside their references. */
  samples: { input: string; output: string; reference: string }[];
}

/** Greedy-decode `items` of the held-out set in batches and score them. */
export async function evaluateTranslation(model: Seq2SeqTransformer, src: SourceFormat, tgtVocab: Vocab, test: TranslationData['test'],
  o: { task: TranslationTaskName; maxLen: number; batch?: number; limit?: number }): Promise<TranslationEvaluation> {
  const items = o.limit ? test.slice(0, o.limit) : test;
  const batch = o.batch ?? 256;
  model.eval();
  const outputs: string[][] = [];
  try {
    for (let i = 0; i < items.length; i += batch) {
      const chunk = items.slice(i, i + batch);
      const ids = await greedyDecode(model, chunk.map((p) => encodeSource(src, p.src)), { maxLen: o.maxLen });
      outputs.push(...ids.map((x) => tgtVocab.tokensOf(x)));
    }
  } finally {
    model.train();
  }
  const refs = items.map((p) => p.tgt.map((t) => Vocab.split(tgtVocab.kind, t)));
  const rates = errorRates(outputs, refs);
  const samples = items.slice(0, 5).map((p, i) => ({ input: p.src, output: tgtVocab.join(outputs[i]), reference: p.tgt[0] }));
  return o.task === 'g2p'
    ? { wer: rates.wer, per: rates.per, items: items.length, samples }
    : { exact_match: 1 - rates.wer, items: items.length, samples };
}

export const TRANSLATE_CHARTS: ChartSpec[] = [
  { file: 'loss.svg', title: 'Loss per epoch', yLabel: 'label-smoothed cross-entropy', series: [{ key: 'train_loss', name: 'train' }] },
  { file: 'accuracy.svg', title: 'Held-out figures per epoch', yLabel: 'rate', series: [
    { key: 'train_token_accuracy', name: 'train token accuracy' }, { key: 'test_exact_match', name: 'exact match' },
    { key: 'test_wer', name: 'WER' }, { key: 'test_per', name: 'PER' }] },
];

export class TranslateTask implements Task {
  readonly name = 'translate';
  readonly size: number;
  readonly batchSize: number;
  readonly modules: { model: Seq2SeqTransformer };
  readonly optimizers: { optimizer: Optimizer };
  readonly schedulers: Record<string, LRScheduler>;
  readonly charts = TRANSLATE_CHARTS;
  readonly guarded = ['loss'];
  readonly srcVocab: Vocab;
  readonly tgtVocab: Vocab;
  readonly source: SourceFormat;
  readonly modelConfig: ModelConfig;
  /** Longest output decoding may produce. */
  readonly maxOutput: number;
  readonly train: Encoded;
  last: TranslationEvaluation | null = null;
  private lastFigures: Record<string, number> = {};

  constructor(readonly config: TranslateConfig & Record<string, unknown>, readonly data: TranslationData, vocabs?: { src: Vocab; tgt: Vocab }) {
    const c = config;
    this.srcVocab = vocabs?.src ?? Vocab.build(data.srcKind, data.train.map((p) => p.src));
    this.tgtVocab = vocabs?.tgt ?? Vocab.build(data.tgtKind, data.train.flatMap((p) => p.tgt));
    const longest = (xs: number[][]) => xs.reduce((m, x) => Math.max(m, x.length), 0);
    const srcLength = longest([...data.train, ...data.test].map((p) => this.srcVocab.encode(p.src)));
    this.source = { vocab: this.srcVocab, alignRight: c.alignRight, length: srcLength };
    this.train = {
      src: data.train.map((p) => encodeSource(this.source, p.src)),
      tgt: data.train.map((p) => this.tgtVocab.encode(p.tgt[0])),
    };
    const testTgt = longest(data.test.flatMap((p) => p.tgt.map((t) => this.tgtVocab.encode(t))));
    this.maxOutput = Math.max(longest(this.train.tgt), testTgt) + 4;
    const built = buildModel('transformer', {
      srcVocab: this.srcVocab.size, tgtVocab: this.tgtVocab.size, dModel: c.dModel, nHead: c.nHead, encoderLayers: c.layers,
      decoderLayers: c.layers, dimFeedforward: c.dimFeedforward, dropout: c.dropout, activation: c.activation, padId: PAD,
      maxLen: roundUp(Math.max(srcLength, this.maxOutput)) + 1,
    });
    this.modelConfig = built.config;
    const model = built.model as Seq2SeqTransformer;
    this.modules = { model };
    // No weight decay on biases, LayerNorm gains and positional tables (vectors); the rest decays.
    const params = model.namedParameters();
    this.optimizers = {
      optimizer: new AdamW([
        { name: 'decay', params: params.filter(([, p]) => p.ndim >= 2).map(([, p]) => p), weightDecay: c.weightDecay },
        { name: 'no_decay', params: params.filter(([, p]) => p.ndim < 2).map(([, p]) => p), weightDecay: 0 },
      ], { lr: c.lr, betas: [0.9, 0.98] }),
    };
    this.size = data.train.length;
    this.batchSize = c.batchSize;
    const total = c.epochs * Math.ceil(this.size / c.batchSize), warm = Math.min(c.warmupSteps, total - 1);
    const opt = this.optimizers.optimizer;
    this.schedulers = {
      lr: warm > 0
        ? new SequentialLR(opt, [new LinearLR(opt, 1 / warm, 1, warm), new CosineAnnealingLR(opt, Math.max(1, total - warm))], [warm])
        : new CosineAnnealingLR(opt, Math.max(1, total)),
    };
  }

  batchOrder(seed: number): Int32Array[] {
    return bucketedBatches(this.train.src.map((s, i) => s.length + this.train.tgt[i].length), this.batchSize, seed);
  }

  step(idx: Int32Array) {
    const c = this.config, model = this.modules.model, opt = this.optimizers.optimizer;
    const src = padBatch(Array.from(idx, (i) => this.train.src[i]), roundUp(Math.max(...Array.from(idx, (i) => this.train.src[i].length))));
    const { input, output } = teacherForcing(Array.from(idx, (i) => this.train.tgt[i]), roundUp(1 + Math.max(...Array.from(idx, (i) => this.train.tgt[i].length))));
    opt.zeroGrad();
    const logits = model.forward(src, input);
    const flat = logits.reshape([output.size, this.tgtVocab.size]);
    const loss = crossEntropy(flat, output, { labelSmoothing: c.labelSmoothing, ignoreIndex: PAD });
    loss.backward();
    if (c.clip > 0) clipGradNorm(model.parameters(), c.clip);
    opt.step();
    return { loss, token_accuracy: noGrad(() => tokenAccuracy(flat, output)) };
  }

  async evaluate(ctx: { epoch: number; epochs: number }): Promise<Record<string, number>> {
    const final = ctx.epoch >= ctx.epochs;
    const e = await evaluateTranslation(this.modules.model, this.source, this.tgtVocab, this.data.test, {
      task: this.config.task, maxLen: this.maxOutput, limit: final ? 0 : this.config.evalLimit, batch: this.batchSize,
    });
    this.last = e;
    this.lastFigures = Object.fromEntries(Object.entries({ test_exact_match: e.exact_match, test_wer: e.wer, test_per: e.per, test_items: e.items })
      .filter((kv): kv is [string, number] => kv[1] !== undefined));
    return this.lastFigures;
  }

  cards(): Record<string, ModelCard> {
    return {
      model: {
        architecture: 'transformer', config: this.modelConfig, task: 'translation', input_shape: [],
        dataset: { name: this.config.task, classes: [], train_count: this.size }, seed: this.config.seed, metrics: this.lastFigures,
        extra: {
          task: this.config.task, src_vocab: this.srcVocab.toJSON(), tgt_vocab: this.tgtVocab.toJSON(), max_output: this.maxOutput,
          src_align_right: this.source.alignRight, src_length: this.source.length,
        },
      },
    };
  }

  state(): unknown { return { lastFigures: this.lastFigures }; }
  loadState(s: unknown): void { this.lastFigures = (s as { lastFigures?: Record<string, number> } | null)?.lastFigures ?? {}; }
}

/** Batch lengths go up in steps of 4: bucketed batches of every length would otherwise each leave
 *  their own buffer sizes in the CPU heap's free lists (which never merge), and a long G2P run
 *  filled its 2 GiB that way. */
const roundUp = (n: number) => Math.ceil(n / 4) * 4;

/** Share of non-padding targets whose arg-max logit is right. */
function tokenAccuracy(logits: Tensor, target: Tensor): Tensor {
  const counted = target.ne(PAD).float();
  return logits.argmax(1).eq(target).float().mul(counted).sum().div(counted.sum().maximum(1));
}

/** The vocabularies and settings a translation checkpoint's card carries. */
export function translationCard(card: ModelCard, where: string): { task: TranslationTaskName; source: SourceFormat; tgt: Vocab; maxOutput: number } {
  const x = card.extra as { task?: TranslationTaskName; src_vocab?: unknown; tgt_vocab?: unknown; max_output?: number; src_align_right?: boolean; src_length?: number } | undefined;
  if (card.task !== 'translation' || !x || !x.task) throw new Error(`${where}: not a translation checkpoint (its card's task is '${card.task}')`);
  const vocab = Vocab.fromJSON(x.src_vocab, `${where}: source vocabulary`);
  return {
    task: x.task, source: { vocab, alignRight: !!x.src_align_right, length: x.src_length ?? 0 },
    tgt: Vocab.fromJSON(x.tgt_vocab, `${where}: target vocabulary`), maxOutput: x.max_output ?? 64,
  };
}
