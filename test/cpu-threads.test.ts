// The CPU kernels' thread pool: the same training run on 1, 2 and 3 threads (setThreads, as
// ZEROGRAD_THREADS does) gives bit-identical losses and weights, because every kernel splits its
// output between the threads and never a sum (threads.ts). The batch is large enough that the
// convolutions, matmuls and elementwise passes all take the parallel path. The depthwise kernels
// (split by channel groups, each summing its images in order) give the same bits too. Also: a bad
// ZEROGRAD_THREADS is refused with a message that names it.
import { afterAll, describe, expect, it } from 'vitest';
import { gelu, indexSelect, manualSeed, maskedSoftmax, randn, setBackend, softmax, tensor, tidy, type Tensor } from '../engine/index.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { depthwiseBackwardFilterSimd, depthwiseBackwardInputSimd, depthwiseForwardSimd } from '../engine/backend/cpu/depthwise.js';
import { conv2dOutShape, type Conv2dParams } from '../engine/conv-geometry.js';
import { threadsWanted } from '../engine/platform.js';
import { buildModel } from '../models/index.js';
import { Adam, AdamW, crossEntropy, layerNorm, type Module } from '../nn/index.js';
import type { GPT } from '../models/index.js';

/** Four Adam steps of `cnn` at batch 32 on `threads` threads: each step's loss, then the first conv's weights. */
async function train(threads: number): Promise<{ losses: number[]; weights: Float32Array; used: number }> {
  await setBackend('cpu');
  wasmKernels().setThreads(threads);
  manualSeed(7);
  const model = buildModel('cnn').model as Module;
  model.train();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([32, 1, 28, 28]);
  const y = tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 3) % 10));
  const losses: number[] = [];
  for (let s = 0; s < 4; s++) {
    const loss = tidy(() => {
      optimizer.zeroGrad();
      const l = crossEntropy(model.forward(x), y);
      l.backward();
      optimizer.step();
      return l;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const weights = Float32Array.from(await model.parameters()[0].data());
  return { losses, weights, used: wasmKernels().threads };
}

/** The Transformer row kernels (softmax and its backward, layer norm and its backward, GELU and
 *  its derivative, the embedding's scatter-add) at sizes that take the parallel path: every
 *  output and gradient, as arrays. */
async function transformerKernels(threads: number): Promise<Float32Array[]> {
  await setBackend('cpu');
  wasmKernels().setThreads(threads);
  manualSeed(11);
  const scores = randn([48, 64, 64], { requiresGrad: true }), h = randn([1100, 128], { requiresGrad: true });
  const w = randn([128], { requiresGrad: true }), b = randn([128], { requiresGrad: true });
  const m = randn([768, 512], { requiresGrad: true }), table = randn([93, 256], { requiresGrad: true });
  const ids = tensor(Int32Array.from({ length: 2048 }, (_, i) => (i * 7) % 93));
  const leaves = [scores, h, w, b, m, table];
  const out: Float32Array[] = [];
  tidy(() => {
    const ys: Tensor[] = [softmax(scores, -1), maskedSoftmax(scores, null, -1, 0.125), layerNorm(h, [128], w, b), gelu(m), indexSelect(table, 0, ids)];
    for (const y of ys) out.push(Float32Array.from(y.dataSync()));
    ys.map((y, i) => y.mul(randn(y.shape as number[])).sum().mul(i + 1)).reduce((a, c) => a.add(c)).backward();
  });
  for (const t of leaves) { out.push(Float32Array.from(t.grad!.dataSync())); t.grad!.dispose(); t.grad = null; }
  for (const t of [...leaves, ids]) t.dispose();
  return out;
}

/** Three AdamW steps of a small GPT (layer norm, causal attention, GELU, embeddings): each loss. */
async function gptLosses(threads: number): Promise<number[]> {
  await setBackend('cpu');
  wasmKernels().setThreads(threads);
  manualSeed(3);
  const model = buildModel('gpt', { vocabSize: 93, blockSize: 64, nLayer: 1, nHead: 4, nEmbd: 128 }).model as GPT;
  model.train();
  const opt = new AdamW(model.parameters(), { lr: 1e-3 });
  const x = tensor(Int32Array.from({ length: 12 * 64 }, (_, i) => (i * 7) % 93), { shape: [12, 64] });
  const y = tensor(Int32Array.from({ length: 12 * 64 }, (_, i) => (i * 5 + 1) % 93));
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) {
    losses.push(tidy(() => {
      opt.zeroGrad();
      const l = crossEntropy(model.forward(x).reshape([12 * 64, 93]), y);
      l.backward();
      opt.step();
      return l.dataSync()[0];
    }));
  }
  return losses;
}

describe('CPU thread pool', () => {
  const before = wasmKernels().threads;
  afterAll(() => { wasmKernels().setThreads(Math.max(before, threadsWanted())); });

  it('gives the same losses and weights on 1, 2 and 3 threads', async () => {
    const runs = [await train(1), await train(2), await train(3)];
    expect(runs.map((r) => r.used)).toEqual([1, 2, 3]);
    expect(runs[0].losses.every(Number.isFinite)).toBe(true);
    expect(runs[0].losses[3]).toBeLessThan(runs[0].losses[0]); // it trains
    for (const r of runs.slice(1)) {
      expect(r.losses).toEqual(runs[0].losses);
      expect(Array.from(r.weights)).toEqual(Array.from(runs[0].weights));
    }
  });

  it('gives the same depthwise convolution bits on 1, 2 and 3 threads (forward and both gradients)', () => {
    // Each shape is past the parallel threshold: a 17×13 plane with a tail group, a 2×2 plane, multiplier 2 at stride 2.
    const shapes: [number[], number, number][] = [[[16, 37, 17, 13], 1, 1], [[700, 45, 2, 2], 1, 1], [[256, 10, 9, 9], 2, 2]];
    for (const [xs, mult, stride] of shapes) {
      const c = xs[1], ws = [c * mult, 1, 3, 3];
      const p: Conv2dParams = { strideH: stride, strideW: stride, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: c };
      const ys = conv2dOutShape(xs, ws, p);
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      let seed = 1;
      const rand = (k: number) => Float32Array.from({ length: k }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
      const x = rand(size(xs)), w = rand(size(ws)), dy = rand(size(ys));
      const runs = [1, 2, 3].map((t) => {
        wasmKernels().setThreads(t);
        const y = new Float32Array(size(ys)), dx = new Float32Array(size(xs)), dw = new Float32Array(size(ws));
        depthwiseForwardSimd(x, xs, w, ws, p, y);
        depthwiseBackwardInputSimd(dy, w, ws, xs, p, dx);
        depthwiseBackwardFilterSimd(x, xs, dy, ws, p, dw);
        return { used: wasmKernels().threads, out: [y, dx, dw].map((a) => Buffer.from(a.buffer).toString('base64')) };
      });
      expect(runs.map((r) => r.used), `[${xs}]`).toEqual([1, 2, 3]);
      for (const r of runs.slice(1)) expect(r.out, `[${xs}] mult ${mult}`).toEqual(runs[0].out);
    }
  });

  it('Transformer kernels (softmax, layer norm, GELU, scatter-add; forward and backward) give the same bits on 1, 2 and 3 threads', async () => {
    const runs = [await transformerKernels(1), await transformerKernels(2), await transformerKernels(3)];
    for (const r of runs.slice(1)) r.forEach((a, i) => expect(Array.from(a), `array ${i}`).toEqual(Array.from(runs[0][i])));
  });

  it('a GPT trains to the same losses on 1, 2 and 3 threads', async () => {
    const runs = [await gptLosses(1), await gptLosses(2), await gptLosses(3)];
    expect(runs[0].every(Number.isFinite)).toBe(true);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('refuses a ZEROGRAD_THREADS that is not a thread count, naming it', () => {
    const saved = process.env.ZEROGRAD_THREADS;
    try {
      process.env.ZEROGRAD_THREADS = 'lots';
      expect(() => threadsWanted()).toThrow(/ZEROGRAD_THREADS .*'lots'/);
      process.env.ZEROGRAD_THREADS = '3';
      expect(threadsWanted()).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.ZEROGRAD_THREADS; else process.env.ZEROGRAD_THREADS = saved;
    }
  });
});
