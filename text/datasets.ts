// The translation tasks' data: generated numbers (→ Chinese, → English) with their held-out
// numbers, and CMUdict spelling → pronunciation with its held-out words; each with the kinds of
// tokens its two sides are cut into.

import { mulberry32 } from '../train/index.js';
import { loadCmudict, splitG2P } from './cmudict.js';
import { numberPairs, type Pair } from './numbers.js';
import type { TokenizerKind } from './vocab.js';

export const TRANSLATION_TASKS = ['numbers-zh', 'numbers-en', 'g2p'] as const;
export type TranslationTaskName = (typeof TRANSLATION_TASKS)[number];

export interface TranslationData {
  name: TranslationTaskName;
  /** One line for the command's output. */
  description: string;
  train: Pair[];
  /** Held out; each item lists every correct output. */
  test: Pair[];
  srcKind: TokenizerKind;
  tgtKind: TokenizerKind;
}

export interface DataOptions {
  /** Generated training pairs (numbers tasks). */
  trainSize: number;
  /** Held-out pairs (numbers tasks; G2P holds out 10 % of the dictionary). */
  testSize: number;
  /** Seeds the numbers drawn for training, or the G2P split. The numbers' test set is the same for every seed. */
  seed: number;
}

export function loadTranslationData(task: TranslationTaskName, o: DataOptions): TranslationData {
  if (task === 'g2p') {
    const { train, test } = splitG2P(loadCmudict(), o.seed);
    return {
      name: task, train, test, srcKind: 'char', tgtKind: 'word',
      description: `CMUdict: ${train.length} training pronunciations, ${test.length} held-out words (10 %, seed ${o.seed})`,
    };
  }
  const lang = task === 'numbers-zh' ? 'zh' : 'en';
  const train = numberPairs(lang, o.trainSize, false, mulberry32(1000 + o.seed));
  const test = numberPairs(lang, o.testSize, true, mulberry32(7));
  return {
    name: task, train, test, srcKind: 'char', tgtKind: lang === 'zh' ? 'char' : 'word',
    description: `numbers below 10^12 → ${lang === 'zh' ? 'Chinese numerals' : 'English words'}: ${train.length} generated training pairs, ${test.length} held-out numbers`,
  };
}
