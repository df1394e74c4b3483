// Numbers into words: the Chinese numeral rules (零, 十/一十, 万, 亿) and the English words against
// hand-written tables, the held-out numbers that training never shows, and the vocabularies.

import { describe, expect, it } from 'vitest';
import { isHeldOut, numberPairs, sampleNumber, toChinese, toEnglish } from '../text/numbers.js';
import { BOS, EOS, PAD, UNK, Vocab } from '../text/vocab.js';
import { mulberry32 } from '../train/index.js';

// Written out by hand (standard readings, 二 throughout, no 两).
const CHINESE: [number, string][] = [
  [0, '零'], [1, '一'], [7, '七'], [10, '十'], [11, '十一'], [15, '十五'], [19, '十九'], [20, '二十'], [21, '二十一'], [99, '九十九'],
  [100, '一百'], [101, '一百零一'], [110, '一百一十'], [111, '一百一十一'], [200, '二百'], [305, '三百零五'],
  [1000, '一千'], [1001, '一千零一'], [1010, '一千零一十'], [1100, '一千一百'], [2047, '二千零四十七'], [9999, '九千九百九十九'],
  [10000, '一万'], [10001, '一万零一'], [10010, '一万零一十'], [10100, '一万零一百'], [11000, '一万一千'],
  [100000, '十万'], [100001, '十万零一'], [150000, '十五万'], [200001, '二十万零一'],
  [1000000, '一百万'], [1001000, '一百万一千'], [1020304, '一百零二万零三百零四'],
  [10000000, '一千万'], [10000010, '一千万零一十'], [10203040, '一千零二十万三千零四十'], [20010000, '二千零一万'],
  [100000000, '一亿'], [100000001, '一亿零一'], [100010000, '一亿零一万'], [110000000, '一亿一千万'], [500000600, '五亿零六百'],
  [1000001000, '十亿零一千'], [1000100000, '十亿零一十万'], [300000000000, '三千亿'],
  [123456789012, '一千二百三十四亿五千六百七十八万九千零一十二'],
  [999999999999, '九千九百九十九亿九千九百九十九万九千九百九十九'],
];

const ENGLISH: [number, string][] = [
  [0, 'zero'], [5, 'five'], [13, 'thirteen'], [20, 'twenty'], [21, 'twenty-one'], [100, 'one hundred'], [101, 'one hundred one'],
  [110, 'one hundred ten'], [305, 'three hundred five'], [999, 'nine hundred ninety-nine'], [1000, 'one thousand'],
  [2047, 'two thousand forty-seven'], [10000, 'ten thousand'], [100001, 'one hundred thousand one'], [1000001, 'one million one'],
  [1234567, 'one million two hundred thirty-four thousand five hundred sixty-seven'], [40000000, 'forty million'],
  [1000000000, 'one billion'],
  [999999999999, 'nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine'],
];

describe('numbers into words', () => {
  it.each(CHINESE)('%d in Chinese is %s', (n, zh) => expect(toChinese(n)).toBe(zh));
  it.each(ENGLISH)('%d in English is %s', (n, en) => expect(toEnglish(n)).toBe(en));
  it('refuses what is not an integer in [0, 10^12)', () => {
    for (const bad of [-1, 1.5, 1e12, NaN]) expect(() => toChinese(bad)).toThrow(/is not an integer in \[0, 10\^12\)/);
  });
  it('samples every length from 1 to 12 digits, with zero-heavy numbers', () => {
    const r = mulberry32(1);
    const lengths = new Set<number>();
    let zeros = 0, digits = 0;
    for (let i = 0; i < 3000; i++) {
      const s = String(sampleNumber(r));
      lengths.add(s.length);
      zeros += s.split('0').length - 1; digits += s.length;
    }
    expect([...lengths].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(zeros / digits).toBeGreaterThan(0.25);
  });
  it('held-out numbers: about 1 in 20, never in the training pairs, and the test pairs are all held out', () => {
    let held = 0;
    for (let n = 0; n < 100000; n++) if (isHeldOut(n)) held++;
    expect(held / 100000).toBeGreaterThan(0.045);
    expect(held / 100000).toBeLessThan(0.055);
    const train = numberPairs('zh', 3000, false, mulberry32(2)), test = numberPairs('zh', 300, true, mulberry32(3));
    expect(train.every((p) => !isHeldOut(Number(p.src)))).toBe(true);
    expect(test.every((p) => isHeldOut(Number(p.src)))).toBe(true);
    const trainSet = new Set(train.map((p) => p.src));
    expect(test.some((p) => trainSet.has(p.src))).toBe(false);
    // Test numbers are distinct; training repeats draws, so short numbers come up as often as long ones.
    expect(new Set(test.map((p) => p.src)).size).toBe(300);
    expect(train.filter((p) => p.src.length <= 2).length).toBeGreaterThan(300);
    expect(test[0].tgt[0]).toBe(toChinese(Number(test[0].src)));
  });
});

describe('vocabularies', () => {
  it('characters: specials first, encode and decode round trip, unknown tokens', () => {
    const v = Vocab.build('char', ['二千零四十七', '三百零五']);
    expect(v.tokens.slice(0, 4)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    const ids = v.encode('三百零五', { bos: true, eos: true });
    expect(ids[0]).toBe(BOS);
    expect(ids[ids.length - 1]).toBe(EOS);
    expect(v.decode([...ids, PAD, 5])).toBe('三百零五');
    expect(v.encode('九')).toEqual([UNK]);
    expect(v.unknown('九万')).toEqual(['九', '万']);
    expect(Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())), 'card').tokens).toEqual(v.tokens);
  });
  it('words: hyphens are tokens of their own and close up again', () => {
    const v = Vocab.build('word', ['two thousand forty-seven']);
    expect(Vocab.split('word', 'two thousand forty-seven')).toEqual(['two', 'thousand', 'forty', '-', 'seven']);
    expect(v.decode(v.encode('two thousand forty-seven'))).toBe('two thousand forty-seven');
    expect(() => Vocab.fromJSON({ kind: 'char', tokens: ['a'] }, 'x.safetensors')).toThrow(/x.safetensors: Vocab: token 0 must be '<pad>'/);
  });
});
