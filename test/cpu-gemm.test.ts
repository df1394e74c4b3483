// sgemm (the wasm SIMD kernel on one or two threads) against a naive float64 reference, on
// shapes chosen to hit every edge of the blocking: 1, primes, non-multiples of the 4x8 tile,
// K beyond one KC block (256), M beyond MC (128), N beyond NC (1024), both transposes,
// batches with broadcast (stride 0), C shared by all batches (stride 0), gaps, accumulate,
// and problems large enough to be split between the two threads by batch, by columns, by rows.
// Also: the committed kernels.wasm.ts is exactly what kernels.wat assembles to.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sgemm, type GemmArgs } from '../engine/backend/cpu/gemm.js';

function random(size: number, seed: number): Float32Array {
  let s = seed * 2654435761 >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** C as float64 from the same arguments, by the definition. */
function reference(g: Required<GemmArgs>): Float64Array {
  const { m, n, k, a, b, batch, strideA, strideB, strideC } = g;
  const c = Float64Array.from(g.c);
  for (let bt = 0; bt < batch; bt++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bt * strideA + (g.transA ? p * m + i : i * k + p)];
          const bv = b[bt * strideB + (g.transB ? j * k + p : p * n + j)];
          s += av * bv;
        }
        const at = bt * strideC + i * n + j;
        c[at] = s + (g.accumulate || (strideC === 0 && bt > 0) ? c[at] : 0);
      }
    }
  }
  return c;
}

interface Case { m: number; n: number; k: number; transA?: boolean; transB?: boolean; batch?: number;
  strideA?: number; strideB?: number; strideC?: number; accumulate?: boolean }

function check(cs: Case, seed: number): void {
  const { m, n, k } = cs;
  const batch = cs.batch ?? 1;
  const strideA = cs.strideA ?? m * k, strideB = cs.strideB ?? k * n, strideC = cs.strideC ?? m * n;
  const g: Required<GemmArgs> = {
    transA: cs.transA ?? false, transB: cs.transB ?? false, m, n, k, batch, strideA, strideB, strideC,
    accumulate: cs.accumulate ?? false,
    a: random((batch - 1) * strideA + m * k, seed),
    b: random((batch - 1) * strideB + k * n, seed + 1),
    c: random((batch - 1) * strideC + m * n, seed + 2),
  };
  const want = reference(g);
  sgemm(g);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(g.c[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= worstErr)) { worst = i; worstErr = err; }
  }
  if (worstErr > 1e-4 || Number.isNaN(worstErr)) expect.fail(`element ${worst}: ${g.c[worst]} vs ${want[worst]}`);
}

const label = (c: Case) => Object.entries(c).map(([key, v]) => `${key}=${v}`).join(' ');

describe('sgemm vs float64 reference', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [1, 7, 1], [7, 1, 3], [3, 5, 7], [4, 8, 16], [13, 17, 19], [5, 9, 300], [130, 9, 3],
    [33, 1030, 5], [67, 131, 257], [1, 97, 61], [97, 1, 61],
  ];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const cs = { m, n, k, transA, transB };
        it(label(cs), () => check(cs, m * 7 + n * 3 + k));
      }
    }
  }
  const special: Case[] = [
    { m: 5, n: 6, k: 7, accumulate: true },
    { m: 9, n: 11, k: 300, transA: true, accumulate: true },
    { m: 3, n: 5, k: 4, batch: 4 },
    { m: 3, n: 5, k: 4, batch: 4, strideA: 0 },
    { m: 3, n: 5, k: 4, batch: 4, strideB: 0, transB: true },
    { m: 3, n: 5, k: 4, batch: 4, strideC: 0 },
    { m: 3, n: 5, k: 4, batch: 4, strideC: 0, accumulate: true },
    { m: 3, n: 5, k: 4, batch: 3, strideA: 20, strideB: 25, strideC: 19 },
    // Large enough for two threads: split by batch, by columns (n >= m), by rows (m > n).
    { m: 70, n: 90, k: 130, batch: 5 },
    { m: 70, n: 90, k: 130, batch: 5, strideB: 0, accumulate: true },
    { m: 64, n: 288, k: 121, batch: 6, strideC: 0, transB: true },
    { m: 150, n: 333, k: 270, transA: true },
    { m: 517, n: 45, k: 200, transB: true },
    { m: 256, n: 256, k: 256, accumulate: true },
  ];
  for (const cs of special) it(label(cs), () => check(cs, cs.m + cs.n));

  it('k = 0 gives zeros, or leaves C alone when accumulating', () => {
    const c = new Float32Array([1, 2, 3, 4]);
    sgemm({ transA: false, transB: false, m: 2, n: 2, k: 0, a: new Float32Array(0), b: new Float32Array(0), c, accumulate: true });
    expect([...c]).toEqual([1, 2, 3, 4]);
    sgemm({ transA: false, transB: false, m: 2, n: 2, k: 0, a: new Float32Array(0), b: new Float32Array(0), c });
    expect([...c]).toEqual([0, 0, 0, 0]);
  });

  it('says which operand is too short', () => {
    const f = (len: number) => new Float32Array(len);
    expect(() => sgemm({ transA: false, transB: false, m: 3, n: 2, k: 4, a: f(10), b: f(8), c: f(6) }))
      .toThrow('sgemm: a has 10 elements but needs 12 (m*k = 12)');
    expect(() => sgemm({ transA: false, transB: false, m: 3, n: 2, k: 4, a: f(12), b: f(8), c: f(6), batch: 2, strideA: 0, strideB: 0 }))
      .toThrow('sgemm: c has 6 elements but needs 12 (batch 2, stride 6, m*n = 6)');
  });
});

describe('kernels.wasm.ts', () => {
  it('is exactly what build.mjs assembles from kernels.wat (no drift)', () => {
    const build = fileURLToPath(new URL('../engine/backend/cpu/wasm/build.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [build, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
