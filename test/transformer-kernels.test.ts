// The fused Transformer kernels (issue 16, deliverable 4) against their composed formulas, and
// their gradients against finite differences in float64 (gradcheck). The WGSL versions are in
// test/shared/kernel-cases.ts (WGSL vs CPU); thread-count identity in test/cpu-threads.test.ts.

import { describe, expect, it } from 'vitest';
import { enableGrad, gelu, Generator, gradcheck, indexSelect, layerNormLastAxis, maskedSoftmax, scatterAdd, softmax, tensor, tidy, type Tensor } from '../engine/index.js';
import { geluFn, geluGradFn, erf } from '../engine/backend/cpu/elementwise.js';
import { maskedSoftmaxInto, softmaxBackwardInto, softmaxInto } from '../engine/backend/cpu/reduce.js';
import { broadcastStrides } from '../engine/shape.js';
import { scatterAddInto, stridedInto } from '../engine/backend/cpu/movement.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { layerNormInto } from '../engine/backend/cpu/layernorm.js';
import { layerNorm } from '../nn/index.js';
import { layerNormComposed } from '../nn/functional/normalization.js';

function randn(shape: number[], seed: number, requiresGrad = true, scale = 1, shift = 0): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => shift + scale * g.normal()), { shape, requiresGrad });
}

function expectClose(got: Float32Array, want: Float32Array, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

/** y and the gradients of Σ y·r w.r.t. every input, from fn. */
function valueAndGrads(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], seed: number): Float32Array[] {
  let out: Float32Array[] = [];
  tidy(() => {
    for (const x of inputs) x.grad = null;
    const y = fn(...inputs);
    y.backward(randn([...y.shape], seed, false));
    out = [y.dataSync() as Float32Array, ...inputs.map((x) => x.grad!.dataSync() as Float32Array)];
    for (const x of inputs) { x.grad!.dispose(); x.grad = null; }
  });
  return out;
}

describe('fused layerNorm', () => {
  const cases: [string, number[], boolean, boolean][] = [
    ['G2P rows [64,10,128], weight and bias', [64, 10, 128], true, true],
    ['a prime width [7,37], weight only', [7, 37], true, false],
    ['bias only [3,5,9]', [3, 5, 9], false, true],
    ['no affine [4,256]', [4, 256], false, false],
    ['rows of one [6,1]', [6, 1], true, true],
  ];
  for (const [name, shape, hasW, hasB] of cases) {
    it(`equals the composed formula, forward and backward: ${name}`, () => {
      const n = shape[shape.length - 1];
      // Offset rows, as a residual stream's are: the mean must really be taken out.
      const x = randn(shape, 1, true, 2, 3), w = hasW ? randn([n], 2, true, 0.5, 1) : null, b = hasB ? randn([n], 3) : null;
      const inputs = [x, w, b].filter((t): t is Tensor => !!t);
      const call = (f: typeof layerNorm) => (...xs: Tensor[]) => {
        const [xx, ...rest] = xs;
        return f(xx, [n], hasW ? rest[0] : null, hasB ? rest[hasW ? 1 : 0] : null);
      };
      const fused = valueAndGrads(call(layerNorm), inputs, 9), composed = valueAndGrads(call(layerNormComposed), inputs, 9);
      fused.forEach((v, i) => expectClose(v, composed[i], 2e-5));
    });
  }

  it('over two trailing axes (flattened to one) equals the composed formula', () => {
    const x = randn([2, 3, 4, 5], 4), w = randn([4, 5], 5), b = randn([4, 5], 6);
    const f = valueAndGrads((a, c, d) => layerNorm(a, [4, 5], c, d), [x, w, b], 10);
    const r = valueAndGrads((a, c, d) => layerNormComposed(a, [4, 5], c, d), [x, w, b], 10);
    f.forEach((v, i) => expectClose(v, r[i], 2e-5));
  });

  it('gradcheck (float64): x, weight and bias; without affine; one element per row', () => {
    expect(gradcheck((x, w, b) => layerNormLastAxis(x, w, b), [randn([3, 4, 6], 11), randn([6], 12), randn([6], 13)])).toBe(true);
    expect(gradcheck((x) => layerNormLastAxis(x), [randn([5, 7], 14)])).toBe(true);
    expect(gradcheck((x, b) => layerNormLastAxis(x, null, b), [randn([2, 3], 15), randn([3], 16)])).toBe(true);
    expect(gradcheck((x, w) => layerNormLastAxis(x, w, null, 0.1), [randn([4, 1], 17), randn([1], 18)])).toBe(true);
  });

  it('second order (createGraph) goes through the composed backward: gradcheck of a gradient norm', () => {
    const f = (x: Tensor, w: Tensor, r: Tensor) => enableGrad(() => {
      const saved = [x.grad, w.grad];
      x.grad = null; w.grad = null;
      layerNormLastAxis(x, w).mul(r).sum().backward(undefined, { createGraph: true });
      const g = x.grad!.square().sum().add(w.grad!.square().sum());
      [x.grad, w.grad] = saved;
      return g;
    });
    expect(gradcheck(f, [randn([2, 5], 20), randn([5], 21), randn([2, 5], 19, false)])).toBe(true);
  });

  it('refuses a weight that is not [n]', () => {
    expect(() => layerNormLastAxis(randn([2, 4], 22), randn([3], 23))).toThrow(/layerNorm: weight \[3\] must be \[4\]/);
  });
});

describe('SIMD row kernels against the plain-JS kernels (float64 arithmetic)', () => {
  // Row lengths around the vector widths (4, and 8 in the softmax's exp loop), attention's and the vocabularies'.
  const widths = [1, 3, 4, 7, 8, 9, 10, 13, 64, 93, 512];

  it('softmax along the last axis, also scaled (maskedSoftmax without a mask)', () => {
    for (const n of widths) {
      const x = randn([6, n], n, false, 8);
      const want = new Float64Array(6 * n);
      softmaxInto(Float64Array.from(x.dataSync()), [6, n], 1, false, want);
      expectClose(softmax(x, -1).dataSync() as Float32Array, Float32Array.from(want), 1e-6);
      const scaled = new Float64Array(6 * n);
      softmaxInto(Float64Array.from(x.dataSync(), (v) => v * 0.35), [6, n], 1, false, scaled);
      expectClose(maskedSoftmax(x, null, -1, 0.35).dataSync() as Float32Array, Float32Array.from(scaled), 1e-6);
    }
  });

  it('maskedSoftmax with causal, padding and full masks (float32 and int32), fully masked rows, a NaN', () => {
    const bits = (shape: number[], p: number, seed: number, int: boolean) => {
      const g = new Generator(seed), n = shape.reduce((a, b) => a * b, 1);
      const v = Array.from({ length: n }, () => (g.random() < p ? 1 : 0));
      return tensor(int ? Int32Array.from(v) : Float32Array.from(v), { shape });
    };
    const causal = (t: number) => tensor(Float32Array.from({ length: t * t }, (_, i) => (i % t > Math.floor(i / t) ? 1 : 0)), { shape: [t, t] });
    const cases: [number[], Tensor][] = [
      [[3, 4, 10, 10], causal(10)], [[2, 4, 64, 64], causal(64)], [[3, 4, 7, 9], bits([3, 1, 1, 9], 0.4, 1, false)],
      [[5, 13], bits([5, 13], 0.6, 2, true)], [[2, 3, 6], bits([2, 3, 6], 0.97, 3, false)], [[4, 5], bits([1, 5], 0.3, 4, true)],
    ];
    for (const [shape, mask] of cases) {
      const x = randn(shape, 70, false, 5);
      const xs = Float64Array.from(x.dataSync());
      if (shape.length === 2) xs[3] = Number.NaN;
      const xt = tensor(Float32Array.from(xs), { shape });
      const want = new Float64Array(xs.length);
      maskedSoftmaxInto(xs, shape, Float64Array.from(mask.dataSync()), broadcastStrides(mask.shape, shape), shape.length - 1, 0.3, want);
      const got = maskedSoftmax(xt, mask, -1, 0.3).dataSync() as Float32Array;
      got.forEach((v, i) => {
        if (Number.isNaN(want[i])) expect(v, `${shape} at ${i}`).toBeNaN();
        else expect(Math.abs(v - want[i])).toBeLessThan(1e-6);
      });
    }
  });

  it('softmax: extreme logits underflow to 0 (not NaN), a NaN makes its row NaN and only its row', () => {
    const y = softmax(tensor(Float32Array.from([0, -200, 100, 100, 3, -1e30, 88, 89, 1, 2, Number.NaN, 4]), { shape: [2, 6] }), -1).dataSync();
    expect(Array.from(y.slice(0, 6)).every(Number.isFinite)).toBe(true);
    expect(y[1]).toBeLessThan(1e-37);
    expect(y[2]).toBeCloseTo(0.5, 6);   // the two 100s share the row
    expect(Math.abs(y[2] - y[3])).toBe(0);
    expect(Array.from(y.slice(6)).every(Number.isNaN)).toBe(true);
  });

  it('exp inside the softmax is within 3e-7 relative of Math.exp over [-87, 88]', () => {
    // Two-element rows [v, -1e30]: the first output is exp(v - v) = 1; instead rows [0, v] give 1/(1 + e^v).
    const v = Float32Array.from({ length: 4001 }, (_, i) => -87 + (175 * i) / 4000);
    const x = new Float32Array(2 * v.length);
    v.forEach((t, i) => { x[2 * i] = 0; x[2 * i + 1] = t; });
    const y = softmax(tensor(x, { shape: [v.length, 2] }), -1).dataSync();
    let worst = 0;
    v.forEach((t, i) => {
      const want = t > 0 ? 1 / (Math.exp(-t) + 1) : Math.exp(t) / (1 + Math.exp(t));
      worst = Math.max(worst, Math.abs(y[2 * i + 1] - want) / want);
    });
    expect(worst).toBeLessThan(3e-7);
  });

  it("softmax's backward (fused) against dx = y·(g − Σ g·y), any axis, with a scale", () => {
    for (const [shape, axis] of [[[5, 13], 1], [[4, 64, 64], 2], [[3, 7, 5], 1], [[6, 2, 9], 0]] as [number[], number][]) {
      const x = randn(shape, 31, true), g = randn(shape, 32, false);
      for (const scale of [1, 0.35]) {
        const y = scale === 1 ? softmax(x, axis) : maskedSoftmax(x, null, axis, scale);
        y.backward(g);
        const yy = Float64Array.from(y.dataSync()), want = new Float64Array(yy.length);
        softmaxBackwardInto(yy, Float64Array.from(g.dataSync()), shape, axis, scale, want);
        expectClose(x.grad!.dataSync() as Float32Array, Float32Array.from(want), 1e-6);
        x.grad!.dispose(); x.grad = null;
      }
    }
  });

  it('layer norm forward (SIMD) against the float64 JS kernel, widths 1 to 512, with and without weight and bias', () => {
    for (const n of widths) {
      const x = randn([5, n], 40 + n, false, 3, 2), w = randn([n], 41, false), b = randn([n], 42, false);
      for (const [ww, bb] of [[w, b], [null, null], [w, null], [null, b]] as [Tensor | null, Tensor | null][]) {
        const want = new Float64Array(5 * n);
        layerNormInto(Float64Array.from(x.dataSync()), n, ww && Float64Array.from(ww.dataSync()), bb && Float64Array.from(bb.dataSync()), 1e-5, want);
        expectClose(layerNormLastAxis(x, ww, bb).dataSync() as Float32Array, Float32Array.from(want), 3e-6);
      }
    }
  });

  it('GELU and its derivative (SIMD) against the exact erf form, over [-10, 10] and at the series/tail switch', () => {
    const v = Float32Array.from({ length: 2003 }, (_, i) => -10 + (20 * i) / 2002);
    v[0] = 0.5 * Math.SQRT2; v[1] = -0.5 * Math.SQRT2; v[2] = 0;
    const x = tensor(v, { requiresGrad: true });
    const y = gelu(x);
    y.backward(tensor(new Float32Array(v.length).fill(1)));
    const f = geluFn(erf), d = geluGradFn(erf);
    const got = y.dataSync(), dg = x.grad!.dataSync();
    let worst = 0, worstD = 0;
    v.forEach((t, i) => {
      // Absolute, scaled by |x|: erf's float32 error (1.5e-7, A&S 7.1.26) times x, as erf32 in JS.
      worst = Math.max(worst, Math.abs(got[i] - f(t)) / (1 + Math.abs(t)));
      worstD = Math.max(worstD, Math.abs(dg[i] - d(t)));
    });
    expect(worst).toBeLessThan(2e-7);
    expect(worstD).toBeLessThan(1e-6);
  });

  it('gradcheck (float64): gelu, softmax and masked softmax through the fused backward kernels', () => {
    expect(gradcheck((x) => gelu(x), [randn([3, 5], 51)])).toBe(true);
    expect(gradcheck((x) => softmax(x, -1), [randn([3, 5], 52)])).toBe(true);
    expect(gradcheck((x) => softmax(x, 0), [randn([3, 5], 53)])).toBe(true);
    const mask = tensor(Float32Array.from([0, 1, 0, 0, 1]), { shape: [1, 5] });
    expect(gradcheck((x, m) => maskedSoftmax(x, m, -1, 0.7), [randn([2, 3, 5], 54), mask])).toBe(true);
  });

  it("embedding scatter-add (SIMD) against the JS kernel, with repeated ids and widths off the vector size", () => {
    for (const d of [1, 5, 128]) {
      const ids = tensor(Int32Array.from({ length: 50 }, (_, i) => (i * 7) % 9));
      const src = randn([50, d], 60 + d, false);
      const want = new Float32Array(9 * d);
      scatterAddInto(src.dataSync(), ids.dataSync() as Int32Array, 0, [9, d], want);
      expect(Array.from(scatterAdd(src, ids, 0, [9, d]).dataSync())).toEqual(Array.from(want));
      // and as indexSelect's gradient
      const table = randn([9, d], 61, true);
      indexSelect(table, 0, ids).backward(src);
      expect(Array.from(table.grad!.dataSync())).toEqual(Array.from(want));
    }
    expect(() => scatterAdd(randn([2, 4], 62, false), tensor(Int32Array.from([0, 9])), 0, [3, 4])).toThrow(/scatterAdd: index 9 at position 1 is out of range for an axis of size 3/);
  });
});

describe('SIMD strided copies that keep rows contiguous (attention head split and merge)', () => {
  it('permute, slice and expand give what the JS strided kernel gives, float32 and int32', () => {
    const be = new CpuBackend();
    const cases: [number[], number[], number[], number][] = [
      // [B,T,H,D] -> [B,H,T,D] and back (GPT and G2P heads)
      [[12, 64, 4, 32], [12, 4, 64, 32], [8192, 32, 128, 1], 0],
      [[12, 4, 64, 32], [12, 64, 4, 32], [8192, 32, 2048, 1], 0],
      [[64, 10, 4, 32], [64, 4, 10, 32], [1280, 32, 128, 1], 0],
      // a slice with an offset, rows of 5 (not a multiple of 4)
      [[6, 9, 7], [3, 4, 5], [126, 14, 1], 9],
      // expand of a row over 300 rows; 5-D with a size-1 axis
      [[1, 64], [300, 64], [0, 1], 0],
      [[2, 3, 1, 4, 8], [3, 2, 1, 4, 8], [32, 96, 0, 8, 1], 0],
    ];
    for (const [inShape, outShape, strides, offset] of cases) {
      const n = inShape.reduce((a, b) => a * b, 1), m = outShape.reduce((a, b) => a * b, 1);
      for (const int of [false, true]) {
        const vals = Array.from({ length: n }, (_, i) => (i * 37) % 1001 - 500);
        const x = be.upload(int ? Int32Array.from(vals) : Float32Array.from(vals, (v) => v / 7));
        const got = be.strided({ storage: x, shape: inShape, dtype: int ? 'int32' : 'float32' }, outShape, strides, offset);
        const want = int ? new Int32Array(m) : new Float32Array(m);
        stridedInto(be.raw(x), outShape, strides, offset, want);
        expect(Array.from(be.readSync(got)), `${inShape} -> ${outShape}`).toEqual(Array.from(want));
        be.dispose(x); be.dispose(got);
      }
    }
  });
});
