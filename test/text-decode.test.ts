// Decoding the seq2seq Transformer: greedy with the key/value cache equals greedy recomputing the
// prefix, beam search of width 1 equals greedy, wider beams rank their hypotheses; and the
// translate task on the shared loop learns a small copy-like task.

import { describe, expect, it } from 'vitest';
import { manualSeed, memory } from '../engine/index.js';
import { buildModel, type Seq2SeqTransformer } from '../models/index.js';
import { beamSearch, greedyDecode } from '../text/decode.js';
import { crossAttention, drawCrossAttention } from '../text/attention-map.js';
import { evaluateTranslation, TranslateTask, TASK_DEFAULTS } from '../text/translate.js';
import type { TranslationData } from '../text/datasets.js';
import { Vocab } from '../text/vocab.js';
import { fit } from '../train/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function model(seed: number): Seq2SeqTransformer {
  manualSeed(seed);
  return buildModel('transformer', { srcVocab: 9, tgtVocab: 11, dModel: 16, nHead: 2, encoderLayers: 2, decoderLayers: 2, dimFeedforward: 24, dropout: 0, maxLen: 16 })
    .model.eval() as Seq2SeqTransformer;
}
const sources = [[4, 5, 6], [7, 8], [5, 5, 5, 5, 6], [8]];

describe('decoding', () => {
  it('greedy with the cache equals greedy recomputing the prefix (random weights: long, varied outputs)', async () => {
    for (const seed of [1, 2, 3]) {
      const m = model(seed);
      const before = memory().tensors;
      const cached = await greedyDecode(m, sources, { maxLen: 12 });
      const full = await greedyDecode(m, sources, { maxLen: 12, cache: false });
      expect(cached).toEqual(full);
      expect(cached.some((s) => s.length >= 3)).toBe(true);
      expect(memory().tensors).toBe(before);
      m.dispose();
    }
  });
  it('beam search of width 1 equals greedy; wider beams score at least as well as greedy', async () => {
    for (const seed of [4, 5]) {
      const m = model(seed);
      const greedy = await greedyDecode(m, sources, { maxLen: 10 });
      for (let i = 0; i < sources.length; i++) {
        const [one] = await beamSearch(m, sources[i], { beamWidth: 1, maxLen: 10 });
        expect(one.tokens).toEqual(greedy[i]);
        const wide = await beamSearch(m, sources[i], { beamWidth: 4, maxLen: 10 });
        expect(wide.length).toBeGreaterThan(0);
        for (let k = 1; k < wide.length; k++) expect(wide[k].score).toBeLessThanOrEqual(wide[k - 1].score);
        const uncached = await beamSearch(m, sources[i], { beamWidth: 4, maxLen: 10, cache: false });
        expect(uncached.map((h) => h.tokens)).toEqual(wide.map((h) => h.tokens));
        // A finished greedy output is one hypothesis the wide beam considered; the beam's best is no worse.
        if (greedy[i].length < 10 && wide[0].tokens.length < 10) expect(wide[0].logProb).toBeGreaterThanOrEqual(one.logProb - 1e-5);
      }
      m.dispose();
    }
  });
  it('cross-attention maps: one per layer and head, rows sum to 1, drawn as PNG and labelled SVG', async () => {
    const m = model(6);
    const maps = await crossAttention(m, [4, 5, 6], [3, 7]);
    expect(maps.length).toBe(2);
    expect(maps[0].length).toBe(2);
    expect(maps[0][0].length).toBe(3);
    for (const row of maps[1][1]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const { svg, png } = drawCrossAttention(maps, ['a', 'b', 'c'], ['x', 'y']);
    expect(Array.from(png.slice(1, 4), (c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(svg).toContain('layer 2, head 2');
    expect(svg).toContain('&lt;eos&gt;');
    expect(m.crossAttention().every((a) => a.lastWeights === null)).toBe(true);
    m.dispose();
  });
});

describe('the translate task', () => {
  it('learns to reverse short digit strings on the shared loop, and saves both vocabularies in the card', async () => {
    const pairs = (n: number, seed: number) => Array.from({ length: n }, (_, i) => {
      const s = String((i * 7919 + seed * 104729) % 900 + 100);
      return { src: s, tgt: [[...s].reverse().join(' ')] };
    });
    const data: TranslationData = { name: 'numbers-en', description: 'reverse', train: pairs(600, 1), test: pairs(40, 2), srcKind: 'char', tgtKind: 'word' };
    const dir = mkdtempSync(join(tmpdir(), 'zg-translate-'));
    try {
      let task: TranslateTask | null = null;
      const c = { ...TASK_DEFAULTS['numbers-en'], epochs: 8, batchSize: 32, lr: 5e-3, warmupSteps: 20, dModel: 32, nHead: 2, layers: 1, dimFeedforward: 64, labelSmoothing: 0 };
      const r = await fit(() => (task = new TranslateTask(c, data)), { out: dir, epochs: 8, seed: 0 });
      const last = r.history[r.history.length - 1];
      expect(last.train_loss as number).toBeLessThan((r.history[0].train_loss as number) * 0.5);
      expect(last.test_exact_match as number).toBeGreaterThan(0.6);
      const card = task!.cards().model;
      expect(Vocab.fromJSON((card.extra as { tgt_vocab: unknown }).tgt_vocab, 'card').tokens).toContain('7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it('exact match counts whole outputs', async () => {
    const m = model(7);
    const src = new Vocab('char', ['<pad>', '<bos>', '<eos>', '<unk>', '1', '2', '3', '4', '5']);
    const tgt = new Vocab('char', ['<pad>', '<bos>', '<eos>', '<unk>', 'a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const e = await evaluateTranslation(m, { vocab: src, alignRight: true, length: 4 }, tgt, [{ src: '12', tgt: ['zz'] }], { task: 'numbers-zh', maxLen: 5 });
    expect(e.exact_match).toBe(0);
    expect(e.items).toBe(1);
    m.dispose();
  });
});
