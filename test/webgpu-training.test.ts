// A whole training step of the `cnn` model on WebGPU gives the loss and gradients the CPU
// backend gives, and a long training loop on WebGPU holds a flat count of tensors and buffers.
// Runs on the software adapter in CI; with no adapter at all, beforeAll fails (never skips).

import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, memory, tensor, tidy, useBackend, type Backend, type Tensor } from '../engine/index.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import { buildModel as build } from '../models/index.js';
import { crossEntropy, Adam, Linear, ReLU, Sequential, type Module } from '../nn/index.js';

const cpu = new CpuBackend();
let gpu: Backend;

beforeAll(async () => { gpu = await createWebGpuBackend(); }, 60_000);

/** Build the model, run one forward/backward on a fixed batch; return the loss and every gradient. */
async function step(be: Backend, batch: number): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  useBackend(be);
  manualSeed(7);
  const model = build('cnn').model as Module;
  model.eval();   // no dropout: both backends must see the same function
  const x = tensor(Float32Array.from({ length: batch * 784 }, (_, i) => Math.sin(i * 0.37)), { shape: [batch, 1, 28, 28] });
  const y = tensor(Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10));
  const loss = crossEntropy(model.forward(x), y);
  loss.backward();
  const grads = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) grads.set(name, (await p.grad!.data()) as Float32Array);
  const value = await loss.item();
  for (const t of [x, y, loss]) t.dispose();
  model.dispose();
  return { loss: value, grads };
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

describe('webgpu training', () => {
  it('one cnn training step matches the CPU backend (loss and every gradient)', async () => {
    const c = await step(cpu, 16);
    const g = await step(gpu, 16);
    expect(Math.abs(g.loss - c.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(c.loss)));
    expect([...g.grads.keys()]).toEqual([...c.grads.keys()]);
    for (const [name, cg] of c.grads) {
      const err = relErr(g.grads.get(name)!, cg);
      expect(err, `gradient of ${name}: relative error ${err}`).toBeLessThan(1e-4);
    }
  }, 120_000);

  it('a 1,000-step training loop keeps tensors and GPU buffers flat', async () => {
    useBackend(gpu);
    manualSeed(0);
    const model: Module = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 3));
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const x = tensor(Float32Array.from({ length: 32 * 8 }, (_, i) => Math.cos(i)), { shape: [32, 8] });
    const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 3));
    const run = (): Tensor => tidy(() => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    });
    run().dispose();
    const start = memory();
    let first = 0, last = 0;
    for (let i = 0; i < 1000; i++) {
      const loss = run();
      if (i === 0) first = await loss.item();
      if (i === 999) last = await loss.item();
      loss.dispose();
    }
    const end = memory();
    expect(end.tensors).toBe(start.tensors);
    expect(end.buffers).toBe(start.buffers);
    expect(end.bytes).toBe(start.bytes);
    expect(last).toBeLessThan(first);   // and it learned something on the way
    model.dispose();
    useBackend(cpu);
  }, 300_000);
});
