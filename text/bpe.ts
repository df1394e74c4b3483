// Byte-pair encoding (Sennrich et al. 2016) over characters: start from the corpus's characters
// and repeatedly merge the most frequent adjacent pair into a new token, until the vocabulary has
// the size asked for. Text is first cut into words the way GPT-2 does (a space stays in front of
// the word after it, so merges never cross words); a word is encoded by applying the merges in
// the order they were learned. Ties go to the pair of smaller ids, so training is deterministic.

import { EOS, PAD, BOS, SPECIALS } from './vocab.js';

export interface BPEJSON { kind: 'bpe'; alphabet: string[]; merges: [number, number][] }

const WORDS = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The text cut into words (their concatenation is the text). */
export const splitWords = (text: string): string[] => text.match(WORDS) ?? [];

export class BPE {
  readonly name = 'bpe';
  readonly tokens: string[];
  private readonly index: Map<string, number>;
  /** "a,b" → rank of that merge (its new id is SPECIALS + alphabet + rank). */
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(readonly alphabet: readonly string[], readonly merges: readonly (readonly [number, number])[]) {
    this.tokens = [...SPECIALS, ...alphabet];
    merges.forEach(([a, b], r) => {
      if (!(a < this.tokens.length && b < this.tokens.length && a >= SPECIALS.length && b >= SPECIALS.length)) {
        throw new Error(`BPE: merge ${r} joins token ${a} and ${b}, which do not exist yet`);
      }
      this.ranks.set(`${a},${b}`, r);
      this.tokens.push(this.tokens[a] + this.tokens[b]);
    });
    this.index = new Map(this.tokens.slice(0, SPECIALS.length + alphabet.length).map((t, i) => [t, i]));
  }

  /** Learn merges on `text` until there are `vocabSize` tokens (specials and characters included) or no pair repeats. */
  static train(text: string, vocabSize: number): BPE {
    const counts = new Map<string, number>();
    for (const w of splitWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const alphabet = [...new Set(text)].sort();
    const id = new Map(alphabet.map((c, i) => [c, i + SPECIALS.length]));
    const words = [...counts.entries()].map(([w, n]) => ({ ids: Array.from(w, (c) => id.get(c)!), n }));
    const merges: [number, number][] = [];
    let next = SPECIALS.length + alphabet.length;
    while (next < vocabSize) {
      const pairs = new Map<number, number>();
      for (const { ids, n } of words) for (let i = 0; i + 1 < ids.length; i++) {
        const key = ids[i] * 65536 + ids[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
      let best = -1, bestCount = 1;
      for (const [key, c] of pairs) if (c > bestCount || (c === bestCount && best >= 0 && key < best)) { best = key; bestCount = c; }
      if (best < 0) break;
      const a = Math.floor(best / 65536), b = best % 65536;
      merges.push([a, b]);
      for (const w of words) w.ids = mergePair(w.ids, a, b, next);
      next++;
    }
    return new BPE(alphabet, merges);
  }

  static fromJSON(j: unknown, where: string): BPE {
    const v = j as Partial<BPEJSON> | null;
    const pair = (m: unknown) => Array.isArray(m) && m.length === 2 && m.every(Number.isInteger);
    if (!v || v.kind !== 'bpe' || !Array.isArray(v.alphabet) || !v.alphabet.every((c) => typeof c === 'string') || !Array.isArray(v.merges) || !v.merges.every(pair)) {
      throw new Error(`${where}: not a BPE tokenizer (needs kind 'bpe', an alphabet and a list of merges)`);
    }
    try { return new BPE(v.alphabet, v.merges); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  }

  toJSON(): BPEJSON { return { kind: 'bpe', alphabet: [...this.alphabet], merges: this.merges.map(([a, b]) => [a, b]) }; }

  get size(): number { return this.tokens.length; }

  /** One word's ids: its characters (unknown ones as <unk>), then the merges by rank. */
  private encodeWord(w: string): number[] {
    let ids = this.cache.get(w);
    if (ids) return ids;
    ids = Array.from(w, (c) => this.index.get(c) ?? SPECIALS.indexOf('<unk>'));
    for (;;) {
      let best = -1, at = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(`${ids[i]},${ids[i + 1]}`);
        if (r !== undefined && (best < 0 || r < best)) { best = r; at = i; }
      }
      if (at < 0) break;
      const [a, b] = this.merges[best];
      ids = mergePair(ids, a, b, SPECIALS.length + this.alphabet.length + best);
    }
    this.cache.set(w, ids);
    return ids;
  }

  encode(text: string): number[] { return splitWords(text).flatMap((w) => this.encodeWord(w)); }

  /** Text of ids up to the first EOS, without PAD and BOS. */
  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) {
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      out += this.tokens[id] ?? SPECIALS[3];
    }
    return out;
  }

  pieceLength(id: number): number { return id < SPECIALS.length ? 1 : this.tokens[id].length; }
}

/** Every non-overlapping a b (left to right) replaced by `merged`. */
function mergePair(ids: number[], a: number, b: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(merged); i++; } else out.push(ids[i]);
  }
  return out;
}
