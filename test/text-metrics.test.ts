// Error rates on hand-made cases: edit distance, word error rate with several references per word,
// phoneme error rate over the nearest reference; and CMUdict parsing with its word-level split.

import { describe, expect, it } from 'vitest';
import { parseCmudict, splitG2P } from '../text/cmudict.js';
import { editDistance, errorRates } from '../text/metrics.js';
import { bucketedBatches } from '../train/index.js';

const t = (s: string) => s.split(' ').filter(Boolean);

describe('error rates', () => {
  it('edit distance: insertions, deletions, substitutions', () => {
    expect(editDistance(t('K AE T'), t('K AE T'))).toBe(0);
    expect(editDistance(t('K AE T'), t('K AE T S'))).toBe(1);
    expect(editDistance(t('K AE T'), t('AE T'))).toBe(1);
    expect(editDistance(t('K AE T'), t('B AE D'))).toBe(2);
    expect(editDistance([], t('A B C'))).toBe(3);
    expect(editDistance(t('S IH T IH NG'), t('K IH T AH N'))).toBe(3);
  });
  it('WER and PER: any listed pronunciation counts, PER uses the nearest one', () => {
    // 1: exact (second reference); 2: one substitution against a 4-phoneme reference; 3: empty output vs 2 phonemes.
    const hyps = [t('L IH V'), t('R EH D IY'), []];
    const refs = [[t('L AY V'), t('L IH V')], [t('R EH D IH'), t('R IY D IH NG')], [t('AH Z')]];
    const r = errorRates(hyps, refs);
    expect(r.wer).toBeCloseTo(2 / 3, 10);
    expect(r.per).toBeCloseTo((0 + 1 + 2) / (3 + 4 + 2), 10);
    expect(r.items).toBe(3);
    expect(r.tokens).toBe(9);
    expect(() => errorRates([[]], [])).toThrow(/1 outputs but 0 reference lists/);
  });
});

describe('CMUdict', () => {
  const text = ['A  AH0', 'A(1)  EY1', "A'S  EY1 Z", 'A.  EY1', 'LIVE  L AY1 V', 'LIVE(1)  L IH1 V', 'READ  R IY1 D', 'READ(1)  R EH1 D',
    '{BRACE  B R EY1 S', 'CAT  K AE1 T', 'DOG  D AO1 G', 'X42  EH1 K S', ''].join('\n');
  it('keeps words of letters and apostrophes, drops stress, gathers variants', () => {
    const d = parseCmudict(text, 'dict.txt');
    expect([...d.keys()]).toEqual(['a', "a's", 'live', 'read', 'cat', 'dog']);
    expect(d.get('live')).toEqual([['L', 'AY', 'V'], ['L', 'IH', 'V']]);
  });
  it('holds out whole words: every pronunciation of a word on one side', () => {
    const d = parseCmudict(text, 'dict.txt');
    const s = splitG2P(d, 3, 0.34);
    expect(s.test.length).toBe(2);
    const testWords = new Set(s.test.map((p) => p.src));
    expect(s.train.some((p) => testWords.has(p.src))).toBe(false);
    expect(s.train.length + s.test.reduce((n, p) => n + p.tgt.length, 0)).toBe(9);
    expect(splitG2P(d, 3, 0.34)).toEqual(s);
  });
});

describe('batches bucketed by length', () => {
  it('every item once, ceil(n / batch) batches of similar lengths, seeded', () => {
    const lengths = Array.from({ length: 1000 }, (_, i) => (i * 37) % 29);
    const b = bucketedBatches(lengths, 16, 5, 10);
    expect(b.length).toBe(Math.ceil(1000 / 16));
    const all = b.flatMap((x) => Array.from(x)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const spread = b.map((x) => Math.max(...Array.from(x, (i) => lengths[i])) - Math.min(...Array.from(x, (i) => lengths[i])));
    expect(spread.reduce((s, v) => s + v, 0) / spread.length).toBeLessThan(6);
    expect(bucketedBatches(lengths, 16, 5, 10)).toEqual(b);
    expect(bucketedBatches(lengths, 16, 6, 10)).not.toEqual(b);
  });
});
