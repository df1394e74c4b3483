// Every WebGPU kernel against the CPU backend (the reference), on seeded random inputs with
// awkward shapes: 1, primes, sizes that are not multiples of a tile, a large batch, int32 paths.
// On a machine without a GPU this runs on Dawn's OpenGL backend over Mesa llvmpipe; if no adapter
// exists at all, beforeAll throws and every test fails with that message (they must not skip).

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BinaryOp, DType, Storage, TensorInfo, UnaryOp } from '../engine/backend/backend.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import { ARG_REDUCE_CODES, BINARY_CODES, REDUCE_CODES, UNARY_CODES } from '../engine/backend/webgpu/codes.js';
import type { Conv2dParams, Pool2dParams } from '../engine/conv-geometry.js';

const cpu = new CpuBackend();
let gpu: Backend & { description: string };
let baseline = { buffers: 0, bytes: 0 };

beforeAll(async () => {
  gpu = await createWebGpuBackend();
  console.log(gpu.description);
  baseline = gpu.memory();
}, 60_000);

afterAll(async () => {
  if (gpu) expect(gpu.memory().buffers).toBe(baseline.buffers);   // every test disposed what it made
});

// ---- inputs and the comparison ---------------------------------------------------------------

let seed = 12345;
const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32; };
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
type In = { shape: number[]; data: Float32Array | Int32Array };
const F = (shape: number[], lo = -2, hi = 2): In => ({ shape, data: Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * rnd()) });
const I = (shape: number[], lo = -5, hi = 5): In => ({ shape, data: Int32Array.from({ length: size(shape) }, () => Math.floor(lo + (hi - lo) * rnd())) });

type Op = (be: Backend, t: TensorInfo[]) => Storage | Storage[] | void;

async function run(be: Backend, ins: In[], op: Op, readInputs = false): Promise<(Float32Array | Int32Array)[]> {
  const t: TensorInfo[] = ins.map((x) => ({ storage: be.upload(x.data), shape: x.shape, dtype: (x.data instanceof Int32Array ? 'int32' : 'float32') as DType }));
  const r = op(be, t);
  const outs = r === undefined ? [] : Array.isArray(r) ? r : [r];
  const vals = [];
  for (const o of readInputs ? [...outs, ...t.map((x) => x.storage)] : outs) vals.push(await be.read(o) as Float32Array | Int32Array);
  for (const o of outs) be.dispose(o);
  for (const x of t) be.dispose(x.storage);
  return vals;
}

/** Run op on both backends; outputs (and, for in-place kernels, inputs) must agree to tol relative. */
async function same(ins: In[], op: Op, tol = 1e-4, readInputs = false): Promise<void> {
  const want = await run(cpu, ins, op, readInputs), got = await run(gpu, ins, op, readInputs);
  expect(got.length).toBe(want.length);
  want.forEach((w, k) => {
    const g = got[k];
    expect(g.constructor.name, `output ${k} dtype`).toBe(w.constructor.name);
    expect(g.length, `output ${k} length`).toBe(w.length);
    let worst = 0, at = -1;
    for (let i = 0; i < w.length; i++) {
      const err = Number.isNaN(w[i]) && Number.isNaN(g[i]) ? 0 : Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i]));
      if (!(err <= worst)) { worst = err; at = i; }
    }
    expect(worst, `output ${k}: worst at ${at}: got ${g[at]}, want ${w[at]}`).toBeLessThanOrEqual(tol);
  });
}

const conv = (o: Partial<Conv2dParams> = {}): Conv2dParams => ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...o });
const pool = (k: number, o: Partial<Pool2dParams> = {}): Pool2dParams => ({
  kernelH: k, kernelW: k, strideH: k, strideW: k, padH: 0, padW: 0, dilationH: 1, dilationW: 1, countIncludePad: true, ...o,
});

// ---- elementwise -------------------------------------------------------------------------------

describe('webgpu elementwise', () => {
  const domain: Partial<Record<UnaryOp, [number, number]>> = { log: [0.1, 5], sqrt: [0, 5], rsqrt: [0.1, 5], reciprocal: [0.5, 3] };
  const ops: [UnaryOp, number?, number?][] = [
    ['neg'], ['exp'], ['log'], ['sqrt'], ['rsqrt'], ['abs'], ['sign'], ['square'], ['reciprocal'], ['relu'], ['step'],
    ['tanh'], ['sigmoid'], ['erf'], ['sin'], ['cos'], ['floor'], ['leakyRelu', 0.1], ['elu', 1.3], ['clamp', -0.5, 0.7],
    ['powScalar', 3], ['powScalar', 0.5], ['affine', 2.5, -1],
  ];
  it.each(ops)('unary %s on float32', async (op, a, b) => {
    const [lo, hi] = domain[op] ?? (op === 'powScalar' && a === 0.5 ? [0, 4] : [-3, 3]);
    await same([F([3, 7, 5], lo, hi)], (be, [x]) => be.unary(op, x, a, b));
  });

  it.each([['neg'], ['abs'], ['sign'], ['square'], ['relu'], ['clamp', -2, 3], ['affine', 3, -4]] as [UnaryOp, number?, number?][])(
    'unary %s on int32', async (op, a, b) => {
      await same([I([11, 13], -100, 100)], (be, [x]) => be.unary(op, x, a, b));
    });

  it('tanh and sigmoid stay finite for large inputs', async () => {
    await same([F([64], -90, 90)], (be, [x]) => [be.unary('tanh', x), be.unary('sigmoid', x)]);
  });

  it('cast both ways (float -> int truncates toward zero)', async () => {
    await same([F([9, 7], -50, 50)], (be, [x]) => be.cast(x, 'int32'));
    await same([I([9, 7], -1000, 1000)], (be, [x]) => be.cast(x, 'float32'));
  });

  const bops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
  it.each(bops)('binary %s on float32 with broadcasting', async (op) => {
    const b = op === 'div' ? F([5, 1], 0.5, 2) : op === 'pow' ? I([5, 1], -2, 4) : F([5, 1]);
    const bf = { shape: b.shape, data: Float32Array.from(b.data) };
    // Round half the values so eq/ne/le/ge see real ties.
    const a = F([4, 1, 6]); a.data = a.data.map((v, i) => (i % 2 ? Math.round(v) : v)); bf.data = bf.data.map((v, i) => (i % 2 ? Math.round(v) : v));
    await same([a, bf], (be, [x, y]) => be.binary(op, x, y, [4, 5, 6], 'float32'));
    await same([F([7, 13]), F([7, 13], 0.5, 2)], (be, [x, y]) => be.binary(op, x, y, [7, 13], 'float32'));
    await same([F([3, 1, 2]), F([], 0.5, 2)], (be, [x, y]) => be.binary(op, x, y, [3, 1, 2], 'float32'));
  });

  it.each(['add', 'sub', 'mul', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as BinaryOp[])('binary %s on int32', async (op) => {
    await same([I([6, 1, 5]), I([1, 4, 1])], (be, [x, y]) => be.binary(op, x, y, [6, 4, 5], 'int32'));
  });

  it('comparisons of floats can write int32', async () => {
    await same([F([5, 3]), F([3])], (be, [x, y]) => be.binary('gt', x, y, [5, 3], 'int32'));
  });

  it('where broadcasts all three operands; int32 and float conditions', async () => {
    await same([I([4, 1], 0, 2), F([4, 5]), F([5])], (be, [c, a, b]) => be.where(c, a, b, [4, 5]));
    await same([F([2, 3, 1], -1, 1).data.map(Math.round) && { shape: [2, 3, 1], data: Float32Array.from([0, 1, 0, 1, 1, 0]) }, I([3, 4]), I([1])],
      (be, [c, a, b]) => be.where(c, a, b, [2, 3, 4]));
  });

  it('a 1-D launch over more than 65535 workgroups folds into 2-D', async () => {
    await same([F([65536 * 256 + 7], -1, 1)], (be, [x]) => be.unary('affine', x, 2, 1));
  });
});

// ---- reductions --------------------------------------------------------------------------------

describe('webgpu reductions', () => {
  const axesCases: number[][] = [[0], [1], [3], [0, 2], [1, 2, 3], [0, 1, 2, 3]];
  it.each(axesCases)('sum, max, min over axes %j of [3,5,7,4]', async (...axes) => {
    for (const op of ['sum', 'max', 'min'] as const) await same([F([3, 5, 7, 4])], (be, [x]) => be.reduce(op, x, axes));
  });

  it('long reductions (workgroup tree) and many short ones (thread per output)', async () => {
    await same([F([2, 5003])], (be, [x]) => be.reduce('sum', x, [1]), 1e-3);
    await same([F([37, 41])], (be, [x]) => be.reduce('sum', x, [0, 1]), 1e-3);
    await same([F([3001, 3])], (be, [x]) => [be.reduce('max', x, [1]), be.reduce('sum', x, [0])], 1e-3);
  });

  it('int32 sum, max and min', async () => {
    await same([I([6, 9], -1000, 1000)], (be, [x]) => ['sum', 'max', 'min'].map((op) => be.reduce(op as 'sum', x, [1])));
  });

  it('argmax and argmin along each axis, float and int32', async () => {
    for (const axis of [0, 1, 2]) {
      await same([F([4, 9, 5])], (be, [x]) => [be.argReduce('argmax', x, axis), be.argReduce('argmin', x, axis)]);
      await same([I([4, 9, 5], 0, 3)], (be, [x]) => [be.argReduce('argmax', x, axis), be.argReduce('argmin', x, axis)]);
    }
  });

  it('softmax and log-softmax along first, middle and last axes', async () => {
    for (const axis of [0, 1, 2]) {
      await same([F([3, 17, 5], -10, 10)], (be, [x]) => [be.softmax(x, axis, false), be.softmax(x, axis, true)]);
    }
    await same([F([2, 1000], -50, 50)], (be, [x]) => [be.softmax(x, 1, false), be.softmax(x, 1, true)], 1e-3);
    await same([F([1, 1])], (be, [x]) => be.softmax(x, 1, false));
  });

  it('softmax over more than 65535 rows (2-D grid of workgroups)', async () => {
    await same([F([65541, 2], -5, 5)], (be, [x]) => be.softmax(x, 1, true));
  });

  it('maskedSoftmax: broadcast padding and causal masks (float32 and int32), any axis, fully masked rows, no mask', async () => {
    const bits = (shape: number[], p: number, int = false): In => {
      const v = Array.from({ length: size(shape) }, () => (rnd() < p ? 1 : 0));
      return { shape, data: int ? Int32Array.from(v) : Float32Array.from(v) };
    };
    // Attention scores [B, H, Tq, Tk] with a key-padding mask [B, 1, 1, Tk] and a causal one [Tq, Tk].
    await same([F([3, 4, 7, 9], -6, 6), bits([3, 1, 1, 9], 0.3)], (be, [x, m]) => be.maskedSoftmax(x, m, 3, 0.35));
    const causal: In = { shape: [7, 7], data: Float32Array.from({ length: 49 }, (_, i) => (i % 7 > Math.floor(i / 7) ? 1 : 0)) };
    await same([F([2, 3, 7, 7], -6, 6), causal], (be, [x, m]) => be.maskedSoftmax(x, m, 3, 1));
    // A full-shape int32 mask where some rows are masked entirely, and a long row (more than one workgroup's width).
    await same([F([5, 300], -20, 20), bits([5, 300], 0.5, true)], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 0.5));
    await same([F([4, 6]), { shape: [4, 1], data: Int32Array.from([0, 1, 0, 1]) }], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 2));
    // The softmax along a middle and a first axis, the mask broadcast on the others.
    await same([F([3, 11, 5], -8, 8), bits([11, 1], 0.4)], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 0.8));
    await same([F([6, 2, 3], -8, 8), bits([6, 2, 1], 0.4)], (be, [x, m]) => be.maskedSoftmax(x, m, 0, 1.5));
    await same([F([2, 5, 33], -8, 8)], (be, [x]) => be.maskedSoftmax(x, null, 2, 0.25));
  });
});

// ---- data movement -----------------------------------------------------------------------------

describe('webgpu data movement', () => {
  it('strided: permute, stepped slice, expand; float32 and int32', async () => {
    for (const make of [() => F([2, 3, 4]), () => I([2, 3, 4])]) {
      await same([make()], (be, [x]) => be.strided(x, [4, 2, 3], [1, 12, 4], 0));           // permute (2,0,1)
      await same([make()], (be, [x]) => be.strided(x, [2, 2, 2], [12, 8, 2], 1));           // x[:, ::2, 1::2]
      await same([make()], (be, [x]) => be.strided(x, [5, 2, 3, 4], [0, 12, 4, 1], 0));     // expand
      await same([make()], (be, [x]) => be.strided(x, [3], [4], 2));                          // a column
    }
  });

  it('pad with a value; float32 and int32', async () => {
    await same([F([2, 3, 4])], (be, [x]) => be.pad(x, [0, 1, 2], [1, 0, 3], 0.5));
    await same([I([3, 5])], (be, [x]) => be.pad(x, [2, 0], [0, 1], -1));
    await same([F([1, 1, 5, 5])], (be, [x]) => be.pad(x, [0, 0, 1, 1], [0, 0, 1, 1], 0));
  });

  it('gather along each axis; float32 and int32', async () => {
    for (const axis of [0, 1, 2]) {
      const len = [5, 7, 3][axis];
      await same([F([5, 7, 3]), I([2, 4], 0, len)], (be, [x, i]) => be.gather(x, i, axis));
      await same([I([5, 7, 3]), I([6], 0, len)], (be, [x, i]) => be.gather(x, i, axis));
    }
  });

  it('scatterAdd sums duplicate indices (deterministic gather form)', async () => {
    await same([F([2, 9, 3]), I([9], 0, 4)], (be, [s, i]) => be.scatterAdd(s, i, 1, [2, 4, 3]));
    await same([F([40, 16]), I([40], 0, 11)], (be, [s, i]) => be.scatterAdd(s, i, 0, [11, 16]));   // embedding backward
    await same([I([3, 5]), I([5], 0, 2)], (be, [s, i]) => be.scatterAdd(s, i, 1, [3, 2]));
  });
});

// ---- matmul and convolution --------------------------------------------------------------------

describe('webgpu matmul', () => {
  const cases: [number, number, number, number, number][] = [   // Ba, Bb, M, K, N
    [1, 1, 1, 1, 1], [1, 1, 7, 13, 5], [3, 3, 67, 129, 65], [1, 4, 33, 17, 70], [4, 1, 64, 64, 64], [300, 300, 5, 6, 7],
  ];
  it.each(cases)('batch %i x %i, M %i K %i N %i, all transposes', async (ba, bb, m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      await same([F(ta ? [ba, k, m] : [ba, m, k]), F(tb ? [bb, n, k] : [bb, k, n])], (be, [a, b]) => be.matmul(a, b, ta, tb), 1e-4);
    }
  });

  it('split-K for a long inner dimension', async () => {
    await same([F([1, 8, 4099]), F([1, 4099, 9])], (be, [a, b]) => be.matmul(a, b, false, false), 1e-3);
  });
});

describe('webgpu conv2d', () => {
  const cases: [string, number[], number[], Conv2dParams][] = [
    ['plain 3x3', [2, 3, 9, 9], [4, 3, 3, 3], conv()],
    ['stride 2, pad 1', [2, 3, 10, 11], [5, 3, 3, 3], conv({ strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['dilation 2', [1, 2, 11, 9], [3, 2, 3, 3], conv({ dilationH: 2, dilationW: 2, padH: 2, padW: 1 })],
    ['groups 2', [2, 4, 8, 8], [6, 2, 3, 3], conv({ groups: 2, padH: 1, padW: 1 })],
    ['depthwise', [3, 5, 7, 7], [5, 1, 3, 3], conv({ groups: 5, padH: 1, padW: 1 })],
    ['1x1', [2, 7, 5, 5], [3, 7, 1, 1], conv()],
    ['rectangular, stride (2,1)', [2, 3, 9, 8], [4, 3, 2, 3], conv({ strideH: 2, padH: 1 })],
    ['cnn layer 2 (many channels, split-K filter grad)', [8, 32, 13, 13], [64, 32, 3, 3], conv()],
  ];
  it.each(cases)('%s: forward, backward input, backward filter', async (_name, xs, ws, p) => {
    const [n, , h, w] = xs, [o, , kh, kw] = ws;
    const oh = Math.floor((h + 2 * p.padH - p.dilationH * (kh - 1) - 1) / p.strideH) + 1;
    const ow = Math.floor((w + 2 * p.padW - p.dilationW * (kw - 1) - 1) / p.strideW) + 1;
    const tol = 1e-4 * Math.sqrt(xs[1] * kh * kw);
    await same([F(xs), F(ws)], (be, [x, wt]) => be.conv2d(x, wt, p), tol);
    await same([F([n, o, oh, ow]), F(ws)], (be, [dy, wt]) => be.conv2dBackwardInput(dy, wt, xs, p), tol);
    await same([F(xs), F([n, o, oh, ow])], (be, [x, dy]) => be.conv2dBackwardFilter(x, dy, ws, p), 1e-3);
  });
});

// ---- pooling -----------------------------------------------------------------------------------

describe('webgpu pooling', () => {
  const cases: [string, number[], Pool2dParams][] = [
    ['2x2 stride 2', [2, 3, 8, 7], pool(2)],
    ['3x3 stride 2 pad 1', [2, 2, 9, 10], pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['3x3 stride 1 (overlapping)', [1, 2, 6, 6], pool(3, { strideH: 1, strideW: 1 })],
    ['2x2 dilation 2', [1, 3, 9, 9], pool(2, { dilationH: 2, dilationW: 2, strideH: 1, strideW: 1 })],
  ];
  it.each(cases)('max pool %s: forward, argmax, backward', async (_n, xs, p) => {
    await same([F(xs)], (be, [x]) => { const r = be.maxPool2d(x, p); return [r.out, r.argmax]; });
    await same([F(xs)], (be, [x]) => {
      const { out, argmax } = be.maxPool2d(x, p);
      const ys = [xs[0], xs[1], out.size / (xs[0] * xs[1] * (Math.floor((xs[3] + 2 * p.padW - p.dilationW * (p.kernelW - 1) - 1) / p.strideW) + 1)), 0];
      ys[3] = out.size / (ys[0] * ys[1] * ys[2]);
      const dx = be.maxPool2dBackward({ storage: out, shape: ys, dtype: 'float32' }, { storage: argmax, shape: ys, dtype: 'int32' }, xs);
      be.dispose(argmax);
      return [out, dx];
    });
  });

  it('max pool backward with an argmax of unknown geometry scans its plane', async () => {
    const xs = [2, 3, 8, 8], p = pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 });
    const { out, argmax } = cpu.maxPool2d({ storage: cpu.upload(F(xs).data), shape: xs, dtype: 'float32' }, p);
    const am = cpu.readSync!(argmax) as Int32Array;
    const dyShape = [2, 3, 4, 4];
    await same([F(dyShape), { shape: dyShape, data: am }], (be, [dy, a]) => be.maxPool2dBackward(dy, a, xs));
    cpu.dispose(out); cpu.dispose(argmax);
  });

  it.each([true, false])('avg pool forward and backward, countIncludePad %s', async (cip) => {
    for (const [xs, p] of [[[2, 3, 9, 10], pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: cip })], [[1, 2, 8, 8], pool(2, { countIncludePad: cip })]] as const) {
      const ys = [xs[0], xs[1], Math.floor((xs[2] + 2 * p.padH - p.kernelH) / p.strideH) + 1, Math.floor((xs[3] + 2 * p.padW - p.kernelW) / p.strideW) + 1];
      await same([F([...xs])], (be, [x]) => be.avgPool2d(x, p));
      await same([F(ys)], (be, [dy]) => be.avgPool2dBackward(dy, xs, p));
    }
  });
});

// ---- optimisers, memory, plumbing --------------------------------------------------------------

describe('webgpu optimisers and plumbing', () => {
  it.each([false, true])('adamStep in place (decoupled %s)', async (decoupled) => {
    await same([F([1001]), F([1001]), F([1001], -0.1, 0.1), F([1001], 0, 0.1)], (be, [p, g, m, v]) => {
      be.adamStep(p.storage, g.storage, m.storage, v.storage, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, step: 3 });
    }, 1e-4, true);
  });

  it('sgdStep with momentum (first, later, nesterov) and without', async () => {
    for (const h of [
      { momentum: 0.9, dampening: 0, nesterov: false, first: true }, { momentum: 0.9, dampening: 0.1, nesterov: false, first: false },
      { momentum: 0.8, dampening: 0, nesterov: true, first: false },
    ]) {
      await same([F([777]), F([777]), F([777])], (be, [p, g, b]) => be.sgdStep(p.storage, g.storage, b.storage, { lr: 0.1, weightDecay: 1e-3, ...h }), 1e-5, true);
    }
    await same([F([777]), F([777])], (be, [p, g]) => be.sgdStep(p.storage, g.storage, null, { lr: 0.1, weightDecay: 0, momentum: 0, dampening: 0, nesterov: false, first: true }), 1e-5, true);
  });

  it('copy in place (float32 and int32), between dispatches of one batch; a size mismatch is an error', async () => {
    await same([F([1001]), F([1001])], (be, [d, s]) => { be.copy(d.storage, s.storage); }, 0, true);
    await same([I([37]), I([37])], (be, [d, s]) => { be.copy(d.storage, s.storage); }, 0, true);
    // A dispatch writes y, the copy reads it into d, a dispatch reads d: one encoder, three commands.
    await same([F([513]), F([513])], (be, [x, d]) => {
      const y = be.unary('exp', x);
      be.copy(d.storage, y);
      const z = be.unary('neg', d);
      be.dispose(y);
      return z;
    }, 1e-6, true);
    const a = gpu.upload(new Float32Array(4)), b = gpu.upload(new Float32Array(5));
    expect(() => gpu.copy(a, b)).toThrow('webgpu: copy of 5 float32 elements into a buffer of 4 float32');
    gpu.dispose(a); gpu.dispose(b);
  });

  it('upload/fill/read round trip; the pool reuses buffers and memory() returns to baseline', async () => {
    const before = gpu.memory();
    const a = gpu.fill(1000, 2.5, 'float32'), b = gpu.fill(3, -7, 'int32');
    expect(await gpu.read(a)).toEqual(new Float32Array(1000).fill(2.5));
    expect(await gpu.read(b)).toEqual(Int32Array.of(-7, -7, -7));
    expect(gpu.memory().buffers).toBe(before.buffers + 2);
    gpu.dispose(a); gpu.dispose(b);
    expect(gpu.memory()).toEqual(before);
    expect(() => gpu.dispose(a)).toThrow(/already disposed/);
    const e = gpu.upload(new Float32Array(0));
    expect((await gpu.read(e)).length).toBe(0);
    gpu.dispose(e);
  });

  it('errors name the kernel and the shapes', async () => {
    const a = gpu.upload(new Float32Array(6)), b = gpu.upload(new Float32Array(6));
    expect(() => gpu.matmul({ storage: a, shape: [1, 2, 3], dtype: 'float32' }, { storage: b, shape: [1, 2, 3], dtype: 'float32' }, false, false))
      .toThrow(/matmul: inner sizes differ, 3 vs 2 \(a \[1,2,3\], b \[1,2,3\]/);
    gpu.dispose(b);
    expect(() => gpu.unary('exp', { storage: b, shape: [6], dtype: 'float32' })).toThrow(/unary exp \(x \[6\]\): an operand was already disposed/);
    gpu.dispose(a);
    await gpu.sync();
  });

  it("a code the shader has no case for gives NaN (or index -1), never an op; a name outside the tables is an error", async () => {
    // Simulate a table that disagrees with its shader by pointing one entry at a code with no case.
    const swap = async <T,>(table: object, key: string, run: () => Promise<T>): Promise<T> => {
      const t = table as Record<string, number>, was = t[key];
      t[key] = 99;
      try { return await run(); } finally { t[key] = was; }
    };
    const info = (s: Storage, shape: number[]): TensorInfo => ({ storage: s, shape, dtype: s.dtype });
    const readOut = async (s: Storage) => { const v = await gpu.read(s); gpu.dispose(s); return Array.from(v); };
    const x = gpu.upload(Float32Array.of(1, -2, 3)), k = gpu.upload(Int32Array.of(4, 5, 6));
    const neg = await swap(UNARY_CODES, 'neg', async () => readOut(gpu.unary('neg', info(x, [3]))));
    expect(neg.every(Number.isNaN), `unary: ${neg}`).toBe(true);
    const sub = await swap(BINARY_CODES, 'sub', async () => readOut(gpu.binary('sub', info(x, [3]), info(x, [3]), [3], 'float32')));
    expect(sub.every(Number.isNaN), `binary: ${sub}`).toBe(true);
    const isub = await swap(BINARY_CODES, 'sub', async () => readOut(gpu.binary('sub', info(k, [3]), info(k, [3]), [3], 'int32')));
    expect(isub).toEqual([2143289344, 2143289344, 2143289344]);   // NaN's bits, as i32
    const red = await swap(REDUCE_CODES, 'max', async () => readOut(gpu.reduce('max', info(x, [3]), [0])));
    expect(red.every(Number.isNaN), `reduce: ${red}`).toBe(true);
    const arg = await swap(ARG_REDUCE_CODES, 'argmax', async () => readOut(gpu.argReduce('argmax', info(x, [3]), 0)));
    expect(arg).toEqual([-1]);
    expect(() => gpu.unary('gelu' as UnaryOp, info(x, [3]))).toThrow("webgpu: no shader code for unary op 'gelu'");
    gpu.dispose(x); gpu.dispose(k);
  });

  it('shaders.generated.ts matches shaders/*.wgsl', () => {
    const r = spawnSync(process.execPath, ['engine/backend/webgpu/build-shaders.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
