// Every differentiable op of engine/index.ts, checked against central finite differences in
// float64 (gradcheck), plus second-order checks through createGraph, and a check that gradcheck
// itself bites on a deliberately wrong backward.
//
// Conventions: small odd shapes; values are kept away from non-differentiable points (relu/abs
// at 0, clamp bounds, ties in max/maxPool) so finite differences are meaningful.

import { describe, expect, it } from 'vitest';
import { Generator, Tensor, gradcheck, tensor, enableGrad, noGrad, neg, exp, log, sqrt, rsqrt, abs, square, reciprocal, sin, cos, erf, powScalar, affine, clamp, relu, leakyRelu, elu, gelu, tanh, sigmoid, add, sub, mul, div, pow, maximum, minimum, where, maskedFill, sum, mean, max, min, variance, std, logsumexp, softmax, logSoftmax, reshape, flatten, squeeze, unsqueeze, permute, transpose, expand, slice, narrow, padFull, pad, concat, cat, stack, split, chunk, clone, sumTo, indexSelect, scatterAdd, embedding, matmul, linear, conv2d, convTranspose2d, maxPool2d, avgPool2d } from '../engine/index.js';
import { adaptiveAvgPool2d, interpolate, batchNorm, layerNorm, dropout, crossEntropy, nllLoss, mseLoss, binaryCrossEntropy, bceWithLogits } from '../nn/index.js';
import { record } from '../engine/autograd.js';

// ---- input makers ----------------------------------------------------------------------------

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** float32 tensor requiring grad, from a function of a seeded generator. */
function make(shape: readonly number[], seed: number, draw: (g: Generator) => number, requiresGrad = true): Tensor {
  const g = new Generator(seed);
  const v = Float32Array.from({ length: sizeOf(shape) }, () => draw(g));
  return tensor(v, { shape, requiresGrad });
}
/** Standard normal. */
const randn = (shape: readonly number[], seed: number, requiresGrad = true) => make(shape, seed, (g) => g.normal(), requiresGrad);
/** Uniform in [lo, hi). */
const unif = (shape: readonly number[], seed: number, lo: number, hi: number, requiresGrad = true) =>
  make(shape, seed, (g) => lo + (hi - lo) * g.random(), requiresGrad);
/** Normal, but at least `gap` away from every point in `points` (non-differentiable kinks). */
function away(shape: readonly number[], seed: number, points: number[] = [0], gap = 0.1): Tensor {
  return make(shape, seed, (g) => {
    for (;;) {
      const v = g.normal();
      if (points.every((p) => Math.abs(v - p) >= gap)) return v;
    }
  });
}
/** All-distinct values (a shuffled grid with spacing 0.05 plus a small jitter): no ties anywhere. */
function distinct(shape: readonly number[], seed: number): Tensor {
  const n = sizeOf(shape);
  const g = new Generator(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  g.shuffle(order);
  return tensor(Float32Array.from(order, (k) => (k - n / 2) * 0.05 + 0.01 * g.random()), { shape, requiresGrad: true });
}
const ints = (values: number[] | number[][], shape?: number[]) =>
  tensor(values as number[], { dtype: 'int32', ...(shape ? { shape } : {}) });
/** A probability table [n, c] (rows sum to 1), without grad. */
function probs(n: number, c: number, seed: number): Tensor {
  const g = new Generator(seed);
  const v = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) { v[i * c + j] = 0.1 + g.random(); s += v[i * c + j]; }
    for (let j = 0; j < c; j++) v[i * c + j] /= s;
  }
  return tensor(v, { shape: [n, c] });
}

const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).toBe(true);

// ---- unary --------------------------------------------------------------------------------------

describe('gradcheck: unary and activations', () => {
  const x = () => away([3, 5], 1);
  const pos = () => unif([3, 5], 2, 0.3, 2.5);
  const cases: [string, () => Tensor, (a: Tensor) => Tensor][] = [
    ['neg', x, (a) => neg(a)],
    ['exp', x, (a) => exp(a)],
    ['log', pos, (a) => log(a)],
    ['sqrt', pos, (a) => sqrt(a)],
    ['rsqrt', pos, (a) => rsqrt(a)],
    ['abs', x, (a) => abs(a)],
    ['square', x, (a) => square(a)],
    ['reciprocal', pos, (a) => reciprocal(a)],
    ['reciprocal (negative)', x, (a) => reciprocal(a)],
    ['sin', x, (a) => sin(a)],
    ['cos', x, (a) => cos(a)],
    ['erf', x, (a) => erf(a)],
    ['erf (tails, |x| > 3)', () => tensor([-3.7, -3.1, 3.05, 3.4, 4.2], { requiresGrad: true }), (a) => erf(a)],
    ['powScalar 2.5 (positive base)', pos, (a) => powScalar(a, 2.5)],
    ['powScalar 3 (signed base)', x, (a) => powScalar(a, 3)],
    ['powScalar -1.5', pos, (a) => powScalar(a, -1.5)],
    ['affine', x, (a) => affine(a, 1.7, -0.3)],
    ['clamp [-0.5, 0.6]', () => away([3, 5], 3, [-0.5, 0.6]), (a) => clamp(a, -0.5, 0.6)],
    ['clamp min only', () => away([3, 5], 4, [-0.2]), (a) => clamp(a, -0.2)],
    ['relu', x, (a) => relu(a)],
    ['leakyRelu 0.1', x, (a) => leakyRelu(a, 0.1)],
    ['leakyRelu default', x, (a) => leakyRelu(a)],
    ['elu 1.3', x, (a) => elu(a, 1.3)],
    ['gelu (erf)', x, (a) => gelu(a)],
    ['gelu (tanh)', x, (a) => gelu(a, 'tanh')],
    ['tanh', x, (a) => tanh(a)],
    ['sigmoid', () => make([3, 5], 5, (g) => 6 * g.normal()), (a) => sigmoid(a)],
    ['method chain', x, (a) => a.square().add(1).log().mul(a.sigmoid()).sub(a.tanh().div(3))],
  ];
  for (const [name, input, fn] of cases) it(name, () => check(fn, [input()]));
});

// ---- binary -------------------------------------------------------------------------------------

describe('gradcheck: binary with broadcasting', () => {
  const A = () => randn([3, 1, 4], 11), B = () => randn([5, 1], 12);
  const Apos = () => unif([3, 1, 4], 13, 0.4, 2), Bpos = () => unif([5, 1], 14, 0.5, 2);
  const bin: [string, (a: Tensor, b: Tensor) => Tensor, () => Tensor, () => Tensor][] = [
    ['add', add, A, B], ['sub', sub, A, B], ['mul', mul, A, B],
    ['div', div, A, Bpos], ['pow', pow, Apos, B], ['pow (negative base, integer exponent)', pow, A, () => tensor([[2], [3], [1], [2], [3]], { requiresGrad: false })],
    ['maximum', maximum, A, B], ['minimum', minimum, A, B],
  ];
  for (const [name, f, a, b] of bin) {
    it(`${name} [3,1,4] × [5,1]`, () => check(f, [a(), b()]));
  }
  it('add/sub/mul/div/pow/maximum with a 0-d tensor', () => {
    const s = tensor(0.7, { requiresGrad: true });
    check((a, b) => add(mul(sub(a, b), div(a, b)), add(pow(abs(a), b), maximum(a, b))), [away([2, 3], 15), s]);
    check((a, b) => minimum(b, a), [randn([4], 16), tensor(0.1, { requiresGrad: true })]);
  });
  it('scalar operands (numbers) on both sides', () => {
    check((a) => add(add(a, 2.5), sub(1.5, a)), [randn([3, 2], 17)]);
    check((a) => mul(mul(a, -1.5), sub(a, 0.25)), [randn([3, 2], 18)]);
    check((a) => add(div(2, a), div(a, 4)), [unif([3, 2], 19, 0.5, 2)]);
    check((a) => add(pow(a, 1.7), pow(2, a)), [unif([3, 2], 20, 0.5, 2)]);
    check((a) => add(maximum(a, 0.2), minimum(0.1, a)), [away([3, 3], 21, [0.1, 0.2], 0.05)]);
  });
  it('same-shape and both-sides broadcasting ([4,1] × [1,3])', () => {
    check((a, b) => div(mul(a, b), add(square(b), 1)), [randn([4, 1], 22), randn([1, 3], 23)]);
  });
  it('where (int32 and float conditions, broadcast)', () => {
    const cond = ints([[1], [0], [1]]);
    check((c, a, b) => where(c, a, b), [cond, randn([3, 4], 24), randn([4], 25)]);
    check((c, a) => where(c, a, 0.5), [tensor([0, 1, 1, 0]), randn([2, 3, 4], 26)]);
  });
  it('maskedFill', () => {
    check((x, m) => maskedFill(x, m, -5).softmax(-1), [randn([2, 3, 4], 27), ints([[0, 1, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0]])]);
  });
});

// ---- reductions ---------------------------------------------------------------------------------

describe('gradcheck: reductions and softmax', () => {
  const x = () => randn([3, 4, 5], 31);
  const d = () => distinct([3, 4, 5], 32);
  const cases: [string, () => Tensor, (a: Tensor) => Tensor][] = [
    ['sum all', x, (a) => sum(a)],
    ['sum axis 1', x, (a) => sum(a, 1)],
    ['sum [0,2] keepDim', x, (a) => sum(a, [0, 2], true)],
    ['sum -1', x, (a) => sum(a, -1)],
    ['mean all', x, (a) => mean(a)],
    ['mean -2 keepDim', x, (a) => mean(a, -2, true)],
    ['mean [0,-1]', x, (a) => mean(a, [0, -1])],
    ['max all', d, (a) => max(a)],
    ['max 1', d, (a) => max(a, 1)],
    ['max [-1,0] keepDim', d, (a) => max(a, [-1, 0], true)],
    ['min 2', d, (a) => min(a, 2)],
    ['min [0,1]', d, (a) => min(a, [0, 1])],
    ['variance all', x, (a) => variance(a)],
    ['variance 1', x, (a) => variance(a, 1)],
    ['variance [0,2] keepDim, correction 0', x, (a) => variance(a, [0, 2], true, 0)],
    ['std -1', x, (a) => std(a, -1)],
    ['std [0,1] keepDim', x, (a) => std(a, [0, 1], true)],
    ['logsumexp 1', x, (a) => logsumexp(a, 1)],
    ['logsumexp [0,2] keepDim', x, (a) => logsumexp(a, [0, 2], true)],
    ['logsumexp all (large values)', () => make([3, 4, 5], 33, (g) => 50 + 3 * g.normal()), (a) => logsumexp(a)],
    ['softmax 0', x, (a) => softmax(a, 0)],
    ['softmax -1', x, (a) => softmax(a, -1)],
    ['softmax 1 (middle)', x, (a) => softmax(a, 1)],
    ['logSoftmax 0', x, (a) => logSoftmax(a, 0)],
    ['logSoftmax -1', x, (a) => logSoftmax(a)],
    ['logSoftmax 1 (middle)', x, (a) => logSoftmax(a, 1)],
    ['methods: var/std/max/min', d, (a) => a.var(1).sum().add(a.std(0, true).sum()).add(a.max(-1).mul(a.min(0).sum()).sum())],
  ];
  for (const [name, input, fn] of cases) it(name, () => check(fn, [input()]));
  it('logsumexp of infinite rows is ±Infinity, as in PyTorch (not NaN)', () => {
    const y = logsumexp(tensor([[-Infinity, -Infinity], [Infinity, 1], [0, Math.log(3)]]), 1);
    const v = Array.from(y.dataSync());
    expect(v[0]).toBe(-Infinity);
    expect(v[1]).toBe(Infinity);
    expect(v[2]).toBeCloseTo(Math.log(4), 6);
  });
  it('max ties share the gradient evenly (value check)', () => {
    const t = tensor([1, 3, 3, 2], { requiresGrad: true });
    max(t).backward();
    expect(Array.from(t.grad!.dataSync())).toEqual([0, 0.5, 0.5, 0]);
  });
});

// ---- shape ops -----------------------------------------------------------------------------------

describe('gradcheck: shape and movement', () => {
  const cases: [string, () => Tensor[], (...a: Tensor[]) => Tensor][] = [
    ['reshape', () => [randn([3, 4], 41)], (a) => reshape(a, [2, 6]).mul(reshape(a, [6, 2]).t().reshape([2, 6]))],
    ['reshape -1', () => [randn([3, 4], 41)], (a) => reshape(a, [-1, 3]).square()],
    ['flatten', () => [randn([2, 3, 4], 42)], (a) => flatten(a, 1).square()],
    ['flatten middle', () => [randn([2, 3, 2, 3], 42)], (a) => flatten(a, 1, 2).exp()],
    ['squeeze all / dim', () => [randn([3, 1, 4, 1], 43)], (a) => squeeze(a).add(squeeze(a, 1).squeeze(-1)).square()],
    ['unsqueeze', () => [randn([3, 4], 44)], (a) => unsqueeze(a, -1).mul(unsqueeze(a, 1).transpose(1, 2))],
    ['permute', () => [randn([2, 3, 4], 45)], (a) => permute(a, [2, 0, 1]).square()],
    ['transpose', () => [randn([2, 3, 4], 46)], (a) => transpose(a, 0, 2).mul(transpose(a, -1, -3))],
    ['transpose default / t', () => [randn([3, 4], 46)], (a) => transpose(a).mul(a.t())],
    ['expand', () => [randn([3, 1, 4], 47)], (a) => expand(a, [2, 3, 5, 4]).square()],
    ['expand -1', () => [randn([3, 1], 47)], (a) => expand(a, [-1, 4]).exp()],
    ['slice with steps and negative indices', () => [randn([5, 7], 48)], (a) => slice(a, [-4, 1], [5, -1], [2, 3]).square()],
    ['slice 3-D, step on every axis', () => [randn([5, 4, 7], 48)], (a) => slice(a, [0, 1, -6], [5, 4, 7], [3, 2, 2]).exp()],
    ['slice clamped ends', () => [randn([4, 3], 48)], (a) => slice(a, [1, -100], [100, 2]).square()],
    ['narrow', () => [randn([3, 6], 49)], (a) => narrow(a, 1, 2, 3).square()],
    ['padFull', () => [randn([2, 3], 50)], (a) => padFull(a, [1, 0], [2, 3], 0.5).square()],
    ['pad (F.pad order)', () => [randn([2, 3, 3], 51)], (a) => pad(a, [1, 2, 0, 1], -1).square()],
    ['concat dim 1', () => [randn([2, 3], 52), randn([2, 1], 53), randn([2, 4], 54)], (a, b, c) => concat([a, b.exp(), c], 1).square()],
    ['concat dim 0, same tensor twice', () => [randn([2, 3], 52)], (a) => concat([a, a.square()], 0).exp()],
    ['stack dim 1', () => [randn([2, 3], 55), randn([2, 3], 56)], (a, b) => stack([a, b, a.mul(b)], 1).square()],
    ['stack dim -1', () => [randn([3], 55), randn([3], 56)], (a, b) => stack([a, b], -1).exp()],
    ['split sizes', () => [randn([2, 5], 57)], (a) => { const [p, q, r] = split(a, [1, 3, 1], 1); return concat([r, p.mul(2), q.square()], 1); }],
    ['split equal', () => [randn([5, 2], 57)], (a) => { const ps = split(a, 2, 0); return concat([ps[2].mul(3), ps[0].exp(), ps[1]], 0); }],
    ['chunk', () => [randn([7, 2], 58)], (a) => { const cs = chunk(a, 3, 0); return concat([cs[0].square(), cs[1].mul(-2), cs[2].exp()], 0); }],
    ['clone', () => [randn([3, 4], 59)], (a) => clone(a).mul(a)],
    ['cat (alias of concat)', () => [randn([2, 3], 52), randn([1, 3], 53)], (a, b) => cat([b, a]).square()],
    ['sumTo (adjoint of broadcasting)', () => [randn([2, 3, 4], 60)], (a) => sumTo(a.square(), [3, 1]).add(sumTo(a, [1, 4]).sum())],
    ['view (method)', () => [randn([2, 6], 59)], (a) => a.view([3, 4]).square()],
  ];
  for (const [name, inputs, fn] of cases) it(name, () => check(fn, inputs()));
});

// ---- indexing -------------------------------------------------------------------------------------

describe('gradcheck: indexing', () => {
  it('indexSelect dim 0 with duplicate indices', () => {
    check((x, i) => indexSelect(x, 0, i).square(), [randn([5, 3], 61), ints([1, 3, 1, 1])]);
  });
  it('indexSelect dim 1, 2-D indices with duplicates', () => {
    check((x, i) => indexSelect(x, 1, i).exp(), [randn([2, 3, 4], 62), ints([[2, 0], [2, 2]])]);
  });
  it('scatterAdd with duplicate indices', () => {
    check((s, i) => scatterAdd(s, i, 0, [4, 4]).square(), [randn([3, 4], 63), ints([2, 0, 2])]);
    check((s, i) => scatterAdd(s, i, 1, [2, 3]).exp(), [randn([2, 4], 64), ints([0, 2, 0, 0])]);
  });
  it('embedding', () => {
    check((i, w) => embedding(i, w).tanh(), [ints([[0, 5, 2], [5, 5, 1]]), randn([6, 4], 65)]);
  });
});

// ---- linear algebra ---------------------------------------------------------------------------------

describe('gradcheck: matmul and linear', () => {
  const cases: [string, number[], number[]][] = [
    ['1-D · 2-D', [4], [4, 3]],
    ['2-D · 1-D', [3, 4], [4]],
    ['1-D · 1-D', [4], [4]],
    ['2-D', [3, 4], [4, 2]],
    ['batched', [2, 3, 4], [2, 4, 5]],
    ['batched · 2-D (folded)', [2, 3, 4], [4, 5]],
    ['2-D · batched', [3, 4], [2, 4, 5]],
    ['batch-broadcast [2,1,3,4]@[5,4,2]', [2, 1, 3, 4], [5, 4, 2]],
    ['1-D · batched', [4], [2, 4, 3]],
  ];
  for (const [name, sa, sb] of cases) it(`matmul ${name}`, () => check(matmul, [randn(sa, 71), randn(sb, 72)]));
  it('matmul of transposed views', () => {
    check((a, b) => matmul(a.transpose(-1, -2), b.t()), [randn([2, 4, 3], 73), randn([5, 4], 74)]);
  });
  it('linear with bias', () => check(linear, [randn([2, 3, 4], 75), randn([5, 4], 76), randn([5], 77)]));
  it('linear without bias', () => check((x, w) => linear(x, w), [randn([3, 4], 78), randn([2, 4], 79)]));
});

// ---- convolution and pooling ----------------------------------------------------------------------------

describe('gradcheck: conv2d', () => {
  const cases: [string, number[], number[], Parameters<typeof conv2d>[3]][] = [
    ['odd 7×5, kernel 3×2', [2, 2, 7, 5], [3, 2, 3, 2], {}],
    ['stride 2, padding 1', [1, 2, 7, 5], [3, 2, 3, 3], { stride: 2, padding: 1 }],
    ['stride [2,1], padding [0,2]', [1, 2, 6, 5], [2, 2, 3, 3], { stride: [2, 1], padding: [0, 2] }],
    ["'same'", [1, 2, 5, 6], [3, 2, 3, 3], { padding: 'same' }],
    ["'same' with dilation 2", [1, 1, 7, 6], [2, 1, 3, 3], { padding: 'same', dilation: 2 }],
    ["'valid'", [1, 2, 5, 5], [2, 2, 2, 3], { padding: 'valid' }],
    ['dilation 2', [1, 2, 7, 7], [2, 2, 3, 3], { dilation: 2 }],
    ['dilation [1,2], stride 2, padding 1', [1, 1, 7, 7], [2, 1, 3, 2], { dilation: [1, 2], stride: 2, padding: 1 }],
    ['groups 2', [1, 4, 5, 5], [4, 2, 3, 3], { groups: 2, padding: 1 }],
    ['depthwise (groups = C)', [1, 3, 5, 6], [3, 1, 3, 3], { groups: 3 }],
    ['depthwise, multiplier 2, stride 2', [1, 2, 7, 5], [4, 1, 3, 3], { groups: 2, stride: 2, padding: 1 }],
    ['depthwise, dilation 2, padding 2, two images', [2, 3, 6, 7], [3, 1, 3, 3], { groups: 3, dilation: 2, padding: 2 }],
    ['depthwise, stride [2,3], kernel 2×3 (rectangular)', [1, 2, 7, 8], [2, 1, 2, 3], { groups: 2, stride: [2, 3], padding: [1, 0] }],
  ];
  for (const [name, xs, ws, o] of cases) it(name, () => check((x, w) => conv2d(x, w, null, o), [randn(xs, 81), randn(ws, 82)]));
  it('with bias', () => check((x, w, b) => conv2d(x, w, b, { padding: 1 }), [randn([2, 2, 5, 4], 83), randn([3, 2, 3, 3], 84), randn([3], 85)]));
  it("even kernel 'same' keeps the spatial size", () => {
    check((x, w) => {
      const y = conv2d(x, w, null, { padding: 'same' });
      expect(y.shape).toEqual([1, 2, 5, 6]);
      return y;
    }, [randn([1, 2, 5, 6], 86), randn([2, 2, 2, 4], 87)]);
  });
});

describe('gradcheck: convTranspose2d', () => {
  const cases: [string, number[], number[], Parameters<typeof convTranspose2d>[3]][] = [
    ['stride 1', [1, 2, 3, 4], [2, 3, 3, 3], {}],
    ['stride 2', [1, 2, 3, 4], [2, 3, 3, 3], { stride: 2 }],
    ['stride 2, padding 1, outputPadding 1', [2, 2, 3, 3], [2, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
    ['stride [2,3], outputPadding [1,2]', [1, 1, 3, 3], [1, 2, 2, 3], { stride: [2, 3], outputPadding: [1, 2] }],
    ['dilation 2', [1, 2, 3, 3], [2, 1, 3, 2], { dilation: 2 }],
    ['groups 2', [1, 4, 3, 3], [4, 1, 3, 3], { groups: 2, stride: 2 }],
  ];
  for (const [name, xs, ws, o] of cases) it(name, () => check((x, w) => convTranspose2d(x, w, null, o), [randn(xs, 91), randn(ws, 92)]));
  it('with bias', () => check((x, w, b) => convTranspose2d(x, w, b, { stride: 2 }), [randn([1, 2, 3, 3], 93), randn([2, 3, 2, 2], 94), randn([3], 95)]));
});

describe('gradcheck: pooling and resizing', () => {
  const mp: [string, number[], Parameters<typeof maxPool2d>[1], Parameters<typeof maxPool2d>[2]][] = [
    ['kernel 2', [1, 2, 6, 4], 2, {}],
    ['kernel 3, stride 2 (overlapping)', [1, 2, 7, 6], 3, { stride: 2 }],
    ['kernel 3, stride 1, padding 1', [1, 1, 5, 5], 3, { stride: 1, padding: 1 }],
    ['kernel 2, dilation 2', [1, 2, 6, 7], 2, { dilation: 2, stride: 1 }],
    ['kernel [2,3], stride [1,2]', [2, 1, 5, 7], [2, 3], { stride: [1, 2] }],
  ];
  for (const [name, xs, k, o] of mp) it(`maxPool2d ${name}`, () => check((x) => maxPool2d(x, k, o), [distinct(xs, 101)]));
  const ap: [string, number[], Parameters<typeof avgPool2d>[1], Parameters<typeof avgPool2d>[2]][] = [
    ['kernel 2', [1, 2, 6, 4], 2, {}],
    ['kernel 3, stride 2', [1, 2, 7, 6], 3, { stride: 2 }],
    ['kernel 3, stride 2, padding 1, countIncludePad true', [1, 2, 7, 6], 3, { stride: 2, padding: 1, countIncludePad: true }],
    ['kernel 3, stride 2, padding 1, countIncludePad false', [1, 2, 7, 6], 3, { stride: 2, padding: 1, countIncludePad: false }],
    ['kernel [2,3], stride [2,1], padding [1,1], countIncludePad false', [1, 1, 5, 6], [2, 3], { stride: [2, 1], padding: [1, 1], countIncludePad: false }],
  ];
  for (const [name, xs, k, o] of ap) it(`avgPool2d ${name}`, () => check((x) => avgPool2d(x, k, o), [randn(xs, 102)]));
  it('adaptiveAvgPool2d divisible (6×4 → 3×2)', () => check((x) => adaptiveAvgPool2d(x, [3, 2]), [randn([1, 2, 6, 4], 103)]));
  it('adaptiveAvgPool2d non-divisible (7×5 → 3×2)', () => check((x) => adaptiveAvgPool2d(x, [3, 2]), [randn([1, 2, 7, 5], 104)]));
  it('adaptiveAvgPool2d global (→ 1)', () => check((x) => adaptiveAvgPool2d(x, 1), [randn([2, 2, 3, 5], 105)]));
  it('interpolate nearest 3×4 → 5×7', () => check((x) => interpolate(x, { size: [5, 7] }), [randn([1, 2, 3, 4], 106)]));
  it('interpolate bilinear ×2', () => check((x) => interpolate(x, { scaleFactor: 2, mode: 'bilinear' }), [randn([1, 2, 3, 4], 107)]));
  it('interpolate bilinear alignCorners 3×4 → 5×6', () => check((x) => interpolate(x, { size: [5, 6], mode: 'bilinear', alignCorners: true }), [randn([1, 1, 3, 4], 108)]));
  it('interpolate bilinear downsample 5×7 → 3×4', () => check((x) => interpolate(x, { size: [3, 4], mode: 'bilinear' }), [randn([1, 1, 5, 7], 109)]));
});

// ---- normalisation, dropout, losses ------------------------------------------------------------------

describe('gradcheck: normalisation and dropout', () => {
  it('batchNorm training, 4-D, weight and bias', () => {
    check((x, w, b) => batchNorm(x, { training: true, weight: w, bias: b }), [randn([3, 2, 2, 3], 111), randn([2], 112), randn([2], 113)]);
  });
  it('batchNorm training, 2-D, updates running stats (values checked)', () => {
    check((x, rm, rv) => {
      const running = { mean: rm.clone(), var: rv.clone() };
      const y = batchNorm(x, { training: true, running, momentum: 0.2 });
      const xv = x.dataSync(), n = 5, c = 3;
      for (let j = 0; j < c; j++) {
        let m = 0; for (let i = 0; i < n; i++) m += xv[i * c + j]; m /= n;
        let v = 0; for (let i = 0; i < n; i++) v += (xv[i * c + j] - m) ** 2; v /= n - 1;
        expect(running.mean.dataSync()[j]).toBeCloseTo(0.8 * rm.dataSync()[j] + 0.2 * m, 5);
        expect(running.var.dataSync()[j]).toBeCloseTo(0.8 * rv.dataSync()[j] + 0.2 * v, 5);
      }
      return y;
    }, [randn([5, 3], 114), randn([3], 115, false), unif([3], 116, 0.5, 1.5, false)]);
  });
  it('batchNorm eval (running stats as inputs)', () => {
    check((x, w, b, rm, rv) => batchNorm(x, { training: false, weight: w, bias: b, running: { mean: rm, var: rv } }),
      [randn([2, 3, 2, 2], 117), randn([3], 118), randn([3], 119), randn([3], 120, false), unif([3], 121, 0.5, 1.5, false)]);
  });
  it('layerNorm last axis with weight and bias', () => {
    check((x, w, b) => layerNorm(x, [4], w, b), [randn([2, 3, 4], 122), randn([4], 123), randn([4], 124)]);
  });
  it('layerNorm over two axes, no affine', () => {
    check((x) => layerNorm(x, [3, 4]), [randn([2, 3, 4], 125)]);
  });
  it('dropout with a fixed generator seed', () => {
    check((x) => dropout(x, 0.3, true, new Generator(7)), [randn([4, 5], 126)]);
  });
  it('dropout: same seed → same mask, eval is the identity', () => {
    const x = randn([50], 127, false);
    const a = dropout(x, 0.4, true, new Generator(3)).dataSync();
    const b = dropout(x, 0.4, true, new Generator(3)).dataSync();
    const c = dropout(x, 0.4, true, new Generator(4)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const xv = x.dataSync();
    a.forEach((v, i) => { if (v !== 0) expect(v).toBeCloseTo(xv[i] / 0.6, 5); });
    expect(dropout(x, 0.4, false)).toBe(x);
  });
});

describe('gradcheck: losses', () => {
  const logits = () => randn([4, 5], 131);
  const labels = () => ints([1, 4, 0, 1]);
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`crossEntropy int targets, reduction ${reduction}`, () => check((z, t) => crossEntropy(z, t, { reduction }), [logits(), labels()]));
  }
  it('crossEntropy probability targets', () => check((z, q) => crossEntropy(z, q), [logits(), probs(4, 5, 132)]));
  it('crossEntropy probability targets require grad too', () => check((z, q) => crossEntropy(z, q), [logits(), unif([4, 5], 133, 0, 1)]));
  it('crossEntropy label smoothing 0.1 (int targets, sum)', () => check((z, t) => crossEntropy(z, t, { labelSmoothing: 0.1, reduction: 'sum' }), [logits(), labels()]));
  it('crossEntropy label smoothing 0.2 (prob targets)', () => check((z, q) => crossEntropy(z, q, { labelSmoothing: 0.2 }), [logits(), probs(4, 5, 134)]));
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`nllLoss ${reduction}`, () => check((z, t) => nllLoss(logSoftmax(z, 1), t, reduction), [logits(), labels()]));
  }
  it('mseLoss (both inputs)', () => check((a, b) => mseLoss(a, b), [randn([3, 4], 135), randn([3, 4], 136)]));
  it('mseLoss sum / none', () => check((a, b) => add(mseLoss(a, b, 'sum'), mseLoss(a, b, 'none').mean()), [randn([3, 4], 137), randn([3, 4], 138)]));
  it('binaryCrossEntropy (probabilities and targets)', () => check((p, t) => binaryCrossEntropy(p, t), [unif([3, 4], 139, 0.1, 0.9), unif([3, 4], 140, 0, 1)]));
  it('binaryCrossEntropy sum', () => check((p, t) => binaryCrossEntropy(p, t, 'sum'), [unif([6], 141, 0.05, 0.95), tensor([0, 1, 1, 0, 1, 0])]));
  it('bceWithLogits', () => check((z, t) => bceWithLogits(z, t), [away([3, 4], 142, [0], 0.05), unif([3, 4], 143, 0, 1)]));
  it('crossEntropy / nllLoss with masked (-Infinity) logits stay finite, masked classes get zero gradient', () => {
    const z = tensor([[2, -Infinity, 0.5], [-Infinity, 1, 0]], { requiresGrad: true });
    const loss = crossEntropy(z, ints([0, 2]));
    const expected = (-Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(0.5))) - Math.log(1 / (Math.E + 1))) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    loss.backward();
    const g = Array.from(z.grad!.dataSync());
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g[1]).toBe(0);
    expect(g[3]).toBe(0);
    const n = nllLoss(logSoftmax(tensor([[-Infinity, 0, 0]]), 1), ints([2]), 'sum');
    expect(n.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
  });
  it('binaryCrossEntropy at p = 0 and p = 1: loss clamped at 100 as PyTorch, gradient finite', () => {
    const p = tensor([0, 1, 0, 1, 0.5], { requiresGrad: true });
    const loss = binaryCrossEntropy(p, tensor([1, 0, 0, 1, 1]), 'none');
    const v = Array.from(loss.dataSync());
    expect(v[0]).toBeCloseTo(100, 4);
    expect(v[1]).toBeCloseTo(100, 4);
    expect(Math.abs(v[2])).toBe(0);
    expect(Math.abs(v[3])).toBe(0);
    expect(v[4]).toBeCloseTo(Math.log(2), 6);
    loss.sum().backward();
    const g = Array.from(p.grad!.dataSync());
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g[4]).toBeCloseTo(-2, 5);
  });
  it('bceWithLogits large logits, reduction none', () => check((z, t) => bceWithLogits(z, t, 'none'), [make([5], 144, (g) => 30 * (g.random() - 0.5) + 0.7), tensor([1, 0, 1, 0, 1])]));
});

// ---- second order ------------------------------------------------------------------------------------------

/** torch.autograd.grad(y, wrt, create_graph=True): gradients as graph-connected tensors, leaving
 *  every leaf's .grad as it was (gradcheck reads its own inputs' .grad afterwards). */
function gradOf(y: Tensor, wrt: Tensor[], leaves: Tensor[]): Tensor[] {
  const saved = leaves.map((t) => t.grad);
  leaves.forEach((t) => { t.grad = null; });
  try {
    y.backward(undefined, { createGraph: true });
    return wrt.map((t) => {
      if (!t.grad) throw new Error('gradOf: no gradient reached an input');
      return t.grad;
    });
  } finally {
    leaves.forEach((t, i) => { t.grad = saved[i]; });
  }
}

/** f(x, ...) = Σ (d loss / d x_k)² · r_k, a function whose gradient needs second derivatives. */
function gradNorm(loss: (...xs: Tensor[]) => Tensor, wrtIdx: number[] = [0]) {
  return (...xs: Tensor[]) => enableGrad(() => {
    const gs = gradOf(loss(...xs), wrtIdx.map((i) => xs[i]), xs.filter((t) => t.requiresGrad));
    return gs.map((g) => g.square().sum()).reduce((a, b) => a.add(b));
  });
}

describe('gradcheck: second order (createGraph)', () => {
  // A fixed weighting so the inner loss is not a plain sum (whose second derivative is often trivial).
  const wsum = (y: Tensor, seed: number) => y.mul(randn(y.shape as number[], seed, false)).sum();
  it('conv2d: gradient norm w.r.t. the input, differentiated w.r.t. input and weight', () => {
    check(gradNorm((x, w) => wsum(conv2d(x, w, null, { stride: 2, padding: 1 }).tanh(), 151)), [randn([1, 2, 5, 5], 152), randn([2, 2, 3, 3], 153)]);
  });
  it('conv2d: gradient norm w.r.t. the weight (and input)', () => {
    check(gradNorm((x, w) => wsum(conv2d(x, w, null, { dilation: 2, groups: 2 }).square(), 154), [0, 1]), [randn([1, 2, 5, 6], 155), randn([2, 1, 2, 2], 156)]);
  });
  it('convTranspose2d', () => {
    check(gradNorm((x, w) => wsum(convTranspose2d(x, w, null, { stride: 2 }).sigmoid(), 157), [0, 1]), [randn([1, 2, 2, 3], 158), randn([2, 1, 3, 3], 159)]);
  });
  it('matmul (batched) + tanh', () => {
    check(gradNorm((a, b) => wsum(matmul(a, b).tanh(), 161), [0, 1]), [randn([2, 3, 4], 162), randn([4, 2], 163)]);
  });
  it('softmax / logSoftmax / crossEntropy', () => {
    check(gradNorm((z, t) => crossEntropy(z.mul(1.3), t, { labelSmoothing: 0.1 }).add(wsum(softmax(z, 0), 164))), [randn([3, 4], 165), ints([2, 0, 3])]);
  });
  it('elementwise activations (gelu, elu, sigmoid, exp, log, sqrt, div, pow)', () => {
    check(gradNorm((x) => wsum(gelu(x).add(elu(x, 0.7)).add(sigmoid(x).mul(exp(x))).add(log(x.square().add(1)))
      .add(sqrt(x.square().add(0.5))).add(div(1, x.square().add(2))).add(pow(x.square().add(1), x)).add(gelu(x, 'tanh')), 166)),
    [away([2, 3], 167)]);
  });
  it('reductions (var, logsumexp, max) and layerNorm', () => {
    check(gradNorm((x, w) => wsum(layerNorm(x, [4], w).add(logsumexp(x, 1, true)).add(variance(x, 0, true)).mul(max(x, 1, true)), 168), [0, 1]),
      [distinct([3, 4], 169), randn([4], 170)]);
  });
  it('indexSelect / slice / pad / concat', () => {
    check(gradNorm((x, i) => wsum(concat([indexSelect(x, 0, i).flatten(), slice(x, [0, 1], [3, 4], [2, 2]).square().flatten(), pad(x, [1, 0]).flatten()], 0).square(), 171)),
      [randn([3, 4], 172), ints([2, 0, 2])]);
  });
  it('broadcasting binary ops and expand (the engine sums the gradient down, and that sum is differentiated)', () => {
    check(gradNorm((x, w, b) => wsum(x.mul(w).add(b).tanh().add(expand(w, [3, 2, 4]).mul(x).div(b.square().add(1))), 190), [0, 1, 2]),
      [randn([2, 4], 191), randn([1, 4], 192), randn([3, 1, 1], 193)]);
  });
  it('avgPool2d and adaptiveAvgPool2d', () => {
    check(gradNorm((x) => wsum(avgPool2d(x.square(), 2, { stride: 1 }).add(adaptiveAvgPool2d(x.exp(), [2, 3])), 173)), [randn([1, 1, 3, 4], 174)]);
  });
  it('maxPool2d (the gradient flows to the upstream weight)', () => {
    check(gradNorm((x, w) => wsum(maxPool2d(x, 2).mul(w), 175)), [distinct([2, 2, 4, 4], 176), randn([1, 2, 2, 2], 177)]);
    check(gradNorm((x, w) => wsum(maxPool2d(x, 3, { stride: 2, padding: 1 }).mul(w), 178)), [distinct([1, 2, 5, 4], 179), randn([2, 3, 2], 180)]);
  });
});

// ---- the check bites -----------------------------------------------------------------------------------------

describe('gradcheck detects a wrong gradient', () => {
  /** 3x, with a backward that claims 2g: off by a factor of 1.5. */
  const badTriple = (x: Tensor) => record('badTriple', [x], noGrad(() => affine(x, 3, 0)), (g) => [mul(g, 2)]);
  const goodTriple = (x: Tensor) => record('goodTriple', [x], noGrad(() => affine(x, 3, 0)), (g) => [mul(g, 3)]);
  it('passes the correct custom op', () => check(goodTriple, [randn([3], 181)]));
  it('throws on the wrong one, naming input, element and both values', () => {
    expect(() => gradcheck(badTriple, [randn([3], 182)])).toThrow(/gradcheck: input 0 \[3\], element 0: autograd gives .* but finite differences give/);
  });
  it('throws when only one element of one input is wrong', () => {
    // d/dy is right; d/dx is wrong only at element 2.
    const op = (x: Tensor, y: Tensor) => record('halfBad', [x, y], noGrad(() => mul(x, y)), (g) => [
      mul(mul(g, y), tensor([1, 1, 1.01, 1])), mul(g, x)]);
    expect(() => gradcheck(op, [randn([4], 183), randn([4], 184)])).toThrow(/input 0 \[4\], element 2/);
  });
  it('throws on a missing gradient (backward returns null)', () => {
    const op = (x: Tensor) => record('noGradOp', [x], noGrad(() => square(x)), () => [null]);
    expect(() => gradcheck(op, [randn([2], 185)])).toThrow(/autograd gives 0/);
  });
});
