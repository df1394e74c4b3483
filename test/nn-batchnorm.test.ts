// The fused batch normalisation ops (engine/ops/batchnorm.ts: training and evaluation, CPU kernels
// in engine/backend/cpu/batchnorm.ts), the fused clamp backward and the SIMD leakyRelu: gradients against finite
// differences (float64), second order through createGraph, the float32 SIMD path against the
// composed formula batchNorm used before (ops with autograd), the running statistics' meaning,
// and bit-identical results on 1, 2 and 3 CPU threads. WGSL parity: test/shared/kernel-cases.ts.

import { afterAll, describe, expect, it } from 'vitest';
import {
  Generator, Tensor, add, clamp, enableGrad, ge, gradcheck, le, leakyRelu, mean, mul, rsqrt, setBackend, sub, tensor, variance,
} from '../engine/index.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { threadsWanted } from '../engine/platform.js';
import { batchNorm } from '../nn/index.js';

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function randn(shape: readonly number[], seed: number, requiresGrad = true, scale = 1, offset = 0): Tensor {
  const g = new Generator(seed);
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => offset + scale * g.normal()), { shape, requiresGrad });
}
function unif(shape: readonly number[], seed: number, lo: number, hi: number, requiresGrad = true): Tensor {
  const g = new Generator(seed);
  return tensor(Float32Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * g.random()), { shape, requiresGrad });
}
const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).toBe(true);

/** The composed formula nn/functional/normalization.ts used before the fused ops (kept here as the reference). */
function composed(x: Tensor, o: { weight?: Tensor | null; bias?: Tensor | null; training: boolean; mean?: Tensor; var?: Tensor; eps?: number }): Tensor {
  const c = x.shape[1], eps = o.eps ?? 1e-5;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const chan = (t: Tensor) => t.reshape(x.shape.map((d, i) => (i === 1 ? c : 1)));
  let y = o.training
    ? mul(sub(x, mean(x, axes, true)), rsqrt(add(variance(x, axes, true, 0), eps)))
    : mul(sub(x, chan(o.mean!)), rsqrt(add(chan(o.var!), eps)));
  if (o.weight) y = mul(y, chan(o.weight));
  if (o.bias) y = add(y, chan(o.bias));
  return y;
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

describe('batchNorm (fused): gradcheck in float64', () => {
  const shapes: number[][] = [[5, 3], [3, 2, 5], [2, 3, 2, 3]];
  for (const shape of shapes) {
    const c = shape[1];
    it(`training on [${shape.join(',')}]: weight and bias, weight only, bias only, neither`, () => {
      check((x, w, b) => batchNorm(x, { training: true, weight: w, bias: b }), [randn(shape, 1), randn([c], 2), randn([c], 3)]);
      check((x, w) => batchNorm(x, { training: true, weight: w }), [randn(shape, 4), randn([c], 5)]);
      check((x, b) => batchNorm(x, { training: true, bias: b }), [randn(shape, 6), randn([c], 7)]);
      check((x) => batchNorm(x, { training: true, eps: 1e-3 }), [randn(shape, 8)]);
    });
    it(`evaluation on [${shape.join(',')}]: every input differentiable, and without weight and bias`, () => {
      check((x, w, b, rm, rv) => batchNorm(x, { training: false, weight: w, bias: b, running: { mean: rm, var: rv } }),
        [randn(shape, 9), randn([c], 10), randn([c], 11), randn([c], 12), unif([c], 13, 0.5, 1.5)]);
      check((x, rm, rv) => batchNorm(x, { training: false, running: { mean: rm, var: rv } }), [randn(shape, 14), randn([c], 15, false), unif([c], 16, 0.5, 1.5, false)]);
    });
  }

  it('second order through createGraph: the gradient norm of a batch-normed loss, w.r.t. input and weight', () => {
    // torch.autograd.grad(..., create_graph=True) of a weighted sum, squared and summed.
    const fn = (x: Tensor, w: Tensor, b: Tensor, r: Tensor) => enableGrad(() => {
      const leaves = [x, w, b], saved = leaves.map((t) => t.grad);
      leaves.forEach((t) => { t.grad = null; });
      try {
        batchNorm(x, { training: true, weight: w, bias: b }).tanh().mul(r).sum().backward(undefined, { createGraph: true });
        return x.grad!.square().sum().add(w.grad!.square().sum());
      } finally { leaves.forEach((t, i) => { t.grad = saved[i]; }); }
    });
    check(fn, [randn([4, 3, 2, 2], 21), randn([3], 22), randn([3], 23), randn([4, 3, 2, 2], 20, false)]);
  });

  it('clamp: first and second order (its backward is a recorded op)', () => {
    const away = unif([3, 7], 24, -2, 2);
    const v = away.dataSync();
    for (let i = 0; i < v.length; i++) if (Math.abs(v[i] + 0.5) < 0.05 || Math.abs(v[i] - 1) < 0.05) v[i] += 0.2;
    const x = tensor(v, { shape: [3, 7], requiresGrad: true });
    check((t) => clamp(t, -0.5, 1).square(), [x]);
    check((t) => enableGrad(() => {
      const saved = t.grad;
      t.grad = null;
      try {
        clamp(t.square(), -0.5, 1).mul(t).sum().backward(undefined, { createGraph: true });
        return t.grad!.square().sum();
      } finally { t.grad = saved; }
    }), [x]);
  });
});

describe('batchNorm (fused) in float32 against the composed formula', () => {
  const cases: [string, number[], number, number][] = [
    ['4-D, SIMD rows', [8, 16, 9, 9], 1, 0], ['4-D, a mean far from zero', [6, 5, 4, 7], 0.5, 40], ['2-D [N, C]', [33, 10], 2, -1],
    ['3-D [N, C, L]', [7, 6, 13], 1, 3], ['rows shorter than a vector', [9, 4, 1, 3], 1, 0],
  ];
  for (const [name, shape, scale, offset] of cases) {
    it(`${name} [${shape.join(',')}]: y, dx, dweight, dbias to 1e-5`, async () => {
      await setBackend('cpu');
      const c = shape[1];
      const run = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => {
        const x = randn(shape, 30, true, scale, offset), w = randn([c], 31), b = randn([c], 32), r = randn(shape, 33, false);
        const y = f(x, w, b);
        y.mul(r).sum().backward();
        return [y, x.grad!, w.grad!, b.grad!].map((t) => t.dataSync());
      };
      const fused = run((x, w, b) => batchNorm(x, { training: true, weight: w, bias: b }));
      const ref = run((x, w, b) => composed(x, { training: true, weight: w, bias: b }));
      fused.forEach((v, k) => expect(maxRelErr(v, ref[k]), ['y', 'dx', 'dweight', 'dbias'][k]).toBeLessThan(1e-5));

      const rm = randn([c], 34, false, 1, offset), rv = unif([c], 35, 0.5, 2, false);
      const evalFused = run((x, w, b) => batchNorm(x, { training: false, weight: w, bias: b, running: { mean: rm, var: rv } }));
      const evalRef = run((x, w, b) => composed(x, { training: false, weight: w, bias: b, mean: rm, var: rv }));
      evalFused.forEach((v, k) => expect(maxRelErr(v, evalRef[k]), `eval ${['y', 'dx', 'dweight', 'dbias'][k]}`).toBeLessThan(1e-5));
    });
  }

  it('running statistics: PyTorch momentum, unbiased variance in the estimate, over two steps (4-D and 3-D)', async () => {
    await setBackend('cpu');
    for (const shape of [[4, 3, 5, 6], [6, 2, 9]]) {
      const c = shape[1], per = sizeOf(shape) / c, m = 0.3;
      const running = { mean: tensor(new Float32Array(c).fill(0.5)), var: tensor(new Float32Array(c).fill(2)) };
      const want = { mean: new Float64Array(c).fill(0.5), var: new Float64Array(c).fill(2) };
      for (let step = 0; step < 2; step++) {
        const x = randn(shape, 40 + step, false, 2, 1);
        batchNorm(x, { training: true, running, momentum: m });
        const v = x.dataSync(), s = sizeOf(shape.slice(2));
        for (let ch = 0; ch < c; ch++) {
          const vals: number[] = [];
          for (let i = 0; i < shape[0]; i++) for (let j = 0; j < s; j++) vals.push(v[(i * c + ch) * s + j]);
          const mu = vals.reduce((a, b) => a + b, 0) / per;
          const unbiased = vals.reduce((a, b) => a + (b - mu) ** 2, 0) / (per - 1);
          want.mean[ch] = (1 - m) * want.mean[ch] + m * mu;
          want.var[ch] = (1 - m) * want.var[ch] + m * unbiased;
        }
      }
      expect(maxRelErr(running.mean.dataSync(), want.mean)).toBeLessThan(1e-6);
      expect(maxRelErr(running.var.dataSync(), want.var)).toBeLessThan(1e-6);
      expect(running.mean.shape).toEqual([c]);
    }
  });

  it('statistics stay accurate (1e-6 relative) on 65,536 values a channel with mean 1000 and std 0.01', async () => {
    await setBackend('cpu');
    const shape = [64, 3, 32, 32], c = 3, s = 1024, per = 64 * s;
    const x = randn(shape, 45, false, 0.01, 1000);
    const running = { mean: tensor(new Float32Array(c)), var: tensor(new Float32Array(c)) };
    batchNorm(x, { training: true, running, momentum: 1 });   // momentum 1: the batch's own statistics
    const v = x.dataSync();
    for (let ch = 0; ch < c; ch++) {
      let mu = 0, q = 0;
      for (let i = 0; i < 64; i++) for (let j = 0; j < s; j++) mu += v[(i * c + ch) * s + j];
      mu /= per;
      for (let i = 0; i < 64; i++) for (let j = 0; j < s; j++) q += (v[(i * c + ch) * s + j] - mu) ** 2;
      expect(Math.abs(running.mean.dataSync()[ch] - mu) / mu).toBeLessThan(1e-6);
      expect(Math.abs(running.var.dataSync()[ch] - q / (per - 1)) / (q / (per - 1))).toBeLessThan(1e-6);
    }
  });

  it('errors name the op, the operand and the shapes', async () => {
    await setBackend('cpu');
    const x = randn([4, 3, 2, 2], 50);
    expect(() => batchNorm(x, { training: true, weight: randn([4], 51) })).toThrow('batchNorm: weight has 4 values but the input has 3 channels ([4,3,2,2])');
    expect(() => batchNorm(x, { training: false })).toThrow('batchNorm: evaluation mode needs running statistics');
    expect(() => batchNorm(randn([1, 3], 52), { training: true })).toThrow('batchNorm: training needs more than one value per channel, got input [1,3]');
    expect(() => batchNorm(randn([3], 53), { training: true })).toThrow('batchNorm: input must be at least [N, C], got [3]');
  });
});

describe('clamp: the SIMD forward and the fused backward', () => {
  it('match the JS kernel on NaN, ±0, ±Infinity and the bounds themselves (inclusive in the gradient)', async () => {
    await setBackend('cpu');
    const special = [NaN, -0, 0, Infinity, -Infinity, -0.5, 0.7, 0.69999999, -0.50000001, 6, 6.0000001, -1e30, 1e30];
    const g = new Generator(60);
    const v = Float32Array.from({ length: 1037 }, (_, i) => (i < special.length ? special[i] : 4 * g.normal()));
    for (const [lo, hi] of [[-0.5, 0.7], [0, 6], [-Infinity, 0], [0, Infinity], [1, 1]]) {
      const x = tensor(v, { requiresGrad: true });
      const y = clamp(x, lo, hi);
      const yv = y.dataSync();
      for (let i = 0; i < v.length; i++) {
        const want = v[i] < lo ? lo : v[i] > hi ? hi : v[i];
        expect(Object.is(yv[i], Math.fround(want)), `clamp(${v[i]}, ${lo}, ${hi}) gave ${yv[i]}`).toBe(true);
      }
      const r = randn([v.length], 61, false);
      y.mul(r).sum().backward();
      const want = mul(r, mul(ge(x.detach(), lo), le(x.detach(), hi))).dataSync();
      expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(want));
    }
  });
});

describe('leakyRelu: the SIMD forward', () => {
  it('is x > 0 ? x : slope·x with the product in float32, NaN and ±0 kept', async () => {
    await setBackend('cpu');
    const special = [NaN, -0, 0, Infinity, -Infinity, -1e-40, 1e-40, -3.5];
    const g = new Generator(62);
    const v = Float32Array.from({ length: 1029 }, (_, i) => (i < special.length ? special[i] : 4 * g.normal()));
    for (const slope of [0.2, 0.01, 1.5]) {
      const y = leakyRelu(tensor(v), slope).dataSync();
      for (let i = 0; i < v.length; i++) {
        const want = v[i] > 0 ? v[i] : Math.fround(Math.fround(slope) * v[i]);
        expect(Object.is(y[i], want), `leakyRelu(${v[i]}, ${slope}) gave ${y[i]}`).toBe(true);
      }
    }
  });
});

describe('batchNorm and clamp on 1, 2 and 3 CPU threads', () => {
  const before = wasmKernels().threads;
  afterAll(() => { wasmKernels().setThreads(Math.max(before, threadsWanted())); });

  /** A training step's outputs, gradients and running statistics, large enough for the parallel path. */
  async function run(threads: number): Promise<{ values: number[][]; used: number }> {
    await setBackend('cpu');
    wasmKernels().setThreads(threads);
    const shape = [16, 24, 19, 23], c = shape[1];
    const x = randn(shape, 70, true, 1.5, 0.25), w = randn([c], 71), b = randn([c], 72), r = randn(shape, 73, false);
    const running = { mean: tensor(new Float32Array(c)), var: tensor(new Float32Array(c).fill(1)) };
    const y = leakyRelu(clamp(batchNorm(x, { training: true, weight: w, bias: b, running }), 0, 6).sub(1), 0.2);
    y.mul(r).sum().backward();
    const yEval = batchNorm(x.detach(), { training: false, weight: w, bias: b, running });
    const values = [y, x.grad!, w.grad!, b.grad!, running.mean, running.var, yEval].map((t) => Array.from(t.dataSync()));
    return { values, used: wasmKernels().threads };
  }

  it('gives bit-identical values', async () => {
    const runs = [await run(1), await run(2), await run(3)];
    expect(runs.map((r) => r.used)).toEqual([1, 2, 3]);
    for (const r of runs.slice(1)) r.values.forEach((v, k) => expect(v, `output ${k}`).toEqual(runs[0].values[k]));
  });
});
