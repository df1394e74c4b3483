// Vocabularies for sequence tasks: characters or words (with '-' kept as its own token, so
// "forty-seven" is forty - seven), and four special tokens at fixed ids. A vocabulary travels in
// the model card, so a checkpoint alone can encode its inputs and decode its outputs.

export const PAD = 0, BOS = 1, EOS = 2, UNK = 3;
export const SPECIALS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;

export type TokenizerKind = 'char' | 'word';

export interface VocabJSON { kind: TokenizerKind; tokens: string[] }

export class Vocab {
  private readonly index: Map<string, number>;

  /** tokens[0..3] are the specials. */
  constructor(readonly kind: TokenizerKind, readonly tokens: readonly string[]) {
    SPECIALS.forEach((s, i) => {
      if (tokens[i] !== s) throw new Error(`Vocab: token ${i} must be '${s}', got '${tokens[i]}'`);
    });
    this.index = new Map(tokens.map((t, i) => [t, i]));
    if (this.index.size !== tokens.length) throw new Error('Vocab: a token appears twice');
  }

  /** The tokens of a text: its characters, or its words and hyphens. */
  static split(kind: TokenizerKind, text: string): string[] {
    return kind === 'char' ? [...text] : text.split(/\s+|(-)/).filter((t) => t !== undefined && t !== '');
  }

  /** Every token of the texts, in sorted order, after the specials. */
  static build(kind: TokenizerKind, texts: Iterable<string>): Vocab {
    const seen = new Set<string>();
    for (const t of texts) for (const tok of Vocab.split(kind, t)) seen.add(tok);
    return new Vocab(kind, [...SPECIALS, ...[...seen].sort()]);
  }

  static fromJSON(j: unknown, where: string): Vocab {
    const v = j as Partial<VocabJSON> | null;
    if (!v || (v.kind !== 'char' && v.kind !== 'word') || !Array.isArray(v.tokens) || !v.tokens.every((t) => typeof t === 'string')) {
      throw new Error(`${where}: not a vocabulary (needs kind 'char' or 'word' and a list of tokens)`);
    }
    try { return new Vocab(v.kind, v.tokens); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  }

  toJSON(): VocabJSON { return { kind: this.kind, tokens: [...this.tokens] }; }

  get size(): number { return this.tokens.length; }

  /** Token ids of a text (unknown tokens become UNK), with BOS/EOS if asked. */
  encode(text: string, o: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = Vocab.split(this.kind, text).map((t) => this.index.get(t) ?? UNK);
    return [...(o.bos ? [BOS] : []), ...ids, ...(o.eos ? [EOS] : [])];
  }

  /** Tokens that are not in the vocabulary (for a clear error on bad input). */
  unknown(text: string): string[] { return Vocab.split(this.kind, text).filter((t) => !this.index.has(t)); }

  /** The tokens of ids up to the first EOS, without PAD and BOS. */
  tokensOf(ids: readonly number[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      out.push(this.tokens[id] ?? SPECIALS[UNK]);
    }
    return out;
  }

  /** Tokens as text: characters joined, or words joined by spaces with hyphens closed up. */
  join(tokens: readonly string[]): string {
    return this.kind === 'char' ? tokens.join('') : tokens.join(' ').replace(/ - /g, '-');
  }

  /** Text of ids (up to EOS). */
  decode(ids: readonly number[]): string { return this.join(this.tokensOf(ids)); }
}
