// Sampling from a GPT: the prompt fills each layer's key/value cache, then one token at a time is
// drawn from the last position's logits (divided by the temperature, cut to the top k) and fed
// back, so each new token costs one position's work. When the context is full the cache is
// rebuilt from the last half of it. Seeded: the same seed gives the same text.

import { Generator, noGrad, tensor, tidy } from '../engine/index.js';
import type { GPT } from '../models/index.js';

export interface SampleOptions {
  /** New tokens to draw. */
  tokens: number;
  /** 0: always the most likely token. */
  temperature: number;
  /** Keep only the k most likely tokens (0: all). */
  topK: number;
  seed: number;
  /** Use the key/value cache (default), or run the whole context again for every token. */
  cache?: boolean;
  /** Ids never drawn (the specials a model of plain text never saw in training: PAD, BOS, EOS). */
  banned?: readonly number[];
}

/** One token drawn from `logits` at `temperature` among the top k (ties keep the lower id). */
export function pickToken(logits: ArrayLike<number>, o: { temperature: number; topK: number }, random: () => number): number {
  const v = logits.length;
  let order = Array.from({ length: v }, (_, i) => i);
  if (o.temperature <= 0 || o.topK === 1) return order.reduce((b, i) => (logits[i] > logits[b] ? i : b), 0);
  if (o.topK > 0 && o.topK < v) order = order.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, o.topK);
  const max = Math.max(...order.map((i) => logits[i]));
  const w = order.map((i) => Math.exp((logits[i] - max) / o.temperature));
  let r = random() * w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < order.length; j++) if ((r -= w[j]) < 0) return order[j];
  return order[order.length - 1];
}

/** Last-position logits of `ids` fed at `offset` (into the cache, if any). */
async function lastLogits(model: GPT, ids: number[], offset: number, cache: ReturnType<GPT['makeCache']> | null): Promise<Float32Array> {
  const out = noGrad(() => tidy(() => {
    const logits = model.forward(tensor(Int32Array.from(ids), { shape: [1, ids.length] }), { cache: cache ?? undefined, offset });
    return logits.narrow(1, ids.length - 1, 1).reshape([model.config.vocabSize]);
  }));
  try { return (await out.data()) as Float32Array; } finally { out.dispose(); }
}

/** Draw tokens after `prompt` (at least one id), yielding each as it comes. */
export async function* generate(model: GPT, prompt: readonly number[], o: SampleOptions): AsyncGenerator<number> {
  if (!prompt.length) throw new Error('generate: the prompt must hold at least one token');
  const block = model.config.blockSize, rng = new Generator(o.seed), random = () => rng.random();
  const seq = [...prompt];
  const useCache = o.cache !== false;
  let cache = useCache ? model.makeCache() : null;
  const wasTraining = model.training;
  model.eval();
  try {
    // The cache holds seq[start … start + pos).
    let start = Math.max(0, seq.length - block), pos = 0;
    for (let n = 0; n < o.tokens; n++) {
      let logits: Float32Array;
      if (!cache) {
        logits = await lastLogits(model, seq.slice(-block), 0, null);
      } else {
        if (seq.length - start > block) {
          // The window is full: start again from the last half of it.
          for (const c of cache) c.dispose();
          cache = model.makeCache();
          start = seq.length - Math.floor(block / 2);
          pos = 0;
        }
        logits = await lastLogits(model, seq.slice(start + pos), pos, cache);
        pos = seq.length - start;
      }
      for (const id of o.banned ?? []) logits[id] = -Infinity;
      const next = pickToken(logits, o, random);
      seq.push(next);
      yield next;
    }
  } finally {
    for (const c of cache ?? []) c.dispose();
    model.train(wasTraining);
  }
}
