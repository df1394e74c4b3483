// Decoding a seq2seq model: greedy (a batch at a time) and beam search, both one position per
// step with the decoder's key/value cache, or by recomputing the whole prefix each step (what
// the cache must equal: a test holds them together).

import { indexSelect, keep, logSoftmax, narrow, noGrad, tensor, tidy, type Tensor } from '../engine/index.js';
import type { DecoderCache } from '../nn/index.js';
import { padBatch } from './batching.js';
import { BOS, EOS } from './vocab.js';

/** What decoding needs of a model (models/transformer.ts's Seq2SeqTransformer). */
export interface Seq2Seq {
  paddingMask(ids: Tensor): Tensor;
  encode(src: Tensor, srcPad?: Tensor): Tensor;
  decode(tgt: Tensor, memory: Tensor, srcPad: Tensor | null, o?: { cache?: DecoderCache; offset?: number }): Tensor;
  makeCache(): DecoderCache;
}

export interface DecodeOptions {
  /** Most output tokens (EOS not counted). */
  maxLen: number;
  /** Use the key/value cache (default) or recompute the prefix every step. */
  cache?: boolean;
}

/** Encoded sources, kept until release(). */
function encoded(model: Seq2Seq, src: readonly (readonly number[])[]) {
  return noGrad(() => tidy(() => {
    const ids = padBatch(src);
    const pad = model.paddingMask(ids);
    return { memory: keep(model.encode(ids, pad)), pad: keep(pad) };
  }));
}

/** One step's log-probabilities of the next token, [rows, V], read back. `prefix` holds every row's tokens so far. */
async function nextLogProbs(model: Seq2Seq, prefix: readonly (readonly number[])[], memory: Tensor, pad: Tensor, cache: DecoderCache | null): Promise<Float32Array> {
  const t = prefix[0].length;
  const lp = noGrad(() => tidy(() => {
    const input = cache ? tensor(Int32Array.from(prefix, (p) => p[t - 1]), { shape: [prefix.length, 1] }) : padBatch(prefix);
    const logits = model.decode(input, memory, pad, { cache: cache ?? undefined, offset: cache ? t - 1 : 0 });
    const last = cache ? logits : narrow(logits, 1, t - 1, 1);
    return logSoftmax(last.reshape([prefix.length, last.shape[2]]), 1);
  }));
  try { return (await lp.data()) as Float32Array; } finally { lp.dispose(); }
}

/** Greedy decoding of a batch of sources: each output without BOS and EOS. */
export async function greedyDecode(model: Seq2Seq, src: readonly (readonly number[])[], o: DecodeOptions): Promise<number[][]> {
  const { memory, pad } = encoded(model, src);
  const cache = o.cache === false ? null : model.makeCache();
  const seqs = src.map(() => [BOS]);
  const done = src.map(() => false);
  try {
    for (let step = 0; step < o.maxLen && done.includes(false); step++) {
      const lp = await nextLogProbs(model, seqs, memory, pad, cache);
      const v = lp.length / seqs.length;
      seqs.forEach((s, i) => {
        // Finished rows keep decoding (the batch moves together) but their tokens are dropped.
        let best = 0;
        for (let k = 1; k < v; k++) if (lp[i * v + k] > lp[i * v + best]) best = k;
        s.push(done[i] ? EOS : best);
        if (best === EOS) done[i] = true;
      });
    }
  } finally {
    cache?.dispose(); memory.dispose(); pad.dispose();
  }
  return seqs.map((s) => { const out = s.slice(1); const e = out.indexOf(EOS); return e < 0 ? out : out.slice(0, e); });
}

export interface BeamOptions extends DecodeOptions {
  beamWidth: number;
  /** Finished hypotheses are ranked by log p / length^alpha (0: raw log-probability). */
  lengthPenalty?: number;
}

export interface Hypothesis { tokens: number[]; logProb: number; score: number }

/** Beam search for one source; returns the finished hypotheses, best first (at most beamWidth). */
export async function beamSearch(model: Seq2Seq, src: readonly number[], o: BeamOptions): Promise<Hypothesis[]> {
  const w = o.beamWidth, alpha = o.lengthPenalty ?? 0;
  if (!(Number.isInteger(w) && w >= 1)) throw new Error(`beamSearch: beamWidth must be a positive integer, got ${w}`);
  // The source repeated once per beam: every beam attends to the same memory.
  const { memory: one, pad: onePad } = encoded(model, [src]);
  const rows = keep(tensor(new Int32Array(w)));
  const memoryW = keep(noGrad(() => indexSelect(one, 0, rows))), padW = keep(noGrad(() => indexSelect(onePad, 0, rows)));
  one.dispose(); onePad.dispose(); rows.dispose();
  const cache = o.cache === false ? null : model.makeCache();
  let beams: { seq: number[]; logProb: number }[] = [{ seq: [BOS], logProb: 0 }];
  const finished: Hypothesis[] = [];
  const score = (logProb: number, len: number) => (alpha ? logProb / Math.pow(len, alpha) : logProb);
  try {
    for (let step = 0; step < o.maxLen && beams.length; step++) {
      const k = beams.length;
      const mem = k === w ? memoryW : noGrad(() => narrow(memoryW, 0, 0, k)), pad = k === w ? padW : noGrad(() => narrow(padW, 0, 0, k));
      let lp: Float32Array;
      try { lp = await nextLogProbs(model, beams.map((b) => b.seq), mem, pad, cache); } finally { if (k !== w) { mem.dispose(); pad.dispose(); } }
      const v = lp.length / k;
      // The best w continuations of all beams; ties go to the lower beam, then the lower token (as greedy's argmax).
      const cand: { beam: number; token: number; logProb: number }[] = [];
      for (let b = 0; b < k; b++) for (let t = 0; t < v; t++) cand.push({ beam: b, token: t, logProb: beams[b].logProb + lp[b * v + t] });
      cand.sort((x, y) => y.logProb - x.logProb || x.beam - y.beam || x.token - y.token);
      // In that order: an EOS finishes its hypothesis, anything else continues, until w beams continue.
      const next: { seq: number[]; logProb: number; parent: number }[] = [];
      for (const c of cand) {
        if (next.length === w) break;
        const seq = [...beams[c.beam].seq, c.token];
        if (c.token !== EOS) next.push({ seq, logProb: c.logProb, parent: c.beam });
        else if (finished.length < w) finished.push({ tokens: seq.slice(1, -1), logProb: c.logProb, score: score(c.logProb, seq.length - 1) });
      }
      if (finished.length >= w) break;
      if (cache && next.length) {
        const idx = tensor(Int32Array.from(next, (n) => n.parent));
        noGrad(() => cache.reorder(idx));
        idx.dispose();
      }
      beams = next.map(({ seq, logProb }) => ({ seq, logProb }));
    }
    // Out of steps: unfinished beams count as they are.
    if (!finished.length) for (const b of beams) finished.push({ tokens: b.seq.slice(1), logProb: b.logProb, score: score(b.logProb, b.seq.length) });
  } finally {
    cache?.dispose(); memoryW.dispose(); padW.dispose();
  }
  return finished.sort((a, b) => b.score - a.score).slice(0, w);
}
