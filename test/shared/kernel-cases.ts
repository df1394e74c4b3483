// The WGSL-vs-CPU parity cases: every WebGPU kernel against the CPU backend (the reference), on
// seeded random inputs with awkward shapes: 1, primes, sizes that are not multiples of a tile, a
// large batch, int32 paths. One list, two runners: test/webgpu-kernels.test.ts runs it in Node on
// Dawn (Mesa's llvmpipe here), web/kernels.ts runs it in a browser on that browser's WebGPU
// (Chromium's SwiftShader in test/web-page.test.ts). No Node built-ins and no test framework here.

import type { Backend, BinaryOp, DType, Storage, TensorInfo, UnaryOp } from '../../engine/backend/backend.js';
import type { Conv2dParams, Pool2dParams } from '../../engine/conv-geometry.js';

type In = { shape: number[]; data: Float32Array | Int32Array };
type Op = (be: Backend, t: TensorInfo[]) => Storage | Storage[] | void;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** What a case gets: both backends, seeded inputs, and the comparison. */
export class Parity {
  private seed: number;
  constructor(readonly cpu: Backend, readonly gpu: Backend, seed: number) { this.seed = seed >>> 0; }

  private rnd(): number { this.seed = (this.seed * 1664525 + 1013904223) >>> 0; return this.seed / 2 ** 32; }
  F(shape: number[], lo = -2, hi = 2): In { return { shape, data: Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * this.rnd()) }; }
  I(shape: number[], lo = -5, hi = 5): In { return { shape, data: Int32Array.from({ length: size(shape) }, () => Math.floor(lo + (hi - lo) * this.rnd())) }; }
  /** A mask: each element 1 with probability p, else 0 (float32, or int32 with `int`). */
  bits(shape: number[], p: number, int = false): In {
    const v = Array.from({ length: size(shape) }, () => (this.rnd() < p ? 1 : 0));
    return { shape, data: int ? Int32Array.from(v) : Float32Array.from(v) };
  }

  private async run(be: Backend, ins: In[], op: Op, readInputs: boolean): Promise<(Float32Array | Int32Array)[]> {
    const t: TensorInfo[] = ins.map((x) => ({ storage: be.upload(x.data), shape: x.shape, dtype: (x.data instanceof Int32Array ? 'int32' : 'float32') as DType }));
    const r = op(be, t);
    const outs = r === undefined ? [] : Array.isArray(r) ? r : [r];
    const vals = [];
    for (const o of readInputs ? [...outs, ...t.map((x) => x.storage)] : outs) vals.push(await be.read(o) as Float32Array | Int32Array);
    for (const o of outs) be.dispose(o);
    for (const x of t) be.dispose(x.storage);
    return vals;
  }

  /** Run op on both backends; outputs (and, for in-place kernels, inputs) must agree to tol relative. Throws naming the worst element. */
  async same(ins: In[], op: Op, tol = 1e-4, readInputs = false): Promise<void> {
    const want = await this.run(this.cpu, ins, op, readInputs), got = await this.run(this.gpu, ins, op, readInputs);
    if (got.length !== want.length) throw new Error(`${got.length} outputs, want ${want.length}`);
    want.forEach((w, k) => {
      const g = got[k];
      if (g.constructor.name !== w.constructor.name) throw new Error(`output ${k} dtype: got ${g.constructor.name}, want ${w.constructor.name}`);
      if (g.length !== w.length) throw new Error(`output ${k} length: got ${g.length}, want ${w.length}`);
      let worst = 0, at = -1;
      for (let i = 0; i < w.length; i++) {
        const err = Number.isNaN(w[i]) && Number.isNaN(g[i]) ? 0 : Math.abs(g[i] - w[i]) / (1 + Math.abs(w[i]));
        if (!(err <= worst)) { worst = err; at = i; }
      }
      if (!(worst <= tol)) throw new Error(`output ${k}: worst at ${at}: got ${g[at]}, want ${w[at]} (relative error ${worst} > ${tol})`);
    });
  }

  /** fn must throw an error whose message contains `text`. */
  throws(fn: () => unknown, text: string): void {
    try { fn(); } catch (e) {
      if (String((e as Error).message).includes(text)) return;
      throw new Error(`threw "${(e as Error).message}", want an error containing "${text}"`);
    }
    throw new Error(`did not throw (want an error containing "${text}")`);
  }
}

export interface KernelCase { group: string; name: string; run(t: Parity): Promise<void> }

/** A case's seed: from its name, so one case gives the same inputs however many run before it. */
export function caseSeed(c: KernelCase): number {
  let h = 2166136261;
  for (const ch of `${c.group}/${c.name}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const conv = (o: Partial<Conv2dParams> = {}): Conv2dParams => ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...o });
const pool = (k: number, o: Partial<Pool2dParams> = {}): Pool2dParams => ({
  kernelH: k, kernelW: k, strideH: k, strideW: k, padH: 0, padW: 0, dilationH: 1, dilationW: 1, countIncludePad: true, ...o,
});

const cases: KernelCase[] = [];
const group = (name: string, add: (it: (title: string, run: (t: Parity) => Promise<void>) => void) => void) =>
  add((title, run) => cases.push({ group: name, name: title, run }));

// ---- elementwise -------------------------------------------------------------------------------

group('webgpu elementwise', (it) => {
  const domain: Partial<Record<UnaryOp, [number, number]>> = { log: [0.1, 5], sqrt: [0, 5], rsqrt: [0.1, 5], reciprocal: [0.5, 3] };
  const ops: [UnaryOp, number?, number?][] = [
    ['neg'], ['exp'], ['log'], ['sqrt'], ['rsqrt'], ['abs'], ['sign'], ['square'], ['reciprocal'], ['relu'], ['step'],
    ['tanh'], ['sigmoid'], ['erf'], ['sin'], ['cos'], ['floor'], ['leakyRelu', 0.1], ['elu', 1.3], ['clamp', -0.5, 0.7],
    ['powScalar', 3], ['powScalar', 0.5], ['affine', 2.5, -1], ['gelu'], ['geluGrad'],
  ];
  for (const [op, a, b] of ops) {
    it(`unary ${op}${a === undefined ? '' : ` ${a}`}${b === undefined ? '' : ` ${b}`} on float32`, async (t) => {
      const [lo, hi] = domain[op] ?? (op === 'powScalar' && a === 0.5 ? [0, 4] : [-3, 3]);
      await t.same([t.F([3, 7, 5], lo, hi)], (be, [x]) => be.unary(op, x, a, b));
    });
  }

  for (const [op, a, b] of [['neg'], ['abs'], ['sign'], ['square'], ['relu'], ['clamp', -2, 3], ['affine', 3, -4]] as [UnaryOp, number?, number?][]) {
    it(`unary ${op} on int32`, async (t) => {
      await t.same([t.I([11, 13], -100, 100)], (be, [x]) => be.unary(op, x, a, b));
    });
  }

  it('tanh and sigmoid stay finite for large inputs', async (t) => {
    await t.same([t.F([64], -90, 90)], (be, [x]) => [be.unary('tanh', x), be.unary('sigmoid', x)]);
  });

  it('cast both ways (float -> int truncates toward zero)', async (t) => {
    await t.same([t.F([9, 7], -50, 50)], (be, [x]) => be.cast(x, 'int32'));
    await t.same([t.I([9, 7], -1000, 1000)], (be, [x]) => be.cast(x, 'float32'));
  });

  const bops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
  for (const op of bops) {
    it(`binary ${op} on float32 with broadcasting`, async (t) => {
      const b = op === 'div' ? t.F([5, 1], 0.5, 2) : op === 'pow' ? t.I([5, 1], -2, 4) : t.F([5, 1]);
      const bf = { shape: b.shape, data: Float32Array.from(b.data) };
      // Round half the values so eq/ne/le/ge see real ties.
      const a = t.F([4, 1, 6]); a.data = a.data.map((v, i) => (i % 2 ? Math.round(v) : v)); bf.data = bf.data.map((v, i) => (i % 2 ? Math.round(v) : v));
      await t.same([a, bf], (be, [x, y]) => be.binary(op, x, y, [4, 5, 6], 'float32'));
      await t.same([t.F([7, 13]), t.F([7, 13], 0.5, 2)], (be, [x, y]) => be.binary(op, x, y, [7, 13], 'float32'));
      await t.same([t.F([3, 1, 2]), t.F([], 0.5, 2)], (be, [x, y]) => be.binary(op, x, y, [3, 1, 2], 'float32'));
    });
  }

  for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as BinaryOp[]) {
    it(`binary ${op} on int32`, async (t) => {
      await t.same([t.I([6, 1, 5]), t.I([1, 4, 1])], (be, [x, y]) => be.binary(op, x, y, [6, 4, 5], 'int32'));
    });
  }

  it('comparisons of floats can write int32', async (t) => {
    await t.same([t.F([5, 3]), t.F([3])], (be, [x, y]) => be.binary('gt', x, y, [5, 3], 'int32'));
  });

  it('where broadcasts all three operands; int32 and float conditions', async (t) => {
    await t.same([t.I([4, 1], 0, 2), t.F([4, 5]), t.F([5])], (be, [c, a, b]) => be.where(c, a, b, [4, 5]));
    await t.same([{ shape: [2, 3, 1], data: Float32Array.from([0, 1, 0, 1, 1, 0]) }, t.I([3, 4]), t.I([1])],
      (be, [c, a, b]) => be.where(c, a, b, [2, 3, 4]));
  });

  it('a 1-D launch over more than 65535 workgroups folds into 2-D', async (t) => {
    await t.same([t.F([65536 * 256 + 7], -1, 1)], (be, [x]) => be.unary('affine', x, 2, 1));
  });
});

// ---- reductions --------------------------------------------------------------------------------

group('webgpu reductions', (it) => {
  for (const axes of [[0], [1], [3], [0, 2], [1, 2, 3], [0, 1, 2, 3]]) {
    it(`sum, max, min over axes ${JSON.stringify(axes)} of [3,5,7,4]`, async (t) => {
      for (const op of ['sum', 'max', 'min'] as const) await t.same([t.F([3, 5, 7, 4])], (be, [x]) => be.reduce(op, x, axes));
    });
  }

  it('long reductions (workgroup tree) and many short ones (thread per output)', async (t) => {
    await t.same([t.F([2, 5003])], (be, [x]) => be.reduce('sum', x, [1]), 1e-3);
    await t.same([t.F([37, 41])], (be, [x]) => be.reduce('sum', x, [0, 1]), 1e-3);
    await t.same([t.F([3001, 3])], (be, [x]) => [be.reduce('max', x, [1]), be.reduce('sum', x, [0])], 1e-3);
  });

  it('int32 sum, max and min', async (t) => {
    await t.same([t.I([6, 9], -1000, 1000)], (be, [x]) => ['sum', 'max', 'min'].map((op) => be.reduce(op as 'sum', x, [1])));
  });

  it('argmax and argmin along each axis, float and int32', async (t) => {
    for (const axis of [0, 1, 2]) {
      await t.same([t.F([4, 9, 5])], (be, [x]) => [be.argReduce('argmax', x, axis), be.argReduce('argmin', x, axis)]);
      await t.same([t.I([4, 9, 5], 0, 3)], (be, [x]) => [be.argReduce('argmax', x, axis), be.argReduce('argmin', x, axis)]);
    }
  });

  it('softmax and log-softmax along first, middle and last axes', async (t) => {
    for (const axis of [0, 1, 2]) {
      await t.same([t.F([3, 17, 5], -10, 10)], (be, [x]) => [be.softmax(x, axis, false), be.softmax(x, axis, true)]);
    }
    await t.same([t.F([2, 1000], -50, 50)], (be, [x]) => [be.softmax(x, 1, false), be.softmax(x, 1, true)], 1e-3);
    await t.same([t.F([1, 1])], (be, [x]) => be.softmax(x, 1, false));
  });

  it('softmax over more than 65535 rows (2-D grid of workgroups)', async (t) => {
    await t.same([t.F([65541, 2], -5, 5)], (be, [x]) => be.softmax(x, 1, true));
  });

  it('maskedSoftmax: broadcast padding and causal masks (float32 and int32), any axis, fully masked rows, no mask', async (t) => {
    // Attention scores [B, H, Tq, Tk] with a key-padding mask [B, 1, 1, Tk] and a causal one [Tq, Tk].
    await t.same([t.F([3, 4, 7, 9], -6, 6), t.bits([3, 1, 1, 9], 0.3)], (be, [x, m]) => be.maskedSoftmax(x, m, 3, 0.35));
    const causal: In = { shape: [7, 7], data: Float32Array.from({ length: 49 }, (_, i) => (i % 7 > Math.floor(i / 7) ? 1 : 0)) };
    await t.same([t.F([2, 3, 7, 7], -6, 6), causal], (be, [x, m]) => be.maskedSoftmax(x, m, 3, 1));
    // A full-shape int32 mask where some rows are masked entirely, and a long row (more than one workgroup's width).
    await t.same([t.F([5, 300], -20, 20), t.bits([5, 300], 0.5, true)], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 0.5));
    await t.same([t.F([4, 6]), { shape: [4, 1], data: Int32Array.from([0, 1, 0, 1]) }], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 2));
    // The softmax along a middle and a first axis, the mask broadcast on the others.
    await t.same([t.F([3, 11, 5], -8, 8), t.bits([11, 1], 0.4)], (be, [x, m]) => be.maskedSoftmax(x, m, 1, 0.8));
    await t.same([t.F([6, 2, 3], -8, 8), t.bits([6, 2, 1], 0.4)], (be, [x, m]) => be.maskedSoftmax(x, m, 0, 1.5));
    await t.same([t.F([2, 5, 33], -8, 8)], (be, [x]) => be.maskedSoftmax(x, null, 2, 0.25));
  });

  it('softmaxBackward along first, middle and last axes, with a scale; attention rows of 10 and 64', async (t) => {
    for (const axis of [0, 1, 2]) {
      await t.same([t.F([3, 17, 5], 0, 1), t.F([3, 17, 5])], (be, [y, dy]) => be.softmaxBackward(y, dy, axis, axis === 2 ? 0.35 : 1));
    }
    await t.same([t.F([64, 10, 10], 0, 1), t.F([64, 10, 10])], (be, [y, dy]) => be.softmaxBackward(y, dy, 2, 1));
    await t.same([t.F([8, 64, 64], 0, 1), t.F([8, 64, 64])], (be, [y, dy]) => be.softmaxBackward(y, dy, 2, 0.125), 1e-3);
  });

  it('layerNorm and layerNormBackward over the last axis, with weight and bias, either, or neither', async (t) => {
    // Transformer rows (width 128, 3 leading axes), a prime width, one row, rows of 1.
    for (const shape of [[2, 5, 128], [7, 37], [1, 300], [4, 1]]) {
      const n = shape[shape.length - 1];
      const ins = [t.F(shape, -3, 3), t.F([n], 0.5, 1.5), t.F([n]), t.F(shape)];
      await t.same(ins, (be, [x, w, b, dy]) => {
        const g = be.layerNormBackward(dy, x, w, 1e-5), g0 = be.layerNormBackward(dy, x, null, 1e-5);
        return [be.layerNorm(x, w, b, 1e-5), be.layerNorm(x, null, null, 1e-5), be.layerNorm(x, w, null, 1e-5), be.layerNorm(x, null, b, 1e-5),
          g.dx, g.dweight, g.dbias, g0.dx, g0.dweight, g0.dbias];
      }, 1e-3);
    }
  });
});

// ---- data movement -----------------------------------------------------------------------------

group('webgpu data movement', (it) => {
  it('strided: permute, stepped slice, expand; float32 and int32', async (t) => {
    for (const make of [() => t.F([2, 3, 4]), () => t.I([2, 3, 4])]) {
      await t.same([make()], (be, [x]) => be.strided(x, [4, 2, 3], [1, 12, 4], 0));           // permute (2,0,1)
      await t.same([make()], (be, [x]) => be.strided(x, [2, 2, 2], [12, 8, 2], 1));           // x[:, ::2, 1::2]
      await t.same([make()], (be, [x]) => be.strided(x, [5, 2, 3, 4], [0, 12, 4, 1], 0));     // expand
      await t.same([make()], (be, [x]) => be.strided(x, [3], [4], 2));                          // a column
    }
  });

  it('pad with a value; float32 and int32', async (t) => {
    await t.same([t.F([2, 3, 4])], (be, [x]) => be.pad(x, [0, 1, 2], [1, 0, 3], 0.5));
    await t.same([t.I([3, 5])], (be, [x]) => be.pad(x, [2, 0], [0, 1], -1));
    await t.same([t.F([1, 1, 5, 5])], (be, [x]) => be.pad(x, [0, 0, 1, 1], [0, 0, 1, 1], 0));
  });

  it('gather along each axis; float32 and int32', async (t) => {
    for (const axis of [0, 1, 2]) {
      const len = [5, 7, 3][axis];
      await t.same([t.F([5, 7, 3]), t.I([2, 4], 0, len)], (be, [x, i]) => be.gather(x, i, axis));
      await t.same([t.I([5, 7, 3]), t.I([6], 0, len)], (be, [x, i]) => be.gather(x, i, axis));
    }
  });

  it('scatterAdd sums duplicate indices (deterministic gather form)', async (t) => {
    await t.same([t.F([2, 9, 3]), t.I([9], 0, 4)], (be, [s, i]) => be.scatterAdd(s, i, 1, [2, 4, 3]));
    await t.same([t.F([40, 16]), t.I([40], 0, 11)], (be, [s, i]) => be.scatterAdd(s, i, 0, [11, 16]));   // embedding backward
    await t.same([t.I([3, 5]), t.I([5], 0, 2)], (be, [s, i]) => be.scatterAdd(s, i, 1, [3, 2]));
  });
});

// ---- matmul and convolution --------------------------------------------------------------------

group('webgpu matmul', (it) => {
  const shapes: [number, number, number, number, number][] = [   // Ba, Bb, M, K, N
    [1, 1, 1, 1, 1], [1, 1, 7, 13, 5], [3, 3, 67, 129, 65], [1, 4, 33, 17, 70], [4, 1, 64, 64, 64], [300, 300, 5, 6, 7],
  ];
  for (const [ba, bb, m, k, n] of shapes) {
    it(`batch ${ba} x ${bb}, M ${m} K ${k} N ${n}, all transposes`, async (t) => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        await t.same([t.F(ta ? [ba, k, m] : [ba, m, k]), t.F(tb ? [bb, n, k] : [bb, k, n])], (be, [a, b]) => be.matmul(a, b, ta, tb), 1e-4);
      }
    });
  }

  it('split-K for a long inner dimension', async (t) => {
    await t.same([t.F([1, 8, 4099]), t.F([1, 4099, 9])], (be, [a, b]) => be.matmul(a, b, false, false), 1e-3);
  });
});

group('webgpu conv2d', (it) => {
  const convs: [string, number[], number[], Conv2dParams][] = [
    ['plain 3x3', [2, 3, 9, 9], [4, 3, 3, 3], conv()],
    ['stride 2, pad 1', [2, 3, 10, 11], [5, 3, 3, 3], conv({ strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['dilation 2', [1, 2, 11, 9], [3, 2, 3, 3], conv({ dilationH: 2, dilationW: 2, padH: 2, padW: 1 })],
    ['groups 2', [2, 4, 8, 8], [6, 2, 3, 3], conv({ groups: 2, padH: 1, padW: 1 })],
    ['depthwise', [3, 5, 7, 7], [5, 1, 3, 3], conv({ groups: 5, padH: 1, padW: 1 })],
    ['depthwise, multiplier 2, stride 2, odd 9×7', [2, 3, 9, 7], [6, 1, 3, 3], conv({ groups: 3, padH: 1, padW: 1, strideH: 2, strideW: 2 })],
    ['depthwise, dilation 2, kernel 3×2', [1, 4, 8, 9], [4, 1, 3, 2], conv({ groups: 4, dilationH: 2, dilationW: 2, padH: 2, padW: 1 })],
    ['depthwise, mobilenetv2 block 14 (576 channels, 2×2, stride 2)', [4, 576, 2, 2], [576, 1, 3, 3], conv({ groups: 576, padH: 1, padW: 1, strideH: 2, strideW: 2 })],
    ['depthwise, mobilenetv2 block 2 (96 channels, 16×16, stride 2)', [2, 96, 16, 16], [96, 1, 3, 3], conv({ groups: 96, padH: 1, padW: 1, strideH: 2, strideW: 2 })],
    ['1x1', [2, 7, 5, 5], [3, 7, 1, 1], conv()],
    ['rectangular, stride (2,1)', [2, 3, 9, 8], [4, 3, 2, 3], conv({ strideH: 2, padH: 1 })],
    ['cnn layer 2 (many channels, split-K filter grad)', [8, 32, 13, 13], [64, 32, 3, 3], conv()],
  ];
  for (const [name, xs, ws, p] of convs) {
    it(`${name}: forward, backward input, backward filter`, async (t) => {
      const [n, , h, w] = xs, [o, , kh, kw] = ws;
      const oh = Math.floor((h + 2 * p.padH - p.dilationH * (kh - 1) - 1) / p.strideH) + 1;
      const ow = Math.floor((w + 2 * p.padW - p.dilationW * (kw - 1) - 1) / p.strideW) + 1;
      const tol = 1e-4 * Math.sqrt(xs[1] * kh * kw);
      await t.same([t.F(xs), t.F(ws)], (be, [x, wt]) => be.conv2d(x, wt, p), tol);
      await t.same([t.F([n, o, oh, ow]), t.F(ws)], (be, [dy, wt]) => be.conv2dBackwardInput(dy, wt, xs, p), tol);
      await t.same([t.F(xs), t.F([n, o, oh, ow])], (be, [x, dy]) => be.conv2dBackwardFilter(x, dy, ws, p), 1e-3);
    });
  }
});

// ---- pooling -----------------------------------------------------------------------------------

group('webgpu pooling', (it) => {
  const pools: [string, number[], Pool2dParams][] = [
    ['2x2 stride 2', [2, 3, 8, 7], pool(2)],
    ['3x3 stride 2 pad 1', [2, 2, 9, 10], pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 })],
    ['3x3 stride 1 (overlapping)', [1, 2, 6, 6], pool(3, { strideH: 1, strideW: 1 })],
    ['2x2 dilation 2', [1, 3, 9, 9], pool(2, { dilationH: 2, dilationW: 2, strideH: 1, strideW: 1 })],
  ];
  for (const [name, xs, p] of pools) {
    it(`max pool ${name}: forward, argmax, backward`, async (t) => {
      await t.same([t.F(xs)], (be, [x]) => { const r = be.maxPool2d(x, p); return [r.out, r.argmax]; });
      await t.same([t.F(xs)], (be, [x]) => {
        const { out, argmax } = be.maxPool2d(x, p);
        const ys = [xs[0], xs[1], out.size / (xs[0] * xs[1] * (Math.floor((xs[3] + 2 * p.padW - p.dilationW * (p.kernelW - 1) - 1) / p.strideW) + 1)), 0];
        ys[3] = out.size / (ys[0] * ys[1] * ys[2]);
        const dx = be.maxPool2dBackward({ storage: out, shape: ys, dtype: 'float32' }, { storage: argmax, shape: ys, dtype: 'int32' }, xs);
        be.dispose(argmax);
        return [out, dx];
      });
    });
  }

  it('max pool backward with an argmax of unknown geometry scans its plane', async (t) => {
    const xs = [2, 3, 8, 8], p = pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1 });
    const { out, argmax } = t.cpu.maxPool2d({ storage: t.cpu.upload(t.F(xs).data), shape: xs, dtype: 'float32' }, p);
    const am = t.cpu.readSync!(argmax) as Int32Array;
    const dyShape = [2, 3, 4, 4];
    await t.same([t.F(dyShape), { shape: dyShape, data: am }], (be, [dy, a]) => be.maxPool2dBackward(dy, a, xs));
    t.cpu.dispose(out); t.cpu.dispose(argmax);
  });

  for (const cip of [true, false]) {
    it(`avg pool forward and backward, countIncludePad ${cip}`, async (t) => {
      for (const [xs, p] of [[[2, 3, 9, 10], pool(3, { strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: cip })], [[1, 2, 8, 8], pool(2, { countIncludePad: cip })]] as const) {
        const ys = [xs[0], xs[1], Math.floor((xs[2] + 2 * p.padH - p.kernelH) / p.strideH) + 1, Math.floor((xs[3] + 2 * p.padW - p.kernelW) / p.strideW) + 1];
        await t.same([t.F([...xs])], (be, [x]) => be.avgPool2d(x, p));
        await t.same([t.F(ys)], (be, [dy]) => be.avgPool2dBackward(dy, xs, p));
      }
    });
  }
});

// ---- batch normalisation and clamp's gradient -----------------------------------------------------

group('webgpu batch norm', (it) => {
  // [N, C] (BatchNorm1d), [N, C, L], [N, C, H, W] with odd sizes, a mean far from zero, and a
  // channel count past one 2-D row of workgroups is not needed: one workgroup per channel.
  const shapes: number[][] = [[5, 3], [4, 6, 7], [3, 5, 6, 7], [2, 4, 1, 1], [17, 9, 3, 5]];
  for (const shape of shapes) {
    const c = shape[1];
    it(`stats, apply (with and without weight, bias), backward on [${shape.join(',')}]`, async (t) => {
      await t.same([t.F(shape, -3, 5)], (be, [x]) => { const r = be.batchNormStats(x); return [r.mean, r.var]; }, 1e-5);
      await t.same([t.F(shape, 98, 102)], (be, [x]) => { const r = be.batchNormStats(x); return [r.mean, r.var]; }, 1e-5);
      await t.same([t.F(shape), t.F([c]), t.F([c], 0.2, 2), t.F([c]), t.F([c])], (be, [x, m, r, w, b]) =>
        [be.batchNormApply(x, m, r, w, b), be.batchNormApply(x, m, r, null, null), be.batchNormApply(x, m, r, w, null), be.batchNormApply(x, m, r, null, b)], 1e-5);
      await t.same([t.F(shape), t.F(shape), t.F([c], -0.5, 0.5), t.F([c], 0.2, 2), t.F([c])], (be, [dy, x, m, r, w]) => {
        const a = be.batchNormBackward(dy, x, m, r, w), b = be.batchNormBackward(dy, x, m, r, null);
        return [a.dx, a.dweight, a.dbias, b.dx, b.dweight, b.dbias];
      }, 1e-4);
    });
  }
  it('clampBackward: g where lo <= x <= hi (bounds included), else 0; infinite bounds', async (t) => {
    const x = t.F([1031], -2, 2);
    x.data[0] = -0.5; x.data[1] = 0.7; x.data[2] = 0.7000001;
    await t.same([t.F([1031]), x], (be, [g, v]) => [be.clampBackward(g, v, -0.5, 0.7), be.clampBackward(g, v, 0, Infinity), be.clampBackward(g, v, -Infinity, 0)], 0);
  });
});

// ---- optimisers and copies ---------------------------------------------------------------------

group('webgpu optimisers and plumbing', (it) => {
  for (const decoupled of [false, true]) {
    it(`adamStep in place (decoupled ${decoupled})`, async (t) => {
      await t.same([t.F([1001]), t.F([1001]), t.F([1001], -0.1, 0.1), t.F([1001], 0, 0.1)], (be, [p, g, m, v]) => {
        be.adamStep(p.storage, g.storage, m.storage, v.storage, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, step: 3 });
      }, 1e-4, true);
    });
  }

  it('sgdStep with momentum (first, later, nesterov) and without', async (t) => {
    for (const h of [
      { momentum: 0.9, dampening: 0, nesterov: false, first: true }, { momentum: 0.9, dampening: 0.1, nesterov: false, first: false },
      { momentum: 0.8, dampening: 0, nesterov: true, first: false },
    ]) {
      await t.same([t.F([777]), t.F([777]), t.F([777])], (be, [p, g, b]) => be.sgdStep(p.storage, g.storage, b.storage, { lr: 0.1, weightDecay: 1e-3, ...h }), 1e-5, true);
    }
    await t.same([t.F([777]), t.F([777])], (be, [p, g]) => be.sgdStep(p.storage, g.storage, null, { lr: 0.1, weightDecay: 0, momentum: 0, dampening: 0, nesterov: false, first: true }), 1e-5, true);
  });

  it('copy in place (float32 and int32), between dispatches of one batch; a size mismatch is an error', async (t) => {
    await t.same([t.F([1001]), t.F([1001])], (be, [d, s]) => { be.copy(d.storage, s.storage); }, 0, true);
    await t.same([t.I([37]), t.I([37])], (be, [d, s]) => { be.copy(d.storage, s.storage); }, 0, true);
    // A dispatch writes y, the copy reads it into d, a dispatch reads d: one encoder, three commands.
    await t.same([t.F([513]), t.F([513])], (be, [x, d]) => {
      const y = be.unary('exp', x);
      be.copy(d.storage, y);
      const z = be.unary('neg', d);
      be.dispose(y);
      return z;
    }, 1e-6, true);
    const a = t.gpu.upload(new Float32Array(4)), b = t.gpu.upload(new Float32Array(5));
    t.throws(() => t.gpu.copy(a, b), 'webgpu: copy of 5 float32 elements into a buffer of 4 float32');
    t.gpu.dispose(a); t.gpu.dispose(b);
  });
});

export const KERNEL_CASES: readonly KernelCase[] = cases;

export interface CaseResult { group: string; name: string; ok: boolean; error?: string; ms: number }

/** Run every case (or those `only` keeps) in order; a failing case is reported and the next one runs. */
export async function runKernelCases(cpu: Backend, gpu: Backend, o: { only?: (c: KernelCase) => boolean; onResult?: (r: CaseResult) => void } = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of KERNEL_CASES) {
    if (o.only && !o.only(c)) continue;
    const t0 = performance.now();
    let error: string | undefined;
    try { await c.run(new Parity(cpu, gpu, caseSeed(c))); } catch (e) { error = (e as Error).message ?? String(e); }
    const r = { group: c.group, name: c.name, ok: error === undefined, error, ms: performance.now() - t0 };
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}
