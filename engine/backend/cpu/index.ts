// The CPU backend: typed-array kernels behind the Backend interface. In float32 precision every
// buffer lives in the wasm kernels' memory (heap.ts); matmul, convolution, and the memory-bound
// passes of training (relu/step/affine, add/sub/mul/div on same shapes and common broadcasts,
// bias-gradient sums, max pooling, Adam: simd.ts) and the Transformer's rows (softmax, layer norm,
// GELU, embedding scatter-add, head permutes: rows-simd.ts) run there in WebAssembly SIMD on every core, in
// place; everything else is plain JS loops over the same views. In float64 precision
// (gradcheck) every float buffer is a Float64Array and the plain-loop kernels do everything.

import type {
  AdamHyper, ArgReduceOp, Backend, BinaryOp, DType, MemoryInfo, ReduceOp, SgdHyper, Storage, TensorInfo, TypedArray, UnaryOp,
} from '../backend.js';
import type { Conv2dParams, Pool2dParams } from '../../conv-geometry.js';
import { conv2dOutShape, pool2dOutShape } from '../../conv-geometry.js';
import { broadcastStrides, sizeOf } from '../../shape.js';
import { binaryFn, binaryInto, erf32, forEachBroadcast, geluFn, geluGradFn, unaryFn } from './elementwise.js';
import { geluSimd, layerNormSimd, maskedSoftmaxRowsSimd, scatterAddRowsSimd, softmaxBackwardRowsSimd, softmaxRowsSimd, stridedSimd } from './rows-simd.js';
import { checkIndices, gatherInto, padInto, scatterAddInto, stridedInto } from './movement.js';
import { adamStepInPlace, sgdStepInPlace } from './optim.js';
import { avgPoolBackwardInto, avgPoolInto, maxPoolBackwardInto, maxPoolInto } from './pool.js';
import { argReduceInto, maskedSoftmaxInto, offsetsOf, reduceInto, softmaxBackwardInto, softmaxInto } from './reduce.js';
import { conv2dBackwardFilterRef, conv2dBackwardInputRef, conv2dRef, matmulRef } from './reference.js';
import { CpuStorage, type CpuArray, type FloatArray, type Precision } from './storage.js';
import { sgemm } from './gemm.js';
import { wasmKernels } from './threads.js';
import { adamSimd, mapSimd, maxPoolBackwardSimd, maxPoolSimd, rowSumSimd, zipSimd } from './simd.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv.js';
import { layerNormBackwardInto, layerNormInto } from './layernorm.js';
import { batchNormApplyInto, batchNormBackwardInto, batchNormStatsInto, clampBackwardInto, clampSimd, leakyReluSimd } from './batchnorm.js';
import {
  depthwiseBackwardFilter, depthwiseBackwardFilterSimd, depthwiseBackwardInput, depthwiseBackwardInputSimd, depthwiseForward,
  depthwiseForwardSimd, isDepthwise,
} from './depthwise.js';

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  private live = 0;
  private bytes = 0;

  constructor(readonly precision: Precision = 'float32') {}

  // ---- memory -------------------------------------------------------------------------------

  /** A new buffer: in float32 mode in the wasm memory, NOT zeroed (it may be reused); every
   *  kernel writes all of its output (those that accumulate zero it first). */
  private alloc(size: number, dtype: DType): CpuStorage {
    let s: CpuStorage;
    const ptr = this.precision === 'float32' ? wasmKernels().heap.alloc(size * 4) : -1;
    if (ptr >= 0) {
      const heap = wasmKernels().heap;
      s = new CpuStorage(dtype === 'int32' ? heap.i32(ptr, size) : heap.f32(ptr, size), dtype, ptr);
    } else {
      const data = dtype === 'int32' ? new Int32Array(size) : this.precision === 'float64' ? new Float64Array(size) : new Float32Array(size);
      s = new CpuStorage(data, dtype);
    }
    this.live++;
    this.bytes += s.data.byteLength;
    return s;
  }

  private arr(t: TensorInfo | Storage): CpuArray {
    const s = 'storage' in t ? t.storage : t;
    return (s as CpuStorage).data;
  }

  private f(t: TensorInfo | Storage): FloatArray { return this.arr(t) as FloatArray; }

  upload(values: TypedArray): Storage {
    const s = this.alloc(values.length, values instanceof Int32Array ? 'int32' : 'float32');
    s.data.set(values);
    return s;
  }

  fill(size: number, value: number, dtype: DType): Storage {
    const s = this.alloc(size, dtype);
    s.data.fill(value);
    return s;
  }

  readSync(s: Storage): TypedArray {
    const d = (s as CpuStorage).data;
    return d instanceof Float64Array ? Float32Array.from(d) : d.slice();
  }

  /** The raw buffer, in float64 mode a Float64Array (gradcheck reads these). */
  raw(s: Storage): CpuArray { return (s as CpuStorage).data; }

  async read(s: Storage): Promise<TypedArray> { return this.readSync(s); }

  dispose(s: Storage): void {
    const cs = s as CpuStorage;
    if (cs.freed) throw new Error('cpu backend: a buffer was disposed twice');
    cs.freed = true;
    this.live--;
    this.bytes -= cs.data.byteLength;
    if (cs.ptr >= 0) wasmKernels().heap.release(cs.ptr, cs.data.byteLength);
  }

  memory(): MemoryInfo { return { buffers: this.live, bytes: this.bytes }; }

  /** Start the kernels' second thread where the platform has one, without blocking; resolves to the thread count. */
  async startThreads(): Promise<number> { return this.precision === 'float32' ? wasmKernels().startThreads() : 1; }

  copy(dst: Storage, src: Storage): void {
    const d = dst as CpuStorage, s = src as CpuStorage;
    if (d.freed || s.freed) throw new Error('cpu backend: copy into or from a disposed buffer');
    if (d.size !== s.size || d.dtype !== s.dtype) throw new Error(`cpu backend: copy of ${s.size} ${s.dtype} elements into a buffer of ${d.size} ${d.dtype}`);
    // Both usually live in the wasm memory: set() is a memmove within it.
    d.data.set(s.data);
  }

  async sync(): Promise<void> {}

  // ---- elementwise --------------------------------------------------------------------------

  unary(op: UnaryOp, x: TensorInfo, a?: number, b?: number): Storage {
    const out = this.alloc(x.storage.size, x.dtype);
    const src = this.arr(x), dst = out.data;
    if (x.dtype === 'float32' && src instanceof Float32Array && mapSimd(op, src, dst as Float32Array, a ?? 1, b ?? 0)) return out;
    if ((op === 'gelu' || op === 'geluGrad') && src instanceof Float32Array && geluSimd(op, src, dst as Float32Array)) return out;
    if (op === 'clamp' && x.dtype === 'float32' && clampSimd(src as FloatArray, dst as FloatArray, a ?? -Infinity, b ?? Infinity)) return out;
    if (op === 'leakyRelu' && x.dtype === 'float32' && leakyReluSimd(src as FloatArray, dst as FloatArray, a ?? 0.01)) return out;
    // Float32 buffers need erf only to float32 accuracy; float64 (gradcheck) keeps the exact series.
    const f32 = dst instanceof Float32Array;
    const fn = !f32 ? unaryFn(op, a, b) : op === 'erf' ? erf32 : op === 'gelu' ? geluFn(erf32) : op === 'geluGrad' ? geluGradFn(erf32) : unaryFn(op, a, b);
    for (let i = 0; i < dst.length; i++) dst[i] = fn(src[i]);
    return out;
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): Storage {
    const out = this.alloc(sizeOf(outShape), outDtype);
    const x = this.arr(a), y = this.arr(b), sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
    if (outDtype === 'float32' && x instanceof Float32Array && y instanceof Float32Array && out.data instanceof Float32Array &&
      zipSimd(op, x, y, out.data, outShape, sa, sb)) return out;
    binaryInto(out.data, binaryFn(op), x, y, outShape, sa, sb);
    return out;
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): Storage {
    const out = this.alloc(sizeOf(outShape), a.dtype);
    const c = this.arr(cond), x = this.arr(a), y = this.arr(b), d = out.data;
    let o = 0;
    forEachBroadcast(outShape, [cond.shape, a.shape, b.shape].map((s) => broadcastStrides(s, outShape)), (off, n, st) => {
      let ic = off[0], ia = off[1], ib = off[2];
      for (let k = 0; k < n; k++, ic += st[0], ia += st[1], ib += st[2]) d[o++] = c[ic] !== 0 ? x[ia] : y[ib];
    });
    return out;
  }

  cast(x: TensorInfo, dtype: DType): Storage {
    const out = this.alloc(x.storage.size, dtype);
    const src = this.arr(x);
    // float -> int truncates toward zero, like PyTorch's .int()
    if (dtype === 'int32') for (let i = 0; i < src.length; i++) out.data[i] = Math.trunc(src[i]);
    else out.data.set(src);
    return out;
  }

  // ---- reductions ---------------------------------------------------------------------------

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage {
    const out = this.alloc(sizeOf(x.shape.filter((_, i) => !axes.includes(i))), x.dtype);
    if (!(op === 'sum' && x.dtype === 'float32' && this.sumSimd(this.arr(x), x.shape, axes, out.data))) {
      reduceInto(op, this.arr(x), x.shape, axes, out.data);
    }
    return out;
  }

  /**
   * A float32 sum whose kept axes form one contiguous block, x = [d0 (summed), d1 (kept), d2
   * (summed)] with long rows (bias gradients: [N,C,H,W] over [0,2,3]): the SIMD kernel sums each
   * row, then the d0 partial sums are added here in float64, as reduceInto accumulates.
   */
  private sumSimd(x: CpuArray, shape: readonly number[], axes: readonly number[], out: CpuArray): boolean {
    if (!(x instanceof Float32Array)) return false;
    const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
    // A full sum (nothing kept) stays in JS: one long float32 row would lose what float64 keeps.
    if (!kept.length) return false;
    const k0 = kept[0], k1 = kept[kept.length - 1];
    if (k1 - k0 + 1 !== kept.length) return false;
    const d0 = sizeOf(shape.slice(0, k0)), d1 = sizeOf(shape.slice(k0, k1 + 1)), d2 = sizeOf(shape.slice(k1 + 1));
    if (d2 < 16 || x.length < 4096) return false;
    const rows = this.alloc(d0 * d1, 'float32');
    try {
      if (!rowSumSimd(x, d2, rows.data as Float32Array)) return false;
      const r = rows.data;
      for (let j = 0; j < d1; j++) {
        let s = 0;
        for (let i = 0; i < d0; i++) s += r[i * d1 + j];
        out[j] = s;
      }
      return true;
    } finally {
      this.dispose(rows);
    }
  }

  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage {
    const out = this.alloc(x.storage.size / x.shape[axis], 'int32');
    argReduceInto(op, this.arr(x), x.shape, axis, out.data as Int32Array);
    return out;
  }

  /** Float32 rows along the last axis, in the wasm memory: the SIMD row kernels serve them. */
  private lastAxisRows(x: TensorInfo, axis: number, ...more: (TensorInfo | Storage)[]): boolean {
    return axis === x.shape.length - 1 && [x, ...more].every((t) => this.arr(t) instanceof Float32Array);
  }

  softmax(x: TensorInfo, axis: number, log: boolean): Storage {
    const out = this.alloc(x.storage.size, 'float32');
    if (!log && this.lastAxisRows(x, axis) && softmaxRowsSimd(this.f(x) as Float32Array, out.data as Float32Array, x.shape[axis], 1)) return out;
    softmaxInto(this.arr(x), x.shape, axis, log, out.data);
    return out;
  }

  softmaxBackward(y: TensorInfo, dy: TensorInfo, axis: number, scale: number): Storage {
    const out = this.alloc(y.storage.size, 'float32');
    if (this.lastAxisRows(y, axis, dy) &&
      softmaxBackwardRowsSimd(this.f(y) as Float32Array, this.f(dy) as Float32Array, out.data as Float32Array, y.shape[axis], scale)) return out;
    softmaxBackwardInto(this.f(y), this.f(dy), y.shape, axis, scale, out.data as FloatArray);
    return out;
  }

  maskedSoftmax(x: TensorInfo, mask: TensorInfo | null, axis: number, scale: number): Storage {
    const out = this.alloc(x.storage.size, 'float32');
    if (this.lastAxisRows(x, axis)) {
      const xs = this.f(x) as Float32Array, o = out.data as Float32Array, n = x.shape[axis];
      if (!mask && softmaxRowsSimd(xs, o, n, scale)) return out;
      // A mask that runs along the rows (attention's causal [T,T] and padding [B,1,1,T] masks): each row's offset into it.
      const ms = mask && broadcastStrides(mask.shape, x.shape), m = mask && this.arr(mask);
      if (ms && m && !(m instanceof Float64Array) && ms[axis] === 1 &&
        maskedSoftmaxRowsSimd(xs, o, n, scale, m, offsetsOf(x.shape.slice(0, axis), ms.slice(0, axis)))) return out;
    }
    maskedSoftmaxInto(this.arr(x), x.shape, mask && this.arr(mask), mask && broadcastStrides(mask.shape, x.shape), axis, scale, out.data);
    return out;
  }

  // ---- normalisation ------------------------------------------------------------------------

  layerNorm(x: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null, eps: number): Storage {
    const out = this.alloc(x.storage.size, 'float32');
    const n = x.shape[x.shape.length - 1], [xs, ws, bs] = [x, weight, bias].map((t) => t && this.arr(t));
    if (this.lastAxisRows(x, x.shape.length - 1, ...[weight, bias].filter((t): t is TensorInfo => !!t)) &&
      layerNormSimd(xs as Float32Array, ws as Float32Array | null, bs as Float32Array | null, out.data as Float32Array, n, eps)) return out;
    layerNormInto(this.arr(x), x.shape[x.shape.length - 1], weight && this.arr(weight), bias && this.arr(bias), eps, out.data);
    return out;
  }

  layerNormBackward(dy: TensorInfo, x: TensorInfo, weight: TensorInfo | null, eps: number): { dx: Storage; dweight: Storage; dbias: Storage } {
    const n = x.shape[x.shape.length - 1];
    const dx = this.alloc(x.storage.size, 'float32'), dweight = this.alloc(n, 'float32'), dbias = this.alloc(n, 'float32');
    layerNormBackwardInto(this.arr(dy), this.arr(x), n, weight && this.arr(weight), eps, dx.data, dweight.data as FloatArray, dbias.data as FloatArray);
    return { dx, dweight, dbias };
  }

  // ---- batch normalisation and clamp (batchnorm.ts) -------------------------------------------

  batchNormStats(x: TensorInfo): { mean: Storage; var: Storage } {
    const c = x.shape[1];
    const mean = this.alloc(c, 'float32'), v = this.alloc(c, 'float32');
    batchNormStatsInto(this.f(x), x.shape, mean.data as FloatArray, v.data as FloatArray);
    return { mean, var: v };
  }

  batchNormApply(x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null): Storage {
    const out = this.alloc(x.storage.size, 'float32');
    batchNormApplyInto(this.f(x), x.shape, this.f(mean), this.f(rstd), weight && this.f(weight), bias && this.f(bias), out.data as FloatArray);
    return out;
  }

  batchNormBackward(dy: TensorInfo, x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null):
    { dx: Storage; dweight: Storage; dbias: Storage } {
    const c = x.shape[1];
    const dx = this.alloc(x.storage.size, 'float32'), dweight = this.alloc(c, 'float32'), dbias = this.alloc(c, 'float32');
    batchNormBackwardInto(this.f(dy), this.f(x), x.shape, this.f(mean), this.f(rstd), weight && this.f(weight),
      dx.data as FloatArray, dweight.data as FloatArray, dbias.data as FloatArray);
    return { dx, dweight, dbias };
  }

  clampBackward(g: TensorInfo, x: TensorInfo, lo: number, hi: number): Storage {
    const out = this.alloc(x.storage.size, 'float32');
    clampBackwardInto(this.f(g), this.f(x), lo, hi, out.data as FloatArray);
    return out;
  }

  // ---- data movement ------------------------------------------------------------------------

  strided(x: TensorInfo, outShape: readonly number[], strides: readonly number[], offset: number): Storage {
    const out = this.alloc(sizeOf(outShape), x.dtype);
    const src = this.arr(x);
    if (!(src instanceof Float64Array) && !(out.data instanceof Float64Array) && out.data.length >= 1024 &&
      stridedSimd(src, outShape, strides, offset, out.data)) return out;
    stridedInto(this.arr(x), outShape, strides, offset, out.data);
    return out;
  }

  pad(x: TensorInfo, before: readonly number[], after: readonly number[], value: number): Storage {
    const outShape = x.shape.map((n, i) => n + before[i] + after[i]);
    const out = this.alloc(sizeOf(outShape), x.dtype);
    padInto(this.arr(x), x.shape, before, outShape, value, out.data);
    return out;
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage {
    const out = this.alloc((x.storage.size / x.shape[axis]) * indices.storage.size, x.dtype);
    gatherInto(this.arr(x), x.shape, this.arr(indices) as Int32Array, axis, out.data);
    return out;
  }

  scatterAdd(src: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): Storage {
    const out = this.alloc(sizeOf(outShape), src.dtype);
    const s = this.arr(src), idx = this.arr(indices) as Int32Array;
    // An embedding's gradient (axis 0, float32): the SIMD kernel, once the indices are checked.
    if (axis === 0 && s instanceof Float32Array && out.data instanceof Float32Array && checkIndices('scatterAdd', idx, outShape[0]) &&
      scatterAddRowsSimd(s, idx, sizeOf(outShape.slice(1)), out.data)) return out;
    scatterAddInto(this.arr(src), this.arr(indices) as Int32Array, axis, outShape, out.data);
    return out;
  }

  // ---- linear algebra -----------------------------------------------------------------------

  matmul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Storage {
    const [ba, ra, ca] = a.shape, [bb, rb, cb] = b.shape;
    const m = transA ? ca : ra, k = transA ? ra : ca, n = transB ? rb : cb;
    const batch = Math.max(ba, bb);
    const out = this.alloc(batch * m * n, 'float32');
    if (this.precision === 'float64') {
      matmulRef(this.f(a), this.f(b), out.data as FloatArray, batch, m, n, k, transA, transB, ba, bb);
    } else {
      sgemm({
        transA, transB, m, n, k, a: this.arr(a) as Float32Array, b: this.arr(b) as Float32Array, c: out.data as Float32Array,
        batch, strideA: ba === 1 ? 0 : m * k, strideB: bb === 1 ? 0 : k * n, strideC: m * n,
      });
    }
    return out;
  }

  conv2d(x: TensorInfo, w: TensorInfo, p: Conv2dParams): Storage {
    const shape = conv2dOutShape(x.shape, w.shape, p);
    if (isDepthwise(x.shape, w.shape, p)) {
      const out = this.alloc(sizeOf(shape), 'float32');
      if (this.precision === 'float32') depthwiseForwardSimd(this.arr(x) as Float32Array, x.shape, this.arr(w) as Float32Array, w.shape, p, out.data as Float32Array);
      else depthwiseForward(this.f(x), x.shape, this.f(w), w.shape, p, out.data as FloatArray);
      return out;
    }
    if (this.precision === 'float64') {
      const out = this.alloc(sizeOf(shape), 'float32');
      conv2dRef(this.f(x), x.shape, this.f(w), w.shape, p, out.data as FloatArray);
      return out;
    }
    const out = this.alloc(sizeOf(shape), 'float32');
    conv2dForward(this.arr(x) as Float32Array, [...x.shape], this.arr(w) as Float32Array, [...w.shape], p, out.data as Float32Array);
    return out;
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, xShape: readonly number[], p: Conv2dParams): Storage {
    if (isDepthwise(xShape, w.shape, p)) {
      const out = this.alloc(sizeOf(xShape), 'float32');
      if (this.precision === 'float32') depthwiseBackwardInputSimd(this.arr(dy) as Float32Array, this.arr(w) as Float32Array, w.shape, xShape, p, out.data as Float32Array);
      else depthwiseBackwardInput(this.f(dy), this.f(w), w.shape, xShape, p, out.data as FloatArray);
      return out;
    }
    if (this.precision === 'float64') {
      const out = this.alloc(sizeOf(xShape), 'float32');
      conv2dBackwardInputRef(this.f(dy), this.f(w), w.shape, xShape, p, out.data as FloatArray);
      return out;
    }
    const out = this.alloc(sizeOf(xShape), 'float32');
    conv2dBackwardInput(this.arr(dy) as Float32Array, [...dy.shape], this.arr(w) as Float32Array, [...w.shape], [...xShape], p, out.data as Float32Array);
    return out;
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, wShape: readonly number[], p: Conv2dParams): Storage {
    if (isDepthwise(x.shape, wShape, p)) {
      const out = this.alloc(sizeOf(wShape), 'float32');
      if (this.precision === 'float32') depthwiseBackwardFilterSimd(this.arr(x) as Float32Array, x.shape, this.arr(dy) as Float32Array, wShape, p, out.data as Float32Array);
      else depthwiseBackwardFilter(this.f(x), x.shape, this.f(dy), wShape, p, out.data as FloatArray);
      return out;
    }
    if (this.precision === 'float64') {
      const out = this.alloc(sizeOf(wShape), 'float32');
      conv2dBackwardFilterRef(this.f(x), x.shape, this.f(dy), wShape, p, out.data as FloatArray);
      return out;
    }
    const out = this.alloc(sizeOf(wShape), 'float32');
    conv2dBackwardFilter(this.arr(x) as Float32Array, [...x.shape], this.arr(dy) as Float32Array, [...dy.shape], [...wShape], p, out.data as Float32Array);
    return out;
  }

  // ---- pooling ------------------------------------------------------------------------------

  maxPool2d(x: TensorInfo, p: Pool2dParams): { out: Storage; argmax: Storage } {
    const size = sizeOf(pool2dOutShape(x.shape, p));
    const out = this.alloc(size, 'float32'), argmax = this.alloc(size, 'int32');
    const src = this.arr(x), [n, c, h, w] = x.shape, [, , oh, ow] = pool2dOutShape(x.shape, p);
    const plain = p.padH === 0 && p.padW === 0 && p.dilationH === 1 && p.dilationW === 1;
    if (!(plain && src instanceof Float32Array && maxPoolSimd(src, { planes: n * c, h, w, kh: p.kernelH, kw: p.kernelW,
      sh: p.strideH, sw: p.strideW, oh, ow }, out.data as Float32Array, argmax.data as Int32Array))) {
      maxPoolInto(src, x.shape, p, out.data, argmax.data as Int32Array);
    }
    return { out, argmax };
  }

  maxPool2dBackward(dy: TensorInfo, argmax: TensorInfo, xShape: readonly number[]): Storage {
    const out = this.alloc(sizeOf(xShape), 'float32');
    const g = this.arr(dy), idx = this.arr(argmax) as Int32Array;
    if (!(g instanceof Float32Array && out.data instanceof Float32Array &&
      maxPoolBackwardSimd(g, idx, xShape[0] * xShape[1], xShape[2] * xShape[3], out.data))) {
      maxPoolBackwardInto(g, idx, xShape, out.data);
    }
    return out;
  }

  avgPool2d(x: TensorInfo, p: Pool2dParams): Storage {
    const out = this.alloc(sizeOf(pool2dOutShape(x.shape, p)), 'float32');
    avgPoolInto(this.arr(x), x.shape, p, out.data);
    return out;
  }

  avgPool2dBackward(dy: TensorInfo, xShape: readonly number[], p: Pool2dParams): Storage {
    const out = this.alloc(sizeOf(xShape), 'float32');
    avgPoolBackwardInto(this.arr(dy), xShape, p, out.data);
    return out;
  }

  // ---- optimisers ---------------------------------------------------------------------------

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamHyper): void {
    const [p, g, mm, vv] = [this.f(param), this.f(grad), this.f(m), this.f(v)];
    if (p instanceof Float32Array && g instanceof Float32Array && mm instanceof Float32Array && vv instanceof Float32Array &&
      adamSimd(p, g, mm, vv, h)) return;
    adamStepInPlace(p, g, mm, vv, h);
  }

  sgdStep(param: Storage, grad: Storage, momentumBuf: Storage | null, h: SgdHyper): void {
    sgdStepInPlace(this.f(param), this.f(grad), momentumBuf && this.f(momentumBuf), h);
  }
}
