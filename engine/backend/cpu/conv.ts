// 2-D convolution (NCHW, weight [O, C/groups, KH, KW]) for the CPU backend, as im2col + gemm in
// the wasm kernels, on operands in the wasm memory (see threads.ts). Each function writes into
// `out` when given one (the backend passes a tensor's view, so the result lands in place), else
// returns a new array.
//
// One gemm per group across a chunk of the batch (the whole batch unless its column matrix would
// pass COL_BUDGET floats), not one per image: the column matrix is K x (N·OH·OW), each image
// filling its own columns (im2col with a row pitch), so the weights are packed once, the filter
// gradient is a single dY·colsᵀ (no per-thread partial sums), and the gemm sees long rows. The
// price is a cheap permute (the wasm gather) between [N, O, P] and [O, N·P]. Each phase (columns,
// gemm, permute) splits its output between the threads, never a sum, so results do not depend on
// the thread count. A 1x1 convolution with stride 1 and no padding needs no im2col: the column
// matrix is the input, permuted. With one image no permute is needed at all.

import { conv2dOutShape, type Conv2dParams } from '../../conv-geometry.js';
import { gemmAt } from './gemm.js';
import { gatherCommand, patchCommand, PARALLEL_MIN_ELEMENTS, splitRange, wasmKernels, type PatchGeometry } from './threads.js';

interface Plan {
  n: number; c: number; o: number; groups: number;
  cg: number; og: number;     // channels per group, in and out
  ckk: number; ohw: number; hw: number;
  direct: boolean;            // the column matrix is the input itself
  patch: PatchGeometry;       // one group of one image
}

const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

function plan(op: string, xShape: readonly number[], wShape: readonly number[], p: Conv2dParams, dyShape?: readonly number[]): Plan {
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new Error(`${op}: input and weight must be 4-D (input ${fmt(xShape)}, weight ${fmt(wShape)})`);
  }
  const [n, c, h, w] = xShape;
  const [o, cw, kh, kw] = wShape;
  const { groups } = p;
  if (!(groups >= 1) || c % groups !== 0 || o % groups !== 0) {
    throw new Error(`${op}: groups ${groups} must divide input channels ${c} and output channels ${o} (input ${fmt(xShape)}, weight ${fmt(wShape)})`);
  }
  if (cw !== c / groups) {
    throw new Error(`${op}: input has ${c} channels but weight expects ${cw * groups} (input ${fmt(xShape)}, weight ${fmt(wShape)}, groups ${groups})`);
  }
  const [, , oh, ow] = conv2dOutShape(xShape, wShape, p);
  if (!(oh >= 1 && ow >= 1)) {
    throw new Error(`${op}: the ${kh}x${kw} kernel does not fit the padded ${h}x${w} input (input ${fmt(xShape)}, weight ${fmt(wShape)})`);
  }
  if (dyShape && fmt(dyShape) !== fmt([n, o, oh, ow])) {
    throw new Error(`${op}: output gradient has shape ${fmt(dyShape)} but the convolution gives ${fmt([n, o, oh, ow])}`);
  }
  const direct = kh === 1 && kw === 1 && p.strideH === 1 && p.strideW === 1 && p.padH === 0 && p.padW === 0;
  return {
    n, c, o, groups, cg: c / groups, og: o / groups, ckk: (c / groups) * kh * kw, ohw: oh * ow, hw: h * w, direct,
    patch: { channels: c / groups, h, w, kh, kw, ...p, oh, ow },
  };
}

function checkLength(op: string, name: string, arr: Float32Array, shape: readonly number[]): void {
  const need = shape.reduce((x, y) => x * y, 1);
  if (arr.length !== need) throw new Error(`${op}: ${name} has ${arr.length} elements but shape ${fmt(shape)} needs ${need}`);
}

/** Most floats a column matrix may take (64 MiB); a larger batch goes in chunks of images. */
const COL_BUDGET = 1 << 24;

/** The image chunks [i0, i1) a batch goes in, each with a column matrix within COL_BUDGET. */
function chunks(pl: Plan): Array<[number, number]> {
  const per = Math.max(1, Math.floor(COL_BUDGET / (pl.ckk * pl.ohw)));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < pl.n; i += per) out.push([i, Math.min(pl.n, i + per)]);
  return out;
}

/** Runs a strided copy of a d0 x d1 x d2 box (see gatherCommand), split along d0 between the threads. */
function gather(a: number, s0: number, s1: number, out: number, t0: number, t1: number, d0: number, d1: number, d2: number): void {
  const wk = wasmKernels();
  const threads = wk.threadsFor(d0 * d1 * d2, PARALLEL_MIN_ELEMENTS);
  wk.execute(splitRange(d0, threads).map(([i0, i1]) => [gatherCommand(a + 4 * i0 * s0, s0, s1, out + 4 * i0 * t0, t0, t1, i1 - i0, d1, d2)]));
}

/** Byte address of channel `ch` of image `img` in an NCHW tensor at `base` with `chans` channels of `size`. */
const at = (base: number, img: number, chans: number, ch: number, size: number) => base + 4 * (img * chans + ch) * size;

/**
 * The column matrix [ckk, nc·ohw] of group g over images [i0, i1) of x, and its row pitch. With
 * one image and a 1x1 conv it is x itself; else it is built in a temporary.
 */
function columns(pl: Plan, px: number, g: number, [i0, i1]: [number, number]): { col: number; pitch: number } {
  const wk = wasmKernels();
  const nc = i1 - i0, pitch = nc * pl.ohw;
  if (pl.direct && nc === 1) return { col: at(px, i0, pl.c, g * pl.cg, pl.hw), pitch };
  const col = wk.alloc(pl.ckk * pitch);
  if (pl.direct) {
    // col[c][n·P + p] = x[n][g·cg + c][p]
    gather(at(px, i0, pl.c, g * pl.cg, pl.hw), pl.hw, pl.c * pl.hw, col, pitch, pl.ohw, pl.cg, nc, pl.ohw);
  } else {
    const threads = wk.threadsFor(pl.ckk * pitch, PARALLEL_MIN_ELEMENTS);
    wk.execute(splitRange(nc, threads).map(([a, b]) => Array.from({ length: b - a }, (_, i) =>
      patchCommand('im2col', pl.patch, at(px, i0 + a + i, pl.c, g * pl.cg, pl.hw), col + 4 * (a + i) * pl.ohw, pitch))));
  }
  return { col, pitch };
}

/** dY of group g over images [i0, i1) as one matrix [og, nc·ohw] (dy itself for one image), and its row pitch. */
function outputRows(pl: Plan, pdy: number, g: number, [i0, i1]: [number, number]): { rows: number; pitch: number } {
  const nc = i1 - i0, pitch = nc * pl.ohw;
  const first = at(pdy, i0, pl.o, g * pl.og, pl.ohw);
  if (nc === 1) return { rows: first, pitch };
  const rows = wasmKernels().alloc(pl.og * pitch);
  // rows[o][n·P + p] = dy[n][g·og + o][p]
  gather(first, pl.ohw, pl.o * pl.ohw, rows, pitch, pl.ohw, pl.og, nc, pl.ohw);
  return { rows, pitch };
}

export function conv2dForward(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], p: Conv2dParams, out?: Float32Array): Float32Array {
  const op = 'conv2dForward';
  const pl = plan(op, xShape, wShape, p);
  checkLength(op, 'input', x, xShape);
  checkLength(op, 'weight', w, wShape);
  const wk = wasmKernels();
  wk.reset();
  const y = out ?? new Float32Array(pl.n * pl.o * pl.ohw);
  checkLength(op, 'output', y, [pl.n, pl.o, pl.ohw]);
  const px = wk.put(x), pw = wk.put(w), py = wk.place(y);
  for (const chunk of chunks(pl)) {
    const nc = chunk[1] - chunk[0];
    for (let g = 0; g < pl.groups; g++) {
      const { col, pitch } = columns(pl, px, g, chunk);
      const dst = at(py, chunk[0], pl.o, g * pl.og, pl.ohw);
      // Y_g [og, nc·ohw] = W_g [og, ckk] · col [ckk, nc·ohw]; then y[n][g·og + o][p] = Y_g[o][n·P + p]
      const yg = nc === 1 ? dst : wk.alloc(pl.og * pitch);
      gemmAt({ m: pl.og, n: pitch, k: pl.ckk, a: pw + 4 * g * pl.og * pl.ckk, rsA: pl.ckk, csA: 1, b: col, rsB: pitch, csB: 1, c: yg, ldc: pitch, accumulate: false });
      if (nc > 1) gather(yg, pl.ohw, pitch, dst, pl.o * pl.ohw, pl.ohw, nc, pl.og, pl.ohw);
    }
  }
  wk.finish(py, y);
  wk.reset();
  return y;
}

export function conv2dBackwardInput(dy: Float32Array, dyShape: number[], w: Float32Array, wShape: number[], xShape: number[], p: Conv2dParams, out?: Float32Array): Float32Array {
  const op = 'conv2dBackwardInput';
  const pl = plan(op, xShape, wShape, p, dyShape);
  checkLength(op, 'output gradient', dy, dyShape);
  checkLength(op, 'weight', w, wShape);
  const wk = wasmKernels();
  wk.reset();
  const dx = out ?? new Float32Array(pl.n * pl.c * pl.hw);
  checkLength(op, 'output', dx, xShape);
  const pdy = wk.put(dy), pw = wk.put(w), pdx = wk.place(dx);
  if (!pl.direct) wk.view(pdx, pl.n * pl.c * pl.hw).fill(0); // col2im adds into it
  for (const chunk of chunks(pl)) {
    const nc = chunk[1] - chunk[0];
    for (let g = 0; g < pl.groups; g++) {
      const { rows, pitch } = outputRows(pl, pdy, g, chunk);
      const dst = at(pdx, chunk[0], pl.c, g * pl.cg, pl.hw);
      // dcol [ckk, nc·ohw] = W_g^T [ckk, og] · dY_g [og, nc·ohw]
      const dcol = pl.direct && nc === 1 ? dst : wk.alloc(pl.ckk * pitch);
      gemmAt({ m: pl.ckk, n: pitch, k: pl.og, a: pw + 4 * g * pl.og * pl.ckk, rsA: 1, csA: pl.ckk, b: rows, rsB: pitch, csB: 1, c: dcol, ldc: pitch, accumulate: false });
      if (pl.direct) {
        // dx[n][g·cg + c][p] = dcol[c][n·P + p]
        if (nc > 1) gather(dcol, pl.ohw, pitch, dst, pl.c * pl.hw, pl.hw, nc, pl.cg, pl.hw);
      } else {
        const threads = wk.threadsFor(pl.ckk * pitch, PARALLEL_MIN_ELEMENTS);
        wk.execute(splitRange(nc, threads).map(([a, b]) => Array.from({ length: b - a }, (_, i) =>
          patchCommand('col2im', pl.patch, at(pdx, chunk[0] + a + i, pl.c, g * pl.cg, pl.hw), dcol + 4 * (a + i) * pl.ohw, pitch))));
      }
    }
  }
  wk.finish(pdx, dx);
  wk.reset();
  return dx;
}

export function conv2dBackwardFilter(x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], wShape: number[], p: Conv2dParams, out?: Float32Array): Float32Array {
  const op = 'conv2dBackwardFilter';
  const pl = plan(op, xShape, wShape, p, dyShape);
  checkLength(op, 'input', x, xShape);
  checkLength(op, 'output gradient', dy, dyShape);
  const wk = wasmKernels();
  wk.reset();
  const dw = out ?? new Float32Array(pl.o * pl.ckk);
  checkLength(op, 'output', dw, wShape);
  const px = wk.put(x), pdy = wk.put(dy), pdw = wk.place(dw);
  chunks(pl).forEach((chunk, ci) => {
    for (let g = 0; g < pl.groups; g++) {
      const { col, pitch } = columns(pl, px, g, chunk);
      const { rows } = outputRows(pl, pdy, g, chunk);
      // dW_g [og, ckk] (+)= dY_g [og, nc·ohw] · col^T [nc·ohw, ckk]
      gemmAt({
        m: pl.og, n: pl.ckk, k: pitch, a: rows, rsA: pitch, csA: 1, b: col, rsB: 1, csB: pitch,
        c: pdw + 4 * g * pl.og * pl.ckk, ldc: pl.ckk, accumulate: ci > 0,
      });
    }
  });
  wk.finish(pdw, dw);
  wk.reset();
  return dw;
}
