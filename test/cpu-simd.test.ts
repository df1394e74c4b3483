// The wasm SIMD elementwise, sum and max-pool kernels (simd.ts) against the plain JS kernels they
// stand in for, on shapes with vector tails and every broadcast pattern they accept; and the
// heap (heap.ts): buffers come back for reuse, so a loop of alloc/dispose does not grow it.
import { describe, expect, it } from 'vitest';
import { binaryFn, binaryInto, unaryFn } from '../engine/backend/cpu/elementwise.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { adamStepInPlace } from '../engine/backend/cpu/optim.js';
import { reduceInto } from '../engine/backend/cpu/reduce.js';
import { maxPoolBackwardInto, maxPoolInto } from '../engine/backend/cpu/pool.js';
import { adamSimd, mapSimd, maxPoolBackwardSimd, maxPoolSimd, rowSumSimd, zipSimd } from '../engine/backend/cpu/simd.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { broadcastStrides } from '../engine/shape.js';

const heap = () => wasmKernels().heap;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function f32(n: number, fill?: (i: number) => number): Float32Array {
  const a = heap().f32(heap().alloc(n * 4), n);
  for (let i = 0; i < n; i++) a[i] = fill ? fill(i) : Math.sin(i * 12.9898) * 2;
  return a;
}

describe('wasm SIMD elementwise kernels match the JS kernels', () => {
  for (const n of [1, 3, 4, 7, 1000, 300_001]) {
    for (const [op, a, b] of [['relu', 1, 0], ['step', 1, 0], ['affine', -1.5, 0.25]] as const) {
      it(`${op} on ${n}`, () => {
        const x = f32(n, (i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? NaN : Math.sin(i) * 3)), out = f32(n);
        expect(mapSimd(op, x, out, a, b)).toBe(true);
        const fn = unaryFn(op, a, b);
        const want = Float32Array.from(x, (v) => fn(v));
        // affine rounds x*a in float32 before adding b (JS rounds once, from float64): 1 ulp apart
        if (op === 'affine') {
          out.forEach((v, i) => {
            if (Number.isNaN(want[i])) expect(v).toBeNaN();
            else expect(Math.abs(v - want[i])).toBeLessThanOrEqual(2 ** -22 * (Math.abs(x[i] * a) + Math.abs(b)));
          });
        }
        else expect(Array.from(out)).toEqual(Array.from(want));
      });
    }
  }

  const cases: Array<[readonly number[], readonly number[], readonly number[]]> = [
    [[5], [5], [5]], [[300_001], [300_001], [300_001]], [[64, 32, 26, 26], [1, 32, 1, 1], [64, 32, 26, 26]],
    [[3, 5, 7], [], [3, 5, 7]], [[], [9, 6], [9, 6]], [[64, 10], [10], [64, 10]], [[2, 3, 5], [2, 1, 5], [2, 3, 5]],
    [[1, 4, 1, 3], [4, 1, 3], [1, 4, 1, 3]], [[4, 1], [1, 6], [4, 6]],
  ];
  for (const [sa, sb, so] of cases) {
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      it(`${op} [${sa}] with [${sb}]`, () => {
        const a = f32(size(sa)), b = f32(size(sb), (i) => 0.5 + i), out = f32(size(so)), want = new Float32Array(size(so));
        const stA = broadcastStrides(sa, so), stB = broadcastStrides(sb, so);
        const served = zipSimd(op, a, b, out, so, stA, stB);
        binaryInto(want, binaryFn(op), a, b, so, stA, stB);
        if (served) expect(Array.from(out)).toEqual(Array.from(want));
        else expect(sa.join() + sb.join()).toBe('4,1' + '1,6'); // the one pattern left to JS here
      });
    }
  }

  it('rowSum sums each row', () => {
    const rows = 37, len = 103, x = f32(rows * len), out = f32(rows);
    expect(rowSumSimd(x, len, out)).toBe(true);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += x[r * len + k];
      expect(out[r]).toBeCloseTo(s, 4);
    }
  });

  for (const [shape, k, s] of [[[64, 32, 26, 26], 2, 2], [[3, 2, 11, 11], 2, 2], [[2, 3, 9, 8], 3, 2], [[1, 1, 5, 5], 2, 1]] as const) {
    it(`maxPool ${k}x${k}/${s} on [${shape}] forward and backward, ties and NaN as JS`, () => {
      const [n, c, h, w] = shape, oh = Math.floor((h - k) / s) + 1, ow = Math.floor((w - k) / s) + 1;
      const x = f32(size(shape), (i) => (i % 5 === 0 ? 1 : i % 13 === 0 ? NaN : Math.round(Math.sin(i) * 4)));
      const p = { kernelH: k, kernelW: k, strideH: s, strideW: s, padH: 0, padW: 0, dilationH: 1, dilationW: 1, countIncludePad: false };
      const out = f32(n * c * oh * ow), arg = heap().i32(heap().alloc(out.length * 4), out.length);
      const wantOut = new Float32Array(out.length), wantArg = new Int32Array(out.length);
      expect(maxPoolSimd(x, { planes: n * c, h, w, kh: k, kw: k, sh: s, sw: s, oh, ow }, out, arg)).toBe(true);
      maxPoolInto(x, shape, p, wantOut, wantArg);
      expect(Array.from(arg)).toEqual(Array.from(wantArg));
      expect(Array.from(out)).toEqual(Array.from(wantOut));
      const dy = f32(out.length), dx = f32(size(shape), () => 7), wantDx = new Float32Array(dx.length);
      expect(maxPoolBackwardSimd(dy, arg, n * c, h * w, dx)).toBe(true);
      maxPoolBackwardInto(dy, wantArg, shape, wantDx);
      expect(Array.from(dx)).toEqual(Array.from(wantDx));
    });
  }

  for (const decoupled of [false, true]) {
    it(`Adam${decoupled ? 'W' : ''} matches the float64 JS update to float32 rounding over 5 steps`, () => {
      const n = 5003, p = f32(n), g = f32(n, (i) => Math.cos(i) * 0.01), m = f32(n, () => 0), v = f32(n, () => 0);
      const [p2, m2, v2] = [Float32Array.from(p), new Float32Array(n), new Float32Array(n)];
      for (let step = 1; step <= 5; step++) {
        const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, step };
        expect(adamSimd(p, g, m, v, h)).toBe(true);
        adamStepInPlace(p2, g, m2, v2, h);
      }
      p.forEach((x, i) => expect(Math.abs(x - p2[i])).toBeLessThan(1e-6));
      m.forEach((x, i) => expect(Math.abs(x - m2[i])).toBeLessThan(1e-8)); // m < 0.05: a few float32 ulps
    });
  }

  it('declines arrays outside the wasm memory', () => {
    expect(mapSimd('relu', new Float32Array(8), new Float32Array(8))).toBe(false);
  });
});

describe('the CPU backend on the wasm heap', () => {
  it('sums over [0,2,3] and leading axes as the JS reduction does', () => {
    const be = new CpuBackend();
    for (const [shape, axes] of [[[64, 32, 26, 26], [0, 2, 3]], [[3, 5, 40], [0, 2]], [[7, 300], [1]], [[64, 64], [0]]] as const) {
      const vals = Float32Array.from({ length: size(shape) }, (_, i) => Math.sin(i));
      const x = be.upload(vals);
      const got = be.readSync(be.reduce('sum', { storage: x, shape, dtype: 'float32' }, axes));
      const want = new Float32Array(got.length);
      reduceInto('sum', vals, shape, axes, want);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
      be.dispose(x);
    }
  });

  it('keeps memory() exact, reuses freed buffers, and refuses a second dispose', () => {
    const be = new CpuBackend();
    const before = be.memory();
    const a = be.fill(1000, 2, 'float32'), b = be.fill(10, 0, 'int32');
    expect(be.memory()).toEqual({ buffers: before.buffers + 2, bytes: before.bytes + 4040 });
    be.dispose(a);
    const c = be.fill(1000, 0, 'float32'); // takes a's block back, and must come zeroed
    expect(Array.from(be.readSync(c)).every((v) => v === 0)).toBe(true);
    be.dispose(b); be.dispose(c);
    expect(be.memory()).toEqual(before);
    expect(() => be.dispose(c)).toThrow(/disposed twice/);
  });
});

describe('the wasm heap', () => {
  it('reuses freed blocks: alloc/release in a loop does not grow the memory', () => {
    const h = heap();
    const sizes = [4, 100, 5000, 1 << 20, 777_777];
    for (let round = 0; round < 3; round++) {
      const ptrs = sizes.map((b) => h.alloc(b));
      ptrs.forEach((p, i) => h.release(p, sizes[i]));
    }
    const bytes = h.memory.buffer.byteLength;
    for (let round = 0; round < 100; round++) {
      const ptrs = sizes.map((b) => h.alloc(b));
      ptrs.forEach((p, i) => h.release(p, sizes[i]));
    }
    expect(h.memory.buffer.byteLength).toBe(bytes);
  });
});
