// The GPT language model: the causal mask (no output depends on a later token), sampling (the
// key/value cache equals recomputing the context, a seed gives the same text, top-k and
// temperature on a hand-made distribution), LoRA (B = 0 is the base model exactly, merge equals
// the unmerged adapters, only adapters change in a step, adapters save and load alone) and BPE
// (encode∘decode is the identity on the corpus, merges on a hand-checked text).

import { describe, expect, it } from 'vitest';
import { manualSeed, memory, noGrad, tensor, tidy } from '../engine/index.js';
import { buildModel, modelSpec, type GPT } from '../models/index.js';
import { applyLoRA, LoRAAdapters, LoRALinear, mergeLoRA, summary } from '../nn/index.js';
import { BPE } from '../text/bpe.js';
import { loadCorpus } from '../text/corpora.js';
import { loadLoraModel, LmTask, loraTargets, PRETRAIN_DEFAULTS, type LmData } from '../text/lm.js';
import { generate, pickToken } from '../text/sample.js';
import { CharTokenizer } from '../text/tokenizer.js';
import { encodeModule, runLoop } from '../train/index.js';

const V = 11;
function gpt(seed: number, blockSize = 12): GPT {
  manualSeed(seed);
  return buildModel('gpt', { vocabSize: V, blockSize, nLayer: 2, nHead: 2, nEmbd: 16 }).model.eval() as GPT;
}
const ids = (xs: number[]) => tensor(Int32Array.from(xs), { shape: [1, xs.length] });
async function logits(m: GPT, xs: number[]): Promise<Float32Array> {
  const t = noGrad(() => m.forward(ids(xs)));
  try { return (await t.data()) as Float32Array; } finally { t.dispose(); }
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('GPT', () => {
  it('is causal: changing token j changes no output before position j, and does change those after', async () => {
    const m = gpt(1);
    const base = [3, 7, 1, 9, 4, 4, 2, 8, 5, 6];
    const a = await logits(m, base);
    for (const j of [0, 4, 9]) {
      const changed = [...base];
      changed[j] = (changed[j] + 5) % V;
      const b = await logits(m, changed);
      expect(maxDiff(a.subarray(0, j * V), b.subarray(0, j * V))).toBe(0);
      expect(maxDiff(a.subarray(j * V), b.subarray(j * V))).toBeGreaterThan(1e-4);
    }
    m.dispose();
  });
  it('gradient flows only backwards in time: the loss at position 2 gives the position embeddings of 3… no gradient', async () => {
    const m = gpt(2);
    m.train();
    tidy(() => { m.forward(ids([1, 2, 3, 4, 5, 6, 7])).narrow(1, 2, 1).sum().backward(); });
    const d = await m.wpe.weight.grad!.data();
    for (const pos of [3, 4, 5, 6]) expect(maxDiff(d.subarray(pos * 16, pos * 16 + 16), new Float32Array(16)), `position ${pos}`).toBe(0);
    for (const pos of [0, 1, 2]) expect(maxDiff(d.subarray(pos * 16, pos * 16 + 16), new Float32Array(16)), `position ${pos}`).toBeGreaterThan(0);
    m.zeroGrad();
    m.dispose();
  });
});

describe('summary', () => {
  it('summary --model gpt runs the model on int32 ids: vocabulary logits, every parameter counted once (the output layer is tied)', () => {
    const b = buildModel('gpt', { vocabSize: V, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16 });
    const s = summary(b.model as GPT, b.inputShape, { dtype: modelSpec('gpt').inputDtype });
    expect(s.layers[s.layers.length - 1].outputShape).toEqual([1, 12, V]);
    expect(s.totalParams).toBe(b.model.parameters().reduce((n, p) => n + p.size, 0));
    b.model.dispose();
  });
});

describe('sampling', () => {
  it('with the cache equals recomputing the context; the same seed gives the same tokens, another seed others; no tensor is left', async () => {
    const m = gpt(3, 32);
    const before = memory().tensors;
    const draw = async (seed: number, cache: boolean) => {
      const out: number[] = [];
      for await (const t of generate(m, [4, 5], { tokens: 24, temperature: 1, topK: 0, seed, cache })) out.push(t);
      return out;
    };
    const a = await draw(7, true);
    expect(await draw(7, false)).toEqual(a);
    expect(await draw(7, true)).toEqual(a);
    expect(await draw(8, true)).not.toEqual(a);
    expect(memory().tensors).toBe(before);
    // Past the context (block 12): the cache is rebuilt, and sampling goes on.
    const short = gpt(3, 12);
    const long: number[] = [];
    for await (const t of generate(short, [1], { tokens: 40, temperature: 0.8, topK: 5, seed: 1 })) long.push(t);
    expect(long.length).toBe(40);
    m.dispose(); short.dispose();
  });
  it('top-k and temperature on a hand-made distribution', () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    let s = 12345;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const freq = (o: { temperature: number; topK: number }, n = 20000) => {
      const c = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) c[pickToken(logits, o, rand)]++;
      return c.map((x) => x / n);
    };
    expect(freq({ temperature: 0, topK: 0 }, 50)).toEqual([1, 0, 0, 0]);
    expect(freq({ temperature: 1, topK: 1 }, 50)).toEqual([1, 0, 0, 0]);
    const plain = freq({ temperature: 1, topK: 0 });
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => expect(Math.abs(plain[i] - p)).toBeLessThan(0.015));
    const k2 = freq({ temperature: 1, topK: 2 });
    expect(k2[2] + k2[3]).toBe(0);
    expect(Math.abs(k2[0] - 0.625)).toBeLessThan(0.015);
    // Temperature 0.5 squares the odds: 0.5² : 0.3² : 0.15² : 0.05² normalised.
    const t = freq({ temperature: 0.5, topK: 0 }), z = 0.25 + 0.09 + 0.0225 + 0.0025;
    [0.25, 0.09, 0.0225, 0.0025].forEach((p, i) => expect(Math.abs(t[i] - p / z)).toBeLessThan(0.015));
  });
});

describe('LoRA', () => {
  it('with B = 0 the model equals the base exactly; merge equals the unmerged adapters to 1e-5', async () => {
    const m = gpt(4);
    const seq = [2, 9, 4, 1, 7, 3];
    const base = await logits(m, seq);
    const paths = applyLoRA(m, loraTargets('all'), { rank: 4, alpha: 8 });
    expect(paths.length).toBe(2 * 6);
    expect(maxDiff(await logits(m, seq), base)).toBe(0);
    // Give the adapters a real update, then fold it in.
    noGrad(() => { for (const [k, p] of new LoRAAdapters(m).namedParameters()) if (k.endsWith('lora_B')) p.copy_(tidy(() => p.add(0.05).mul(tensor([1]))) ); });
    const adapted = await logits(m, seq);
    expect(maxDiff(adapted, base)).toBeGreaterThan(1e-3);
    mergeLoRA(m);
    expect(m.namedModules().some(([, x]) => x instanceof LoRALinear)).toBe(false);
    expect([...m.stateDict().keys()].some((k) => k.includes('lora'))).toBe(false);
    expect(maxDiff(await logits(m, seq), adapted)).toBeLessThan(1e-5);
    m.dispose();
  });
  it('a training step changes only the adapters; they save alone and load back onto the base', async () => {
    const text = 'the whale, the whale! call me ishmael. '.repeat(40);
    const tok = CharTokenizer.train(text);
    const data: LmData = { train: Int32Array.from(tok.encode(text)), val: Int32Array.from(tok.encode(text.slice(0, 300))), tokenizer: tok };
    manualSeed(0);
    const pre = buildModel('gpt', { vocabSize: tok.size, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16 });
    const card = { architecture: 'gpt', config: pre.config, task: 'language-model', input_shape: [16], extra: { tokenizer: tok.toJSON() } };
    const baseBytes = await encodeModule(pre.model, card);
    const before = new Map<string, Float32Array>();
    for (const [k, p] of pre.model.namedParameters()) before.set(k, Float32Array.from(await p.data()));
    pre.model.dispose();
    const config = { ...PRETRAIN_DEFAULTS, method: 'lora' as const, base: 'base.safetensors', rank: 2, alpha: 4, iters: 3, evalEvery: 3, batchSize: 4, blockSize: 16, evalWindows: 4, warmup: 0, lr: 1e-2 };
    let task: LmTask | null = null;
    const after = new Map<string, Float32Array>();
    let adapterBytes: Uint8Array = new Uint8Array();
    await runLoop(() => (task = new LmTask(config, data, { bytes: baseBytes, where: 'base.safetensors' })), { epochs: 1, seed: 0 }, {
      load: () => { throw new Error('no'); },
      save: async (set) => {
        const t = task!;
        expect(Object.keys(set.modules)).toEqual(['adapters']);
        adapterBytes = await encodeModule(set.modules.adapters.module, set.modules.adapters.card);
        for (const [k, p] of t.model.namedParameters()) after.set(k, Float32Array.from(await p.data()));
      },
      history: () => {}, write: () => {},
    });
    const t = task! as LmTask;
    // Four projections of one layer, each A [2, 16] and B [16, 2].
    expect(t.trainableParams).toBe(4 * (2 * 16 + 16 * 2));
    for (const [k, v] of before) expect(maxDiff(after.get(k)!, v), k).toBe(0);
    const bs = [...after.keys()].filter((k) => k.endsWith('lora_B'));
    expect(bs.length).toBe(4);
    for (const k of bs) expect(maxDiff(after.get(k)!, new Float32Array(after.get(k)!.length))).toBeGreaterThan(0);
    // The adapters file holds the adapters only, and it loads onto the base again, merged or not.
    const { model: unmerged } = loadLoraModel({ bytes: baseBytes, where: 'base' }, { bytes: adapterBytes, where: 'adapters' }, { merge: false });
    const { model: merged } = loadLoraModel({ bytes: baseBytes, where: 'base' }, { bytes: adapterBytes, where: 'adapters' }, { merge: true });
    const seq = tok.encode('call me');
    expect(maxDiff(await logits(merged, seq), await logits(unmerged, seq))).toBeLessThan(1e-5);
    for (const [k, p] of new LoRAAdapters(unmerged).namedParameters()) expect(maxDiff(await p.data(), after.get(k)!)).toBe(0);
    unmerged.dispose(); merged.dispose();
    expect(adapterBytes.length).toBeLessThan(baseBytes.length / 2);
  });
});

describe('BPE', () => {
  it('learns the textbook merges on aaabdaaabac (aa, then ab, then aa·ab), ties to the smaller ids', () => {
    const bpe = BPE.train('aaabdaaabac', 4 + 4 + 3);
    expect(bpe.tokens.slice(4)).toEqual(['a', 'b', 'c', 'd', 'aa', 'ab', 'aaab']);
    const enc = bpe.encode('aaabdaaabac');
    expect(enc.map((i) => bpe.tokens[i])).toEqual(['aaab', 'd', 'aaab', 'a', 'c']);
    expect(bpe.decode(enc)).toBe('aaabdaaabac');
  });
  it('merges never cross words; encode∘decode is the identity on Moby-Dick (and through its JSON)', () => {
    const bpe = BPE.train('low lower lowest low low', 4 + 20);
    expect(bpe.tokens.every((t) => !/\S \S/.test(t))).toBe(true);
    const text = loadCorpus('moby-dick').val;
    const trained = BPE.fromJSON(JSON.parse(JSON.stringify(BPE.train(text, 300).toJSON())), 'bpe');
    expect(trained.size).toBe(300);
    const enc = trained.encode(text);
    expect(trained.decode(enc)).toBe(text);
    expect(enc.length).toBeLessThan(text.length * 0.7);
  });
});
