// Gradient-flow diagnostics on the shared loop: a healthy network is called healthy; one with a
// layer initialised at zero, or trained with an lr of 10, gets that layer (those layers) flagged
// with the reason; the figures are written beside the run and survive a resume.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, noGrad, tensor, type Tensor } from '../engine/index.js';
import { Adam, crossEntropy, Linear, ReLU, Sequential, type ModelCard, type Module } from '../nn/index.js';
import { fit, findProblems, withDiagnostics, type DiagnosticsFile, type EpochDiagnostics, type Task } from '../train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-diag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const N = 240, D = 8, C = 3;

/** Three Gaussian blobs in 8-D, a 3-layer MLP, Adam. */
class BlobTask implements Task {
  readonly name = 'blobs';
  readonly config: Record<string, unknown>;
  readonly size = N;
  readonly batchSize = 24;
  readonly modules: { model: Module };
  readonly optimizers;
  private x: Float32Array;
  private y: Int32Array;

  constructor(lr: number, zero?: 'fc2') {
    this.config = { lr, zero: zero ?? null };
    const g = new Generator(5);
    this.y = Int32Array.from({ length: N }, (_, i) => i % C);
    this.x = Float32Array.from({ length: N * D }, (_, k) => g.normal() + (Math.floor(k / D) % C === k % D % C ? 2 : 0));
    const model = new Sequential({ fc1: new Linear(D, 32), relu1: new ReLU(), fc2: new Linear(32, 32), relu2: new ReLU(), fc3: new Linear(32, C) });
    if (zero) noGrad(() => { for (const [name, p] of model.namedParameters()) if (name.startsWith(`${zero}.`)) p.copy_(p.mul(0)); });
    this.modules = { model };
    this.optimizers = { opt: new Adam(model.parameters(), { lr }) };
  }

  step(idx: Int32Array): Record<string, Tensor> {
    const xs = new Float32Array(idx.length * D);
    idx.forEach((i, k) => xs.set(this.x.subarray(i * D, (i + 1) * D), k * D));
    const x = tensor(xs, { shape: [idx.length, D] }), y = tensor(Int32Array.from(idx, (i) => this.y[i]));
    this.optimizers.opt.zeroGrad();
    const loss = crossEntropy(this.modules.model.forward(x), y);
    loss.backward();
    this.optimizers.opt.step();
    return { loss };
  }

  cards(): Record<string, ModelCard> { return { model: { architecture: 'blob-mlp', config: {}, task: 'toy', input_shape: [D] } }; }
}

async function train(dir: string, lr: number, o: { zero?: 'fc2'; epochs?: number; resume?: boolean } = {}): Promise<EpochDiagnostics[]> {
  const seen: EpochDiagnostics[] = [];
  await fit(() => withDiagnostics(new BlobTask(lr, o.zero), { every: 2, onEpoch: (d) => seen.push(d) }), { out: join(tmp, dir), epochs: o.epochs ?? 2, seed: 1, resume: o.resume });
  return seen;
}

const figures = (d: EpochDiagnostics, layer: string) => d.layers.find((l) => l.layer === layer)!;

describe('gradient-flow diagnostics', () => {
  it('calls a healthy network healthy, with its figures in range, and writes them beside the run', async () => {
    const [, last] = await train('healthy', 1e-3);
    expect(last.findings).toEqual([]);
    expect(last.verdict).toMatch(/^healthy: /);
    expect(last.samples).toBe(5);   // 10 steps an epoch, every 2nd sampled
    expect(last.layers.map((l) => l.layer)).toEqual(['fc1', 'relu1', 'fc2', 'relu2', 'fc3']);
    for (const name of ['fc1', 'fc2', 'fc3']) {
      const f = figures(last, name);
      expect(f.gradNorm).toBeGreaterThan(0);
      expect(f.updateRatio).toBeGreaterThan(-4);
      expect(f.updateRatio).toBeLessThan(-1);
      expect(f.deadShare).toBeNull();
    }
    expect(figures(last, 'relu1').deadShare).toBeLessThan(0.5);
    expect(figures(last, 'relu1').activationMean).toBeGreaterThan(0);   // a ReLU's output is never negative
    expect(figures(last, 'relu1').gradNorm).toBeNull();
    const file = JSON.parse(readFileSync(join(tmp, 'healthy', 'diagnostics.json'), 'utf8')) as DiagnosticsFile;
    expect(file.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(file.series.fc2.step).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    for (const f of ['activation-mean', 'activation-std', 'dead-relu', 'grad-norm', 'update-ratio']) {
      expect(readFileSync(join(tmp, 'healthy', `diagnostics-${f}.svg`), 'utf8')).toMatch(f === 'dead-relu' ? /^<svg[\s\S]*relu1[\s\S]*relu2/ : /^<svg[\s\S]*fc1/);
    }
  });

  it('leaves the training itself as it was: the same weights, bit for bit, with and without', async () => {
    await fit(() => new BlobTask(1e-3), { out: join(tmp, 'plain'), epochs: 2, seed: 1 });
    expect(readFileSync(join(tmp, 'plain', 'model.safetensors')).equals(readFileSync(join(tmp, 'healthy', 'model.safetensors')))).toBe(true);
    expect(readFileSync(join(tmp, 'healthy', 'diagnostics.html'), 'utf8')).toMatch(/Gradient flow during training[\s\S]*epoch 2 \(5 sampled steps\): healthy[\s\S]*<svg/);
  });

  it('flags a layer initialised at zero: no gradient reaches it, so it never moves', async () => {
    const [first, last] = await train('zero', 1e-3, { zero: 'fc2' });
    for (const d of [first, last]) {
      expect(d.findings[0]).toMatchObject({ layer: 'fc2', type: 'Linear', problem: 'zero-weights' });
      expect(d.verdict).toMatch(/^unhealthy: fc2 \(Linear\): its weights are all zero and get no gradient, so they never move/);
    }
    const f = figures(last, 'fc2');
    expect([f.weightNorm, f.gradNorm, f.activationStd]).toEqual([0, 0, 0]);
    // What follows from it: its ReLU is all dead, and nothing flows back to fc1 either.
    expect(last.findings.map((x) => [x.layer, x.problem])).toEqual([['fc2', 'zero-weights'], ['fc1', 'no-gradient'], ['relu2', 'dead-relu']]);
    expect(figures(last, 'relu2').deadShare).toBe(1);
    expect(last.verdict).toMatch(/; also fc1 \(no gradient\), relu2 \(100 % dead\)$/);
  });

  it('flags an lr of 10: updates as large as the weights', async () => {
    const [first, last] = await train('lr10', 10);
    for (const d of [first, last]) {
      // Every layer: each step moves its weights by about their own norm, and they have grown by orders of magnitude.
      for (const name of ['fc1', 'fc2', 'fc3']) {
        expect(figures(d, name).updateRatio).toBeGreaterThan(-1.5);
        expect(figures(d, name).weightGrowth).toBeGreaterThan(10);
      }
      expect(d.findings.filter((f) => f.type === 'Linear').map((f) => [f.layer, f.problem]).sort()).toEqual([['fc1', 'weights-growing'], ['fc2', 'weights-growing'], ['fc3', 'weights-growing']]);
      expect(d.verdict).toMatch(/^unhealthy: fc\d \(Linear\): its weights have grown \d+× in norm since the first step \(to [\d.e+]+\): the updates are too large for it, the learning rate is too high/);
    }
    // The first epoch's mean update is larger than the weights it started from.
    expect(Math.max(...['fc1', 'fc2', 'fc3'].map((n) => figures(first, n).updateRatio!))).toBeGreaterThan(-1);
  });

  it('keeps the earlier epochs through a resume', async () => {
    await train('resume', 1e-3, { epochs: 1 });
    const seen = await train('resume', 1e-3, { epochs: 2, resume: true });
    expect(seen.map((d) => d.epoch)).toEqual([2]);
    const file = JSON.parse(readFileSync(join(tmp, 'resume', 'diagnostics.json'), 'utf8')) as DiagnosticsFile;
    expect(file.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(file.series.fc1.step).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(existsSync(join(tmp, 'resume', 'diagnostics-update-ratio.svg'))).toBe(true);
  });

  it('ranks findings by severity: non-finite first, then zero weights, then large updates', () => {
    const base = { type: 'Linear', activationMean: 0.1, activationStd: 1, deadShare: null, gradNorm: 1, updateRatio: -3, weightNorm: 1, weightGrowth: 1.2 };
    const found = findProblems([
      { ...base, layer: 'a', updateRatio: -0.5 },
      { ...base, layer: 'b', gradNorm: NaN },
      { ...base, layer: 'c', type: 'ReLU', gradNorm: null, updateRatio: null, weightNorm: null, weightGrowth: null, deadShare: 0.8 },
      { ...base, layer: 'd', updateRatio: -7 },
      { ...base, layer: 'e' },
    ]);
    expect(found.map((f) => [f.layer, f.problem])).toEqual([['b', 'non-finite'], ['a', 'update-too-large'], ['c', 'dead-relu'], ['d', 'update-too-small']]);
  });
});
