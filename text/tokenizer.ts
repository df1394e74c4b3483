// What a language model reads: a tokenizer turns text into ids and back. Characters are
// text/vocab.ts's char vocabulary; subwords are text/bpe.ts's byte-pair encoding. Either travels
// in the model card as JSON, so a checkpoint alone can encode a prompt and decode a sample.

import { BPE, type BPEJSON } from './bpe.js';
import { SPECIALS, Vocab, type VocabJSON } from './vocab.js';

export const TOKENIZERS = ['char', 'bpe'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

export interface Tokenizer {
  readonly name: TokenizerName;
  readonly size: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Characters of text a token stands for (1 for a special: an unknown character). */
  pieceLength(id: number): number;
  toJSON(): VocabJSON | BPEJSON;
}

/** Characters, with text/vocab.ts's specials in front (an unseen character encodes as <unk>). */
export class CharTokenizer implements Tokenizer {
  readonly name = 'char';

  constructor(readonly vocab: Vocab) {
    if (vocab.kind !== 'char') throw new Error(`CharTokenizer: needs a char vocabulary, got a ${vocab.kind} one`);
  }

  static train(text: string): CharTokenizer { return new CharTokenizer(Vocab.build('char', [text])); }

  get size(): number { return this.vocab.size; }
  encode(text: string): number[] { return this.vocab.encode(text); }
  decode(ids: readonly number[]): string { return this.vocab.decode(ids); }
  pieceLength(id: number): number { return id < SPECIALS.length ? 1 : this.vocab.tokens[id].length; }
  toJSON(): VocabJSON { return this.vocab.toJSON(); }
}

export function trainTokenizer(name: TokenizerName, text: string, vocabSize: number): Tokenizer {
  return name === 'bpe' ? BPE.train(text, vocabSize) : CharTokenizer.train(text);
}

export function tokenizerFromJSON(j: unknown, where: string): Tokenizer {
  if ((j as { kind?: unknown } | null)?.kind === 'bpe') return BPE.fromJSON(j, where);
  return new CharTokenizer(Vocab.fromJSON(j, where));
}
