// Attention and the Transformer blocks: the fused masked softmax and scaled dot-product attention
// against hand-computed numbers, masks that really mask, gradients of every block against finite
// differences, cached (incremental) decoding against full recomputation, positional embeddings,
// and cross-entropy that ignores padding.

import { describe, expect, it } from 'vitest';
import { Generator, gradcheck, manualSeed, maskedSoftmax, memory, noGrad, softmax, tensor, tidy, type Tensor } from '../engine/index.js';
import {
  attention, causalMask, crossEntropy, KVCache, LearnedPositionalEmbedding, ModuleList, MultiheadAttention, scaledDotProductAttention,
  SinusoidalPositionalEmbedding, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, type AnyModule,
} from '../nn/index.js';

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function randn(shape: number[], seed: number, requiresGrad = true): Tensor {
  const g = new Generator(seed);
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => g.normal()), { shape, requiresGrad });
}
const values = (t: Tensor) => Array.from(t.dataSync());
const close = (got: number[], want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `element ${i}`).toBeCloseTo(want[i], digits));
};
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** gradcheck a module: its parameters become gradcheck inputs, swapped into the module while fn runs. */
function checkModule(m: AnyModule, inputs: Tensor[], run: (...xs: Tensor[]) => Tensor): void {
  const named = m.namedParameters();
  const owners = new Map(m.namedModules());
  const slot = (path: string) => {
    const cut = path.lastIndexOf('.');
    return { owner: owners.get(cut < 0 ? '' : path.slice(0, cut)) as unknown as Record<string, Tensor>, field: path.slice(cut + 1) };
  };
  const fn = (...xs: Tensor[]) => {
    named.forEach(([path], i) => { const s = slot(path); s.owner[s.field] = xs[inputs.length + i]; });
    try { return run(...xs.slice(0, inputs.length)); } finally {
      named.forEach(([path, p]) => { const s = slot(path); s.owner[s.field] = p; });
    }
  };
  expect(gradcheck(fn, [...inputs, ...named.map(([, p]) => p)], { atol: 1e-5, rtol: 1e-3 })).toBe(true);
}

describe('maskedSoftmax (the fused kernel behind attention)', () => {
  it('equals softmax of the scaled row over the kept positions, 0 at masked ones, zeros for a fully masked row', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6], [0.5, -1, 2]]);
    const mask = tensor([[0, 0, 1], [1, 1, 1], [0, 0, 0]]);
    const y = values(maskedSoftmax(x, mask, -1, 2));
    const e = [Math.exp(2), Math.exp(4)];
    close(y.slice(0, 3), [e[0] / (e[0] + e[1]), e[1] / (e[0] + e[1]), 0]);
    expect(y.slice(3, 6)).toEqual([0, 0, 0]);
    close(y.slice(6), values(softmax(tensor([[1, -2, 4]]), 1)));
  });
  it('broadcasts the mask ([B,1,1,T] padding, [T,T] causal) and works along a middle axis', () => {
    const x = randn([2, 3, 4, 4], 1, false);
    const pad = tensor([[0, 0, 0, 1], [0, 1, 1, 1]]).reshape([2, 1, 1, 4]);
    const y = maskedSoftmax(x, pad, -1, 0.5);
    const yv = values(y);
    for (let r = 0; r < 24; r++) {
      const row = yv.slice(r * 4, r * 4 + 4);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (r < 12) expect(row[3]).toBe(0); else expect(row.slice(1)).toEqual([0, 0, 0]);
    }
    const c = values(maskedSoftmax(x, causalMask(4, 4)));
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(c[i * 4 + j]).toBe(0);
    // Axis 1 with an int32 mask [3, 1, 1]: position 1 of axis 1 masked everywhere.
    const mid = values(maskedSoftmax(x, tensor(Int32Array.from([0, 1, 0]), { shape: [3, 1, 1] }), 1));
    for (let b = 0; b < 2; b++) for (let k = 0; k < 16; k++) expect(mid[b * 48 + 16 + k]).toBe(0);
  });
  it('refuses a mask that does not broadcast to the scores', () => {
    expect(() => maskedSoftmax(randn([2, 3], 2, false), tensor([[0, 1]]))).toThrow(/maskedSoftmax: shapes \[2,3\] and \[1,2\] cannot be broadcast/);
    expect(() => maskedSoftmax(randn([3], 2, false), tensor([[0, 1, 0], [1, 0, 0]]))).toThrow(/mask \[2,3\] does not broadcast to x \[3\]/);
  });
  it('gradcheck: with a mask and a scale, and without', () => {
    const mask = tensor([[0, 1, 0, 0], [0, 0, 0, 1], [1, 1, 1, 1]]);
    expect(gradcheck((x, m) => maskedSoftmax(x, m, -1, 0.7), [randn([2, 3, 4], 3), mask])).toBe(true);
    expect(gradcheck((x) => maskedSoftmax(x, null, 0, 1.3), [randn([3, 2], 4)])).toBe(true);
  });
});

describe('scaled dot-product attention', () => {
  // One query [1, 0]; keys [1, 0], [0, 1], [2, 1]; values [1, 2], [3, 4], [5, 6]; scale 1/√2.
  // Scores 1/√2, 0, √2; weights e^s / Σ e^s = 0.2839954, 0.1400292, 0.5759753; output Σ w v.
  const q = () => tensor([[[1, 0]]]), k = () => tensor([[[1, 0], [0, 1], [2, 1]]]), v = () => tensor([[[1, 2], [3, 4], [5, 6]]]);
  it('matches the hand-computed case', () => {
    const { output, weights } = attention(q(), k(), v());
    close(values(weights), [0.2839954, 0.1400292, 0.5759753], 6);
    close(values(output), [3.58396, 4.58396], 5);
  });
  it('with the third key masked, the first two share the weight as a softmax over two scores', () => {
    const { output, weights } = attention(q(), k(), v(), { mask: tensor([[0, 0, 1]]) });
    close(values(weights), [0.6697615, 0.3302385, 0], 6);
    close(values(output), [1.660477, 2.660477], 5);
  });
  it('masked positions change no output: padding keys and future positions (causal)', () => {
    const [b, h, t, d] = [2, 2, 5, 3];
    const qq = randn([b, h, t, d], 10, false), kk = randn([b, h, t, d], 11, false), vv = randn([b, h, t, d], 12, false);
    // Batch 0 has 3 real keys, batch 1 all 5.
    const pad = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]).reshape([b, 1, 1, t]);
    const out = values(scaledDotProductAttention(qq, kk, vv, { mask: pad, isCausal: true }));
    // Overwrite keys and values at batch 0's padded positions 3 and 4 with large numbers.
    const poke = (x: Tensor, where: (bi: number, pos: number) => boolean) => {
      const a = x.dataSync() as Float32Array;
      for (let bi = 0; bi < b; bi++) for (let hi = 0; hi < h; hi++) for (let p = 0; p < t; p++) for (let di = 0; di < d; di++) {
        if (where(bi, p)) a[((bi * h + hi) * t + p) * d + di] = 100 + 7 * di - p;
      }
      return tensor(a, { shape: x.shape });
    };
    const padded = (bi: number, p: number) => bi === 0 && p >= 3;
    const out2 = values(scaledDotProductAttention(qq, poke(kk, padded), poke(vv, padded), { mask: pad, isCausal: true }));
    expect(maxDiff(out, out2)).toBe(0);
    // Causal: changing the last position's key and value changes no output row but the last.
    const last = (_: number, p: number) => p === t - 1;
    const out3 = values(scaledDotProductAttention(qq, poke(kk, last), poke(vv, last), { isCausal: true }));
    const base = values(scaledDotProductAttention(qq, kk, vv, { isCausal: true }));
    for (let r = 0; r < b * h * t; r++) {
      const diff = maxDiff(out3.slice(r * d, r * d + d), base.slice(r * d, r * d + d));
      if (r % t === t - 1) expect(diff).toBeGreaterThan(1e-3); else expect(diff).toBe(0);
    }
  });
  it('gradcheck through q, k and v with a padding mask and causal masking', () => {
    const pad = tensor([[0, 0, 1], [0, 0, 0]]).reshape([2, 1, 1, 3]);
    expect(gradcheck((a, b2, c, m) => scaledDotProductAttention(a, b2, c, { mask: m, isCausal: true }),
      [randn([2, 2, 3, 2], 20), randn([2, 2, 3, 2], 21), randn([2, 2, 3, 3], 22), pad])).toBe(true);
    // Cross-attention shapes: 2 queries over 4 keys.
    expect(gradcheck((a, b2, c) => scaledDotProductAttention(a, b2, c), [randn([1, 2, 2], 23), randn([1, 4, 2], 24), randn([1, 4, 3], 25)])).toBe(true);
  });
  it('dropout on the weights is seeded and off in evaluation', () => {
    const qq = randn([1, 4, 3], 30, false), kk = randn([1, 4, 3], 31, false), vv = randn([1, 4, 3], 32, false);
    const run = (seed: number, training: boolean) => values(scaledDotProductAttention(qq, kk, vv, { dropoutP: 0.5, training, generator: new Generator(seed) }));
    expect(run(1, true)).toEqual(run(1, true));
    expect(maxDiff(run(1, true), run(2, true))).toBeGreaterThan(1e-3);
    expect(run(1, false)).toEqual(values(scaledDotProductAttention(qq, kk, vv)));
  });
});

describe('MultiheadAttention and the Transformer layers', () => {
  it('MultiheadAttention: shapes, key padding that masks, kept weights that sum to 1', () => {
    manualSeed(1);
    const mha = new MultiheadAttention(8, 2, { dropout: 0 });
    mha.keepWeights = true;
    const x = randn([2, 4, 8], 40, false);
    const pad = tensor([[0, 0, 1, 1], [0, 0, 0, 0]]);
    const y = mha.forward(x, x, x, { keyPaddingMask: pad });
    expect(y.shape).toEqual([2, 4, 8]);
    const w = values(mha.lastWeights!);
    expect(mha.lastWeights!.shape).toEqual([2, 2, 4, 4]);
    for (let r = 0; r < 16; r++) {
      const row = w.slice(r * 4, r * 4 + 4);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (r < 8) expect(row.slice(2)).toEqual([0, 0]);
    }
    // The padded keys' inputs do not matter to batch 0.
    const xv = x.dataSync() as Float32Array;
    for (let i = 2 * 8; i < 4 * 8; i++) xv[i] = 50;
    const kv = tensor(xv, { shape: [2, 4, 8] });
    const y2 = mha.forward(x, kv, kv, { keyPaddingMask: pad });
    expect(maxDiff(values(y).slice(0, 32), values(y2).slice(0, 32))).toBeLessThan(1e-6);
    expect(() => new MultiheadAttention(10, 3)).toThrow(/embedDim 10 must divide into numHeads 3/);
    mha.dispose();
  });
  it('gradcheck: MultiheadAttention (every projection), encoder and decoder layers', () => {
    manualSeed(2);
    const mha = new MultiheadAttention(4, 2, { dropout: 0 });
    checkModule(mha, [randn([2, 3, 4], 50), randn([2, 2, 4], 51)], (q, kv) => mha.forward(q, kv, kv, { keyPaddingMask: tensor([[0, 1], [0, 0]]) }));
    const enc = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 });
    checkModule(enc, [randn([1, 3, 4], 52)], (x) => enc.forward(x, { keyPaddingMask: tensor([[0, 0, 1]]) }));
    const dec = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 });
    checkModule(dec, [randn([1, 3, 4], 53), randn([1, 2, 4], 54)], (x, m) => dec.forward(x, m));
    const post = new TransformerEncoderLayer(4, 1, { dimFeedforward: 5, dropout: 0, normFirst: false, activation: 'relu' });
    checkModule(post, [randn([1, 2, 4], 55)], (x) => post.forward(x, { isCausal: true }));
  });
  it('state_dict names follow the layers (ModuleList children are 0, 1, …)', () => {
    const enc = new TransformerEncoder({ numLayers: 2, dModel: 8, nHead: 2 });
    const keys = [...enc.stateDict().keys()];
    expect(keys).toContain('layers.1.self_attn.q_proj.weight');
    expect(keys).toContain('layers.0.ff.fc2.bias');
    expect(keys).toContain('norm.weight');
    expect(enc.parameters().length).toBe(2 * (4 * 2 + 2 * 2 + 2 * 2) + 2);
    expect(() => new ModuleList().at(0)).toThrow(/index 0 is outside/);
    enc.dispose();
  });
  it('decoding with a key/value cache equals recomputing the whole prefix, for the decoder and a causal encoder (GPT)', () => {
    manualSeed(3);
    const dec = new TransformerDecoder({ numLayers: 2, dModel: 8, nHead: 2, dropout: 0 }).eval();
    const mem = randn([2, 5, 8], 60, false), tgt = randn([2, 6, 8], 61, false);
    const memPad = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]);
    const before = memory().tensors;
    noGrad(() => tidy(() => {
      const full = values(dec.forward(tgt, mem, { memoryKeyPaddingMask: memPad }));
      const cache = dec.makeCache();
      const steps = Array.from({ length: 6 }, (_, t) => tidy(() => values(dec.forward(tgt.narrow(1, t, 1), mem, { memoryKeyPaddingMask: memPad, cache }))));
      expect(cache.length).toBe(6);
      cache.dispose();
      let worst = 0;
      for (let t = 0; t < 6; t++) for (let b = 0; b < 2; b++) worst = Math.max(worst, maxDiff(steps[t].slice(b * 8, b * 8 + 8), full.slice((b * 6 + t) * 8, (b * 6 + t) * 8 + 8)));
      expect(worst).toBeLessThan(1e-5);

      const gpt = new TransformerEncoder({ numLayers: 2, dModel: 8, nHead: 2, dropout: 0 }).eval();
      const all = values(gpt.forward(tgt, { isCausal: true }));
      const caches = gpt.makeCache();
      // Two positions, then one at a time: the cache takes blocks of any size.
      const first = tidy(() => values(gpt.forward(tgt.narrow(1, 0, 2), { isCausal: true }, caches)));
      const rest = [2, 3, 4, 5].map((t) => tidy(() => values(gpt.forward(tgt.narrow(1, t, 1), { isCausal: true }, caches))));
      for (const c of caches) c.dispose();
      worst = 0;
      for (let b = 0; b < 2; b++) {
        for (let t = 0; t < 2; t++) worst = Math.max(worst, maxDiff(first.slice((b * 2 + t) * 8, (b * 2 + t + 1) * 8), all.slice((b * 6 + t) * 8, (b * 6 + t + 1) * 8)));
        rest.forEach((r, i) => { worst = Math.max(worst, maxDiff(r.slice(b * 8, b * 8 + 8), all.slice((b * 6 + i + 2) * 8, (b * 6 + i + 3) * 8))); });
      }
      expect(worst).toBeLessThan(1e-5);
      gpt.dispose();
    }));
    dec.dispose();
    expect(memory().tensors).toBeLessThanOrEqual(before + 8);
  });
  it('a cache reorders its batch rows (beam search) and refuses to record gradients', () => {
    const c = new KVCache();
    noGrad(() => c.update(tensor([[[[1]]], [[[2]]]]), tensor([[[[3]]], [[[4]]]])));
    c.reorder(tensor(Int32Array.from([1, 1, 0])));
    expect(values(c.k!)).toEqual([2, 2, 1]);
    expect(values(c.v!)).toEqual([4, 4, 3]);
    expect(() => c.update(randn([3, 1, 1, 1], 70), randn([3, 1, 1, 1], 71))).toThrow(/KVCache: .* under noGrad/);
    c.dispose();
  });
});

describe('positional embeddings', () => {
  it('sinusoids: sin at even features, cos at odd, the offset picks later rows', () => {
    const pe = new SinusoidalPositionalEmbedding(10, 4);
    const zero = tensor(new Float32Array(2 * 4), { shape: [1, 2, 4] });
    close(values(pe.forward(zero)), [0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)]);
    close(values(pe.forward(zero, 3)).slice(0, 4), [Math.sin(3), Math.cos(3), Math.sin(0.03), Math.cos(0.03)]);
    expect(pe.stateDict().size).toBe(0);
    expect(() => pe.forward(zero, 9)).toThrow(/positions 9…10 are beyond the 10/);
    pe.dispose();
  });
  it('learned: a parameter table added by position, with a gradient', () => {
    manualSeed(4);
    const pe = new LearnedPositionalEmbedding(5, 3);
    const x = randn([2, 2, 3], 80);
    const y = pe.forward(x, 1);
    const w = values(pe.weight), xv = values(x);
    close(values(y), xv.map((v, i) => v + w[3 + (i % 6)]));
    y.sum().backward();
    expect(values(pe.weight.grad!)).toEqual([0, 0, 0, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    pe.dispose();
  });
});

describe('cross-entropy that ignores padding', () => {
  const logits = () => randn([5, 4], 90);
  const target = () => tensor(Int32Array.from([1, 0, 3, 0, 2]));
  it('mean over the counted rows only, with and without label smoothing', () => {
    const z = logits();
    for (const eps of [0, 0.1]) {
      const all = values(crossEntropy(z, target(), { labelSmoothing: eps, reduction: 'none' }));
      const mean = crossEntropy(z, target(), { labelSmoothing: eps, ignoreIndex: 0 }).dataSync()[0];
      expect(mean).toBeCloseTo((all[0] + all[2] + all[4]) / 3, 5);
      expect(values(crossEntropy(z, target(), { labelSmoothing: eps, ignoreIndex: 0, reduction: 'none' }))).toEqual([all[0], 0, all[2], 0, all[4]]);
    }
    // -100 (PyTorch's default ignore index) is allowed as a target only when it is the ignored one.
    const t = tensor(Int32Array.from([1, -100, 3, -100, 2]));
    expect(crossEntropy(z, t, { ignoreIndex: -100 }).dataSync()[0]).toBeCloseTo(crossEntropy(z, target(), { ignoreIndex: 0 }).dataSync()[0], 6);
    expect(() => crossEntropy(z, t)).toThrow(/target -100 at position 1 is outside \[0, 4\)/);
    // Every row ignored: 0, not NaN.
    expect(crossEntropy(z, tensor(Int32Array.from([0, 0, 0, 0, 0])), { ignoreIndex: 0 }).dataSync()[0]).toBe(0);
  });
  it('gradcheck with label smoothing and ignored rows (their gradient is 0)', () => {
    expect(gradcheck((z, t) => crossEntropy(z, t, { labelSmoothing: 0.1, ignoreIndex: 0 }), [logits(), target()])).toBe(true);
    const z = logits();
    crossEntropy(z, target(), { labelSmoothing: 0.1, ignoreIndex: 0 }).backward();
    const g = values(z.grad!);
    expect(g.slice(4, 8).every((v) => v === 0)).toBe(true);
    expect(g.slice(12, 16).every((v) => v === 0)).toBe(true);
    expect(g.slice(0, 4).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });
});
