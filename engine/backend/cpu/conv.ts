// 2-D convolution (NCHW, weight [O, C/groups, KH, KW]) for the CPU backend, as im2col + gemm in
// the wasm kernels, on operands in the wasm memory (see threads.ts). Each function writes into
// `out` when given one (the backend passes a tensor's view, so the result lands in place), else
// returns a new array. Each (image, group) pair is one unit of work: im2col its input patch into
// the thread's private column buffer, then one gemm. The units are split between the threads.
// A 1x1 convolution with stride 1 and no padding needs no im2col: the input is the column matrix.

import { conv2dOutShape, type Conv2dParams } from '../../conv-geometry.js';
import { gemmCommand, patchCommand, splitRange, wasmKernels, type Command, type PatchGeometry } from './threads.js';

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

/**
 * Splits the (image, group) units between the threads; `unit` returns the commands of one,
 * given the thread's private column buffer and gemm scratch. Returns how many threads ran.
 */
function runUnits(pl: Plan, unit: (img: number, g: number, col: number, scratch: number, thread: number) => Command[]): number {
  const wk = wasmKernels();
  const threads = Math.min(wk.threadsFor(2 * pl.n * pl.o * pl.ohw * pl.ckk), pl.n * pl.groups);
  const programs = splitRange(pl.n * pl.groups, threads).map(([u0, u1], t) => {
    const col = pl.direct ? 0 : wk.alloc(pl.ckk * pl.ohw);
    const scratch = wk.scratch(t);
    const cmds: Command[] = [];
    for (let u = u0; u < u1; u++) cmds.push(...unit(Math.floor(u / pl.groups), u % pl.groups, col, scratch, t));
    return cmds;
  });
  wk.execute(programs);
  return programs.length;
}

/** Byte address of channel `ch` of image `img` in an NCHW tensor at `base` with `chans` channels of `size`. */
const at = (base: number, img: number, chans: number, ch: number, size: number) => base + 4 * (img * chans + ch) * size;

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
  runUnits(pl, (img, g, col, scratch) => {
    const xg = at(px, img, pl.c, g * pl.cg, pl.hw);
    const b = pl.direct ? xg : col;
    return [
      ...(pl.direct ? [] : [patchCommand('im2col', pl.patch, xg, col)]),
      gemmCommand({
        m: pl.og, n: pl.ohw, k: pl.ckk, a: pw + 4 * g * pl.og * pl.ckk, rsA: pl.ckk, csA: 1, b, rsB: pl.ohw, csB: 1,
        c: at(py, img, pl.o, g * pl.og, pl.ohw), ldc: pl.ohw, accumulate: false, scratch,
      }),
    ];
  });
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
  wk.view(pdx, pl.n * pl.c * pl.hw).fill(0); // col2im adds into it
  runUnits(pl, (img, g, col, scratch) => {
    const dxg = at(pdx, img, pl.c, g * pl.cg, pl.hw);
    // dcol[ckk, ohw] = W_g^T [ckk, og] · dy_g [og, ohw]
    return [
      gemmCommand({
        m: pl.ckk, n: pl.ohw, k: pl.og, a: pw + 4 * g * pl.og * pl.ckk, rsA: 1, csA: pl.ckk,
        b: at(pdy, img, pl.o, g * pl.og, pl.ohw), rsB: pl.ohw, csB: 1,
        c: pl.direct ? dxg : col, ldc: pl.ohw, accumulate: false, scratch,
      }),
      ...(pl.direct ? [] : [patchCommand('col2im', pl.patch, dxg, col)]),
    ];
  });
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
  const px = wk.put(x), pdy = wk.put(dy);
  const size = pl.o * pl.ckk;
  // Each thread sums its images into a private dW (zeroed, so every gemm accumulates); then we add them up.
  const partials: number[] = [];
  const partial = (t: number) => {
    if (partials[t] === undefined) { partials[t] = wk.alloc(size); wk.view(partials[t], size).fill(0); }
    return partials[t];
  };
  const threads = runUnits(pl, (img, g, col, scratch, t) => {
    const xg = at(px, img, pl.c, g * pl.cg, pl.hw);
    const b = pl.direct ? xg : col;
    // dW_g [og, ckk] += dy_g [og, ohw] · col^T [ohw, ckk]
    return [
      ...(pl.direct ? [] : [patchCommand('im2col', pl.patch, xg, col)]),
      gemmCommand({
        m: pl.og, n: pl.ckk, k: pl.ohw, a: at(pdy, img, pl.o, g * pl.og, pl.ohw), rsA: pl.ohw, csA: 1,
        b, rsB: 1, csB: pl.ohw, c: partial(t) + 4 * g * pl.og * pl.ckk, ldc: pl.ckk, accumulate: true, scratch,
      }),
    ];
  });
  const dw = out ?? new Float32Array(size);
  checkLength(op, 'output', dw, wShape);
  dw.set(wk.view(partial(0), size));
  for (let t = 1; t < threads; t++) {
    const other = wk.view(partials[t], size);
    for (let i = 0; i < size; i++) dw[i] += other[i];
  }
  wk.reset();
  return dw;
}
