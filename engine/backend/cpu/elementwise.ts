// Elementwise CPU kernels: unary maps and NumPy-broadcast binary/ternary loops.

import type { BinaryOp, UnaryOp } from '../backend.js';
import type { CpuArray } from './storage.js';

// erf to ~1e-13, as gradient checks in float64 need: the Maclaurin series where it converges
// without much cancellation, the continued fraction of erfc in the tails.
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series, converges fast for small |x|.
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc (modified Lentz), converging fast for |x| >= 3.
  const z = ax;
  let f = z, c = z, d = 0;
  const tiny = 1e-300;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = z + an * d; d = Math.abs(d) < tiny ? tiny : d; d = 1 / d;
    c = z + an / c; c = Math.abs(c) < tiny ? tiny : c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** erf to float32 accuracy (about 3e-7 relative) at a fraction of erf's cost: the Maclaurin series
 *  to x¹¹ below 0.5, Abramowitz & Stegun 7.1.26 above (GELU's erf was most of a Transformer step). */
export function erf32(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    return 1.1283791670955126 * x * (1 + x2 * (-1 / 3 + x2 * (1 / 10 + x2 * (-1 / 42 + x2 * (1 / 216 + x2 * (-1 / 1320))))));
  }
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-ax * ax);
  return x < 0 ? -y : y;
}

/** GELU x·Φ(x), Φ(x) = (1 + erf(x/√2))/2, on a given erf (exact for float64, erf32 for float32). */
export const geluFn = (e: (x: number) => number) => (x: number) => x * (0.5 + 0.5 * e(x * Math.SQRT1_2));
/** GELU's derivative Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π). */
export const geluGradFn = (e: (x: number) => number) => (x: number) => 0.5 + 0.5 * e(x * Math.SQRT1_2) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x);

export function unaryFn(op: UnaryOp, a = 0, b = 0): (x: number) => number {
  switch (op) {
    case 'neg': return (x) => -x;
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'sqrt': return Math.sqrt;
    case 'rsqrt': return (x) => 1 / Math.sqrt(x);
    case 'abs': return Math.abs;
    case 'sign': return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case 'square': return (x) => x * x;
    case 'reciprocal': return (x) => 1 / x;
    case 'relu': return (x) => (x > 0 ? x : 0);
    case 'step': return (x) => (x > 0 ? 1 : 0);
    case 'tanh': return Math.tanh;
    case 'sigmoid': return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'erf': return erf;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
    case 'floor': return Math.floor;
    case 'leakyRelu': return (x) => (x > 0 ? x : a * x);
    case 'elu': return (x) => (x > 0 ? x : a * Math.expm1(x));
    case 'clamp': return (x) => (x < a ? a : x > b ? b : x);
    case 'powScalar': return (x) => Math.pow(x, a);
    case 'affine': return (x) => x * a + b;
    case 'gelu': return geluFn(erf);
    case 'geluGrad': return geluGradFn(erf);
  }
}

export function binaryFn(op: BinaryOp): (x: number, y: number) => number {
  switch (op) {
    case 'add': return (x, y) => x + y;
    case 'sub': return (x, y) => x - y;
    case 'mul': return (x, y) => x * y;
    case 'div': return (x, y) => x / y;
    case 'pow': return Math.pow;
    case 'maximum': return (x, y) => (x > y || Number.isNaN(x) ? x : y);
    case 'minimum': return (x, y) => (x < y || Number.isNaN(x) ? x : y);
    case 'eq': return (x, y) => (x === y ? 1 : 0);
    case 'ne': return (x, y) => (x !== y ? 1 : 0);
    case 'lt': return (x, y) => (x < y ? 1 : 0);
    case 'le': return (x, y) => (x <= y ? 1 : 0);
    case 'gt': return (x, y) => (x > y ? 1 : 0);
    case 'ge': return (x, y) => (x >= y ? 1 : 0);
  }
}

/** Walk every index of `shape` in row-major order, calling visit with each operand's flat offset.
 *  The innermost axis runs as a plain loop, so only the odometer carry costs per row. Size-1 axes
 *  are dropped and adjacent axes that every operand walks as one (stride_d = stride_{d+1}·n_{d+1})
 *  merged first, in the same visiting order: a [N, C, 1, 1] tensor runs N·C-long rows, not rows
 *  of 1 (a callback per element made its sums and expands ~8x slower than on a flat tensor). */
export function forEachBroadcast(fullShape: readonly number[], fullStrides: readonly (readonly number[])[],
  row: (offsets: number[], n: number, innerStrides: number[]) => void): void {
  const shape: number[] = [], strides: number[][] = fullStrides.map(() => []);
  for (let d = 0; d < fullShape.length; d++) {
    const n = fullShape[d];
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && fullStrides.every((s, j) => strides[j][last] === s[d] * n)) {
      shape[last] *= n;
      fullStrides.forEach((s, j) => { strides[j][last] = s[d]; });
    } else {
      shape.push(n);
      fullStrides.forEach((s, j) => { strides[j].push(s[d]); });
    }
  }
  const rank = shape.length;
  const k = strides.length;
  const total = shape.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  const offsets = new Array<number>(k).fill(0);
  if (rank === 0) { row(offsets, 1, new Array<number>(k).fill(0)); return; }
  const inner = shape[rank - 1];
  const innerStrides = strides.map((s) => s[rank - 1]);
  const idx = new Array<number>(rank).fill(0);
  for (let done = 0; done < total; done += inner) {
    row(offsets, inner, innerStrides);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < k; j++) offsets[j] += strides[j][d];
      if (idx[d] < shape[d]) break;
      for (let j = 0; j < k; j++) offsets[j] -= strides[j][d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function binaryInto(out: CpuArray, f: (x: number, y: number) => number, a: CpuArray, b: CpuArray,
  shape: readonly number[], sa: readonly number[], sb: readonly number[]): void {
  if (a.length === out.length && b.length === out.length) {
    for (let i = 0; i < out.length; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === out.length) {
    const y = b[0];
    for (let i = 0; i < out.length; i++) out[i] = f(a[i], y);
    return;
  }
  let o = 0;
  forEachBroadcast(shape, [sa, sb], (off, n, st) => {
    let ia = off[0], ib = off[1];
    for (let i = 0; i < n; i++, ia += st[0], ib += st[1]) out[o++] = f(a[ia], b[ib]);
  });
}
