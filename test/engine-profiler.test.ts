// The profiler: FLOPs equal the formulas, op counts of one cnn training step equal what autograd
// recorded, kernels outside ops get rows of their own, the backend is left as it was, and on
// WebGPU (the software adapter here) it says how it timed and counts the same ops.
import { afterAll, describe, expect, it } from 'vitest';
import { autogradGraph, conv2d, getBackend, manualSeed, profile, profileTable, randn, tensor, tidy, useBackend, type Backend, type Profile } from '../engine/index.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { profiling } from '../engine/profiler.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import { buildModel } from '../models/index.js';
import { Adam, crossEntropy, type Module } from '../nn/index.js';

const cpu = getBackend();
afterAll(() => useBackend(cpu));

const row = (p: Profile, op: string, direction: string) => {
  const r = p.rows.find((x) => x.op === op && x.direction === direction);
  if (!r) throw new Error(`no row ${op} ${direction} in\n${profileTable(p)}`);
  return r;
};

describe('profile', () => {
  it('counts a batched matmul as 2·B·M·N·K, and its two gradients as two more', async () => {
    const a = randn([3, 5, 7], { requiresGrad: true }), b = randn([7, 4], { requiresGrad: true });
    const p = await profile(() => { a.matmul(b).sum().backward(); });
    expect(row(p, 'matmul', 'forward').flops).toBe(2 * 3 * 5 * 4 * 7);
    expect(row(p, 'matmul', 'forward').calls).toBe(1);
    // dA = G·Bᵀ and dB = Aᵀ·G (over the folded batch): the same multiply-adds each.
    expect(row(p, 'matmul', 'backward').flops).toBe(2 * (2 * 3 * 5 * 4 * 7));
    expect(row(p, 'matmul', 'backward').kernels).toBe(2);
    expect(row(p, 'sum', 'forward').flops).toBeNull();
  });

  it('counts a strided, padded, grouped convolution as 2·N·O·OH·OW·(C/groups)·KH·KW', async () => {
    // x [2, 4, 9, 9], w [6, 2, 3, 3], groups 2, stride 2, padding 1: OH = OW = floor((9 + 2 - 3) / 2) + 1 = 5.
    const x = randn([2, 4, 9, 9], { requiresGrad: true }), w = randn([6, 2, 3, 3], { requiresGrad: true });
    const p = await profile(() => { conv2d(x, w, null, { stride: 2, padding: 1, groups: 2 }).sum().backward(); });
    const forward = 2 * 2 * 6 * 5 * 5 * 2 * 3 * 3;
    expect(row(p, 'conv2d', 'forward').flops).toBe(forward);
    expect(row(p, 'conv2d', 'backward').flops).toBe(2 * forward);   // input and filter gradients
    expect(row(p, 'conv2d', 'backward').kernels).toBe(2);
  });

  it('one cnn training step: every op autograd recorded is counted once forward and once backward', async () => {
    manualSeed(3);
    const model = buildModel('cnn').model as Module;
    const opt = new Adam(model.parameters());
    const recorded = new Map<string, number>();
    const p = await profile(() => tidy(() => {
      const x = tensor(Float32Array.from({ length: 4 * 784 }, (_, i) => Math.sin(i)), { shape: [4, 1, 28, 28] });
      const y = tensor(Int32Array.from([1, 2, 3, 4]));
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      for (const n of autogradGraph(loss).nodes) if (n.op) recorded.set(n.op, (recorded.get(n.op) ?? 0) + 1);
      loss.backward();
      opt.step();
    }));
    const calls = (direction: string) => new Map(p.rows.filter((r) => r.direction === direction).map((r) => [r.op, r.calls]));
    const forward = calls('forward'), backward = calls('backward');
    expect(recorded.get('conv2d')).toBe(2);
    expect(recorded.get('matmul')).toBe(2);
    for (const [op, n] of recorded) expect(backward.get(op), `${op} backward`).toBe(n);
    // Forward, the ops that ran on tensors needing no gradient come on top (not recorded, so not in the graph):
    // the labels' one-hot (an unsqueeze, eq, cast) and dropout's mask (ge, then the 1/(1 − p) scale).
    const unrecorded = new Map([['reshape', 1], ['eq', 1], ['cast', 1], ['ge', 1], ['affine', 1]]);
    const ops = new Set([...forward.keys(), ...recorded.keys()]);
    for (const op of ops) expect(forward.get(op), `${op} forward`).toBe((recorded.get(op) ?? 0) + (unrecorded.get(op) ?? 0));
    // Autograd's own rows: one accumulation per parameter, one seed.
    expect(backward.get('AccumulateGrad')).toBe(8);
    expect(backward.get('backward()')).toBe(1);
    expect([...backward.keys()].sort()).toEqual([...recorded.keys(), 'AccumulateGrad', 'backward()'].sort());
    // Kernels outside any op: the two batch uploads, the one-hot's arange and dropout's random
    // draw, Adam's zeroed moments (2 per parameter) and its 8 fused updates.
    expect(calls('other')).toEqual(new Map([['upload', 4], ['fill', 16], ['adamStep', 8]]));
    expect(p.rows.reduce((n, r) => n + r.kernels, 0)).toBe(p.kernels);
    expect(p.kernelMs).toBeCloseTo(p.rows.reduce((t, r) => t + r.totalMs, 0), 6);
    for (let i = 1; i < p.rows.length; i++) expect(p.rows[i - 1].totalMs).toBeGreaterThanOrEqual(p.rows[i].totalMs);
    for (const r of p.rows) expect(r.medianMs).toBeLessThanOrEqual(r.totalMs + 1e-9);
    // The first convolution's output [4, 32, 26, 26] is a buffer its forward allocated.
    expect(row(p, 'conv2d', 'forward').bytes).toBeGreaterThanOrEqual(4 * 32 * 26 * 26 * 4);
    expect(p.timing.method).toBe('host clock');
    opt.dispose();
    model.dispose();
  });

  it('leaves the backend as it was, and does not nest', async () => {
    const be = getBackend();
    const own = () => Object.getOwnPropertyNames(be).filter((k) => typeof (be as unknown as Record<string, unknown>)[k] === 'function');
    const before = own();
    let inner: Promise<unknown> | null = null;
    await profile(() => { inner = profile(() => 0); });
    await expect(inner).rejects.toThrow(/already running/);
    expect(own()).toEqual(before);
    expect(profiling).toBeNull();
    // A failing function still restores it.
    await expect(profile(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(own()).toEqual(before);
    expect(profiling).toBeNull();
  });

  it('prints a table with a per-step column', async () => {
    const a = randn([8, 8], { requiresGrad: true });
    const p = await profile(() => { a.relu().sum().backward(); });
    const t = profileTable(p, { steps: 2 });
    expect(t.split('\n')[2]).toMatch(/^op\s+direction\s+calls\s+total ms\s+ms\/step\s+median ms\s+share\s+MB alloc\s+GFLOP\s+GFLOP\/s$/);
    expect(t).toMatch(/\nrelu\s+forward\s+1\s/);
  });
});

describe('profile on WebGPU', () => {
  it('says how it timed, and counts the ops the CPU counts', async () => {
    const step = async (be: Backend) => {
      useBackend(be);
      manualSeed(1);
      const w = randn([16, 8], { requiresGrad: true }), x = randn([4, 16]);
      const p = await profile(() => { x.matmul(w).relu().sum().backward(); });
      w.dispose(); x.dispose(); w.grad?.dispose();
      return p;
    };
    const gpu = await createWebGpuBackend();
    const [onCpu, onGpu] = [await step(new CpuBackend()), await step(gpu)];
    const counts = (p: Profile) => p.rows.map((r) => `${r.op} ${r.direction} ${r.calls} ${r.flops}`).sort();
    expect(counts(onGpu)).toEqual(counts(onCpu));
    const stamps = (gpu as unknown as { device: GPUDevice }).device.features.has('timestamp-query');
    expect(onGpu.timing.method).toBe(stamps ? 'timestamp-query' : 'per-submit');
    expect(row(onGpu, 'matmul', 'forward').totalMs).toBeGreaterThan(0);
  }, 60_000);
});
