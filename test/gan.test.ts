// The GAN: the quality metrics on inputs whose answers are known (Fréchet distance of a set with
// itself, of Gaussians with closed-form distances, class shares of a hand-made batch); a few steps
// of the task on a subset change both nets with a flat tensor count; resume is exact; and
// `gan sample` writes a grid of the requested size from the checkpoint alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, manualSeed, memory } from '../engine/index.js';
import { loadImageData } from '../mnist/data.js';
import { MNIST_MEAN, MNIST_STD } from '../mnist/dataset.js';
import { frechetDistance, gaussianOf, judgeClasses, symmetricEigen, type Gaussian } from '../mnist/gan-metrics.js';
import { GAN_DEFAULTS, GanTask, type GanConfig, type Judge } from '../mnist/gan.js';
import { buildModel, restoreModel } from '../models/index.js';
import type { Module } from '../nn/index.js';
import { fit, type FitResult } from '../train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-gan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A dense d×d orthogonal matrix: Gram–Schmidt on seeded random columns. */
function orthogonal(d: number, angle: number): Float64Array {
  const g = new Generator(3);
  // Gram–Schmidt on random columns.
  const q = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const v = Float64Array.from({ length: d }, () => g.normal() + angle);
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * q[i * d + j];
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + j];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + k] = v[i] / norm;
  }
  return q;
}

/** A Gaussian with covariance Q diag(eig) Qᵀ. */
function gaussian(mean: number[], q: Float64Array, eig: number[]): Gaussian {
  const d = mean.length, cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) cov[i * d + j] += q[i * d + k] * eig[k] * q[j * d + k];
  return { mean: Float64Array.from(mean), cov, d, n: 1000 };
}

describe('GAN metrics', () => {
  it('the Fréchet distance of a set with itself is 0', () => {
    const g = new Generator(1), d = 16;
    const f = Float32Array.from({ length: 400 * d }, (_, i) => g.normal() * (1 + (i % d)) + (i % 3));
    const s = gaussianOf(f, d);
    expect(frechetDistance(s, s)).toBeLessThan(1e-8);
    // …and of a shifted copy, exactly the squared shift.
    const shifted = gaussianOf(Float32Array.from(f, (v, i) => v + (i % d === 0 ? 2 : 0)), d);
    expect(frechetDistance(s, shifted)).toBeCloseTo(4, 4);
  });

  it('matches the closed form for Gaussians with known moments', () => {
    // One dimension: N(0, 1) vs N(1, 4) is (0 − 1)² + (1 − 2)² = 2.
    const q1 = Float64Array.of(1);
    expect(frechetDistance(gaussian([0], q1, [1]), gaussian([1], q1, [4]))).toBeCloseTo(2, 10);
    // Dense covariances sharing eigenvectors: ‖μ1 − μ2‖² + Σ (√a − √b)².
    const d = 6, q = orthogonal(d, 0.3);
    const a = [4, 1, 0.25, 9, 2, 0.5], b = [1, 1, 1, 4, 8, 0.5];
    const m1 = [0, 1, 2, 3, 4, 5], m2 = [1, 1, 2, 3, 4, 3];
    const want = 1 + 4 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i])) ** 2, 0);
    expect(frechetDistance(gaussian(m1, q, a), gaussian(m2, q, b))).toBeCloseTo(want, 8);
    // Not sharing them: against a diagonal C2 the formula is not a sum of eigenvalue terms, but tr(C1 + C2) − 2 tr √(C1^½ C2 C1^½) with C2 = I is tr C1 + d − 2 tr √C1.
    const eye = gaussian(m1, orthogonal(d, -1), [1, 1, 1, 1, 1, 1]);
    expect(frechetDistance(gaussian(m1, q, a), eye)).toBeCloseTo(a.reduce((s, x) => s + x + 1 - 2 * Math.sqrt(x), 0), 8);
  });

  it('the Jacobi eigendecomposition reconstructs its matrix', () => {
    const d = 5, g = gaussian([0, 0, 0, 0, 0], orthogonal(d, 0.7), [5, 3, 1, 0.5, 0]);
    const { values, vectors: v } = symmetricEigen(g.cov, d);
    expect([...values].sort((x, y) => y - x).map((x) => Number(x.toFixed(9)))).toEqual([5, 3, 1, 0.5, 0]);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += v[i * d + k] * values[k] * v[j * d + k];
        expect(s).toBeCloseTo(g.cov[i * d + j], 10);
      }
    }
  });

  it('class shares, top probabilities and agreement of a hand-made batch', () => {
    // Four samples over 3 classes: predicted 0, 2, 2, 1 with top probabilities 0.95, 0.6, 0.92, 0.5.
    const probs = Float32Array.of(0.95, 0.03, 0.02, 0.1, 0.3, 0.6, 0.04, 0.04, 0.92, 0.2, 0.5, 0.3);
    const j = judgeClasses(probs, 3, [0, 1, 2, 1]);
    expect(j.class_shares).toEqual([0.25, 0.25, 0.5]);
    expect(j.mean_top_prob).toBeCloseTo((0.95 + 0.6 + 0.92 + 0.5) / 4, 6);
    expect(j.confident_share).toBe(0.5);
    expect(j.agreement).toBe(0.75);
    expect(judgeClasses(probs, 3).agreement).toBeUndefined();
  });
});

describe('the GAN task on the shared loop', () => {
  const data = loadImageData({ limit: 256, testLimit: 300 });
  // An untrained cnn judges: the figures are meaningless, but every one of them is computed.
  const judge = (): Judge => { manualSeed(9); return { model: buildModel('cnn').model as Module, stats: { mean: MNIST_MEAN, std: MNIST_STD }, path: 'untrained' }; };
  const config: GanConfig = { ...GAN_DEFAULTS, epochs: 1, batchSize: 32, width: 8, latent: 16, evalSamples: 60 };
  const train = (c: GanConfig, dir: string, extra: Partial<Parameters<typeof fit>[1]> = {}) => {
    const j = judge();
    let task: GanTask | null = null;
    return fit(() => (task = new GanTask({ ...c }, data, j)), { out: join(tmp, dir), epochs: c.epochs, seed: c.seed, progressEvery: 2, ...extra })
      .then((r) => ({ ...r, task: task! })).finally(() => j.model.dispose());
  };
  const weights = (dir: string, name: string) => readFileSync(join(tmp, dir, `${name}.safetensors`));

  it('a few steps change both nets (and the EMA copy) with a flat tensor count, and judge the samples', async () => {
    const live: Record<number, number> = {};
    const start = memory().tensors;
    const r = await train(config, 'steps', { hooks: { onProgress: (p) => { live[p.step] = memory().tensors; } } });
    expect(live[8]).toBe(live[2]);
    // Nothing outlives the run: not the steps', nor the evaluation's sampling and judging.
    expect(memory().tensors).toBe(start);
    // The same seed builds the same initial nets: every saved net must differ from them.
    manualSeed(config.seed);
    const fresh = new GanTask({ ...config }, data, null);
    for (const name of ['generator', 'discriminator', 'generator_ema']) {
      const { model } = restoreModel(new Uint8Array(weights('steps', name)), name);
      const before = fresh.modules[name].stateDict().get(name === 'discriminator' ? 'conv1.weight' : 'fc.weight')!;
      const after = model.stateDict().get(name === 'discriminator' ? 'conv1.weight' : 'fc.weight')!;
      const [a, b] = [await before.data(), await after.data()];
      expect(a.some((v, i) => v !== b[i]), name).toBe(true);
      model.dispose();
    }
    for (const m of Object.values(fresh.modules)) m.dispose();
    const h = r.history[0];
    for (const k of ['train_loss_d', 'train_loss_g', 'train_d_real', 'train_d_fake', 'fid', 'fid_floor', 'mean_top_prob', 'confident_share']) expect(Number.isFinite(h[k]), k).toBe(true);
    expect(Array.from({ length: 10 }, (_, k) => h[`share_${k}`]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(r.task.last!.class_shares).toHaveLength(10);
    for (const f of ['samples-epoch-1.png', 'samples.png', 'epochs.png']) expect(readFileSync(join(tmp, 'steps', f)).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('resume is exact: 2 epochs straight = interrupted mid-epoch + resume (conditional)', async () => {
    const c: GanConfig = { ...config, epochs: 2, conditional: true };
    const straight = await train(c, 'a');
    let steps = 0;
    const first = await train(c, 'b', { hooks: { shouldStop: () => steps++ === 11 } });
    expect(first.stopped).toBe(true);
    const resumed = await train(c, 'b', { resume: true });
    for (const name of ['generator', 'discriminator', 'generator_ema']) expect(weights('b', name).equals(weights('a', name)), name).toBe(true);
    const figures = (h: FitResult['history']) => h.map((e) => [e.train_loss_d, e.train_loss_g, e.fid, e.agreement]);
    expect(figures(resumed.history)).toEqual(figures(straight.history));
    expect(readFileSync(join(tmp, 'b', 'epochs.png')).equals(readFileSync(join(tmp, 'a', 'epochs.png')))).toBe(true);
  }, 90_000);

  it('gan sample --digit writes a PNG of the requested size; --digit on an unconditional model is a usage error', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['cli/zerograd.js', 'gan', 'sample', ...args, '--backend', 'cpu'], { encoding: 'utf8', timeout: 60_000 });
    const png = join(tmp, 'sevens.png');
    const r = cli('--checkpoint', join(tmp, 'a'), '--digit', '7', '--n', '12', '--out', png, '--json');
    expect(r.status, r.stderr).toBe(0);
    // 12 digits in 4 columns × 3 rows of 28 px, 1 px apart, scaled 2×.
    const bytes = readFileSync(png);
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([(4 * 29 - 1) * 2, (3 * 29 - 1) * 2]);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ n: 12, digit: 7, width: 230, height: 172 });
    const walk = cli('--checkpoint', join(tmp, 'a'), '--interpolate', '--n', '2', '--steps', '5', '--out', join(tmp, 'walk.png'), '--json');
    expect(walk.status, walk.stderr).toBe(0);
    expect(JSON.parse(walk.stdout.trim().split('\n').pop()!)).toMatchObject({ n: 10, width: (5 * 29 - 1) * 2 });
    const bad = cli('--checkpoint', join(tmp, 'steps'), '--digit', '3', '--out', join(tmp, 'x.png'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--digit needs a conditional generator/);
  }, 60_000);
});
