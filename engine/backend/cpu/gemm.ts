// Single-precision matrix multiply for the CPU backend: the SIMD kernel (kernels.wat) runs on one
// or two threads on operands in the wasm memory (tensors live there already; other arrays are
// copied in, and C copied back out).
// Transposes cost nothing here: they only change the strides the kernel's packing reads with.

import { gemmCommand, splitRange, wasmKernels, type Command, type GemmCommand } from './threads.js';

export interface GemmArgs {
  transA: boolean; transB: boolean; m: number; n: number; k: number;
  /** Row-major; C[m,n] = op(A)[m,k] · op(B)[k,n]. */
  a: Float32Array; b: Float32Array; c: Float32Array;
  /** Default 1: batched, contiguous batches. */
  batch?: number;
  /** Elements between batches (default one matrix); 0 = broadcast that operand. A 0 for C sums all batches into it. */
  strideA?: number; strideB?: number; strideC?: number;
  /** C += instead of C =. */
  accumulate?: boolean;
}

/** Elements an operand of `batch` matrices of `size` elements, `stride` apart, must hold. */
function extent(name: string, arr: Float32Array, batch: number, stride: number, size: number, dims: string): number {
  const need = (batch - 1) * stride + size;
  if (arr.length < need) {
    const why = batch > 1 ? `batch ${batch}, stride ${stride}, ${dims} = ${size}` : `${dims} = ${size}`;
    throw new Error(`sgemm: ${name} has ${arr.length} elements but needs ${need} (${why})`);
  }
  return need;
}

export function sgemm(args: GemmArgs): void {
  const { transA, transB, m, n, k, a, b, c } = args;
  const batch = args.batch ?? 1;
  const strideA = args.strideA ?? m * k, strideB = args.strideB ?? k * n, strideC = args.strideC ?? m * n;
  const accumulate = args.accumulate ?? false;
  for (const [name, v] of Object.entries({ m, n, k, batch, strideA, strideB, strideC })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`sgemm: ${name} must be a non-negative integer, got ${v}`);
  }
  if (strideC !== 0 && strideC < m * n && batch > 1) throw new Error(`sgemm: strideC ${strideC} makes batches of C overlap (m*n = ${m * n})`);
  const needA = extent('a', a, batch, strideA, m * k, 'm*k');
  const needB = extent('b', b, batch, strideB, k * n, 'k*n');
  const needC = extent('c', c, batch, strideC, m * n, 'm*n');
  if (m === 0 || n === 0 || batch === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < batch; i++) c.fill(0, i * strideC, i * strideC + m * n);
    return;
  }

  const wk = wasmKernels();
  wk.reset();
  const cc = c.subarray(0, needC);
  const pa = wk.put(a.subarray(0, needA)), pb = wk.put(b.subarray(0, needB));
  const pc = accumulate ? wk.put(cc) : wk.place(cc);
  const [rsA, csA] = transA ? [1, m] : [k, 1];
  const [rsB, csB] = transB ? [1, k] : [n, 1];
  const threads = wk.threadsFor(2 * m * n * k * batch);
  const scratch = Array.from({ length: threads }, (_, t) => wk.scratch(t));

  // One gemm per batch over rows [i0,i1) and columns [j0,j1) of C.
  const block = (bt: number, [i0, i1]: [number, number], [j0, j1]: [number, number], t: number): Command => gemmCommand({
    m: i1 - i0, n: j1 - j0, k,
    a: pa + 4 * (bt * strideA + i0 * rsA), rsA, csA,
    b: pb + 4 * (bt * strideB + j0 * csB), rsB, csB,
    c: pc + 4 * (bt * strideC + i0 * n + j0), ldc: n,
    // With strideC = 0 every batch lands on the same C: the later ones add to it.
    accumulate: accumulate || (strideC === 0 && bt > 0),
    scratch: scratch[t],
  });
  const batches = (b0: number, b1: number, rows: [number, number], cols: [number, number], t: number): Command[] =>
    Array.from({ length: b1 - b0 }, (_, i) => block(b0 + i, rows, cols, t));

  let programs: Command[][];
  if (batch >= threads && strideC !== 0) {
    programs = splitRange(batch, threads).map(([b0, b1], t) => batches(b0, b1, [0, m], [0, n], t));
  } else if (n >= m) {
    programs = splitRange(n, threads, 8).map((cols, t) => batches(0, batch, [0, m], cols, t));
  } else {
    programs = splitRange(m, threads, 4).map((rows, t) => batches(0, batch, rows, [0, n], t));
  }
  wk.execute(programs);
  if (wk.heap.addressOf(cc) !== pc) {
    if (strideC <= m * n) cc.set(wk.view(pc, needC));
    else for (let bt = 0; bt < batch; bt++) c.set(wk.view(pc + 4 * bt * strideC, m * n), bt * strideC);
  }
  wk.reset();
}

/**
 * One gemm on operands already in the wasm memory, its output split between the threads (by
 * columns, 8 at a time, when n >= m, else by rows, 4 at a time), so that every element is
 * computed alike on any thread count. Runs it and returns when it is done.
 */
export function gemmAt(g: Omit<GemmCommand, 'scratch'>): void {
  const wk = wasmKernels();
  const threads = wk.threadsFor(2 * g.m * g.n * g.k);
  const programs = g.n >= g.m
    ? splitRange(g.n, threads, 8).map(([j0, j1], t) => [gemmCommand({ ...g, n: j1 - j0, b: g.b + 4 * j0 * g.csB, c: g.c + 4 * j0, scratch: wk.scratch(t) })])
    : splitRange(g.m, threads, 4).map(([i0, i1], t) => [gemmCommand({ ...g, m: i1 - i0, a: g.a + 4 * i0 * g.rsA, c: g.c + 4 * i0 * g.ldc, scratch: wk.scratch(t) })]);
  wk.execute(programs);
}
