// The WebGPU backend: every Backend kernel as one or two WGSL dispatches. Tensors live in GPU
// buffers from the pool (buffers.ts) and stay there between kernels; only read() copies back.
// This file decides shapes, parameters and launch geometry; runtime.ts does the GPU plumbing.

import type {
  AdamHyper, ArgReduceOp, Backend, BinaryOp, DType, KernelTiming, MemoryInfo, ReduceOp, SgdHyper, Storage, TensorInfo, TypedArray, UnaryOp,
} from '../backend.js';
import type { Conv2dParams, Pool2dParams } from '../../conv-geometry.js';
import { conv2dOutShape, isDepthwise, pool2dOutShape } from '../../conv-geometry.js';
import { broadcastStrides, sizeOf } from '../../shape.js';
import { BufferPool, GpuStorage } from './buffers.js';
import { argReduceCode, binaryCode, CONV_MODES, reduceCode, reduceIdentityBits, scalarBits, unaryCode, wgslType, type ConvMode } from './codes.js';
import { acquireDevice } from './device.js';
import { chooseSplits, runGemm } from './gemm.js';
import { aroundAxis, checkRank, collapse, contiguousStrides } from './layout.js';
import { grid, Runtime, Uniforms, type Launch } from './runtime.js';

const WG = 256;
/** softmax.wgsl's workgroup size. */
const SOFTMAX_WG = 128;
/** layer-norm.wgsl's workgroup size (one thread per row, or per column). */
const LN_WG = 64;
const fmtShapes = (named: Record<string, readonly number[]>) =>
  Object.entries(named).map(([k, s]) => `${k} [${s.join(',')}]`).join(', ');
const st = (t: TensorInfo | Storage) => ('storage' in t ? t.storage : t) as GpuStorage;

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  private pool: BufferPool;
  private rt: Runtime;
  private dummy: GpuStorage;

  constructor(readonly device: GPUDevice, readonly description: string) {
    this.pool = new BufferPool(device);
    this.rt = new Runtime(device);
    // Fills a binding an entry declares but will not touch; outside the pool, so memory() ignores it.
    this.dummy = new GpuStorage(device.createBuffer({ size: 256, usage: 0x80 /* STORAGE */ }), 1, 'float32');
  }

  // ---- memory -------------------------------------------------------------------------------

  upload(values: TypedArray): Storage {
    const s = this.pool.alloc(values.length, values instanceof Int32Array ? 'int32' : 'float32');
    // A recycled buffer may still be used by a recorded, unsubmitted dispatch; writeBuffer would
    // land before it, so submit that batch first.
    if (values.length > 0 && this.rt.pendingUse(s.buffer)) this.rt.flush();
    if (values.length > 0) this.device.queue.writeBuffer(s.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    return s;
  }

  fill(size: number, value: number, dtype: DType): Storage {
    return this.upload(dtype === 'int32' ? new Int32Array(size).fill(value) : new Float32Array(size).fill(value));
  }

  async read(s: Storage): Promise<TypedArray> {
    const bytes = await this.rt.read(st(s));
    return s.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  dispose(s: Storage): void { this.pool.release(st(s)); }

  copy(dst: Storage, src: Storage): void {
    const d = st(dst), s = st(src);
    if (d.size !== s.size || d.dtype !== s.dtype) throw new Error(`webgpu: copy of ${s.size} ${s.dtype} elements into a buffer of ${d.size} ${d.dtype}`);
    if (d === s || d.size === 0) return;
    this.rt.copy(s, d, `copy (${d.size} ${d.dtype} elements)`);
  }
  memory(): MemoryInfo { return this.pool.memory(); }
  sync(): Promise<void> { return this.rt.sync(); }

  kernelTiming(): KernelTiming {
    const stamps = this.device.features.has('timestamp-query');
    return {
      method: stamps ? 'timestamp-query' : 'per-submit',
      note: stamps
        ? 'GPU timestamps at the start and end of each dispatch (each in a compute pass of its own); uploads and copies count 0'
        : 'the adapter has no timestamp queries, so each dispatch is submitted on its own and the host clock times each kernel call up to and including its submit: '
          + 'the kernel\'s whole time where the driver runs it at submit (llvmpipe does), only its launch cost on a GPU that runs it later',
      start: () => this.rt.startTiming(stamps),
      tag: (id) => this.rt.timingTag(id),
      stop: () => this.rt.stopTiming(),
    };
  }

  // Outputs made for the kernel being launched: if the launch throws (a disposed operand, a
  // bad shape), they are returned to the pool instead of leaking.
  private fresh: GpuStorage[] = [];
  private alloc(size: number, dtype: DType): GpuStorage {
    const s = this.pool.alloc(size, dtype);
    this.fresh.push(s);
    return s;
  }

  private launch = (l: Launch): void => {
    try {
      this.rt.run(l);
    } catch (e) {
      for (const s of this.fresh) if (!s.disposed) this.pool.release(s);
      throw e;
    } finally {
      this.fresh = [];
    }
  };

  /** A 1-D elementwise launch over n outputs. */
  private run1d(l: Omit<Launch, 'groups'>, n: number): void {
    this.launch({ ...l, groups: grid(Math.ceil(n / WG)) });
  }

  // ---- elementwise --------------------------------------------------------------------------

  private map(kernel: string, op: UnaryOp | 'identity', x: TensorInfo, outDtype: DType, a: number, b: number): Storage {
    const OP = unaryCode(op);   // before alloc: an unknown op must not leak the output
    const out = this.alloc(x.storage.size, outDtype);
    this.run1d({
      kernel, shapes: fmtShapes({ x: x.shape }), shader: 'elementwise', entry: 'unary_main',
      types: { TIn: wgslType(x.dtype), TOut: wgslType(outDtype) }, constants: { OP },
      bindings: [st(x), out], params: new Uniforms().u(x.storage.size).f(a, b),
    }, x.storage.size);
    return out;
  }

  unary(op: UnaryOp, x: TensorInfo, a?: number, b?: number): Storage {
    return this.map(`unary ${op}`, op, x, x.dtype, a ?? (op === 'affine' ? 1 : 0), b ?? 0);
  }

  cast(x: TensorInfo, dtype: DType): Storage { return this.map(`cast to ${dtype}`, 'identity', x, dtype, 0, 0); }

  /** Shared by binary and where: the broadcast-strided launch over outShape. */
  private broadcast(kernel: string, entry: string, operands: TensorInfo[], outShape: readonly number[], outDtype: DType,
    types: Record<string, string>, constants: Record<string, number>): Storage {
    const n = sizeOf(outShape);
    const shapes = fmtShapes(Object.fromEntries(operands.map((t, i) => [['a', 'b', 'cond'][i], t.shape])));
    const c = collapse(outShape, operands.map((t) => broadcastStrides(t.shape, outShape)));
    checkRank(kernel, c.shape, 'the broadcast output');
    const out = this.alloc(n, outDtype);
    const params = new Uniforms().u(n, c.shape.length).list(c.shape);
    for (let k = 0; k < 3; k++) params.list(c.strides[k] ?? []);
    const [a, b, cond] = operands.map(st);
    this.run1d({ kernel, shapes, shader: 'binary', entry, types, constants, bindings: [a, b, out, cond], params }, n);
    return out;
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): Storage {
    if (a.dtype !== b.dtype) {   // mixed int/float: compute in float
      const fa = a.dtype === 'float32' ? a : { ...a, dtype: 'float32' as const, storage: this.cast(a, 'float32') };
      const fb = b.dtype === 'float32' ? b : { ...b, dtype: 'float32' as const, storage: this.cast(b, 'float32') };
      const out = this.binary(op, fa, fb, outShape, outDtype);
      for (const [t, orig] of [[fa, a], [fb, b]]) if (t !== orig) this.dispose(t.storage);
      return out;
    }
    return this.broadcast(`binary ${op}`, 'binary_main', [a, b], outShape, outDtype,
      { TIn: wgslType(a.dtype), TOut: wgslType(outDtype) }, { OP: binaryCode(op) });
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): Storage {
    if (a.dtype !== b.dtype) throw new Error(`webgpu: where: a is ${a.dtype} but b is ${b.dtype} (${fmtShapes({ a: a.shape, b: b.shape })})`);
    return this.broadcast('where', 'where_main', [a, b, cond], outShape, a.dtype,
      { TIn: wgslType(a.dtype), TOut: wgslType(a.dtype), TC: wgslType(cond.dtype) }, {});
  }

  // ---- reductions ---------------------------------------------------------------------------

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage {
    const strides = contiguousStrides(x.shape);
    const pick = (keep: boolean) => {
      const idx = x.shape.map((_, d) => d).filter((d) => axes.includes(d) !== keep);
      return collapse(idx.map((d) => x.shape[d]), [idx.map((d) => strides[d])]);
    };
    const kept = pick(true), red = pick(false);
    const kernel = `reduce ${op} over axes [${axes.join(',')}]`;
    checkRank(kernel, kept.shape, 'the kept axes');
    checkRank(kernel, red.shape, 'the reduced axes');
    const nOut = sizeOf(kept.shape), R = sizeOf(red.shape);
    const OP = reduceCode(op);
    const out = this.alloc(nOut, x.dtype);
    const params = new Uniforms().u(nOut, R, kept.shape.length, red.shape.length, reduceIdentityBits(op, x.dtype))
      .list(kept.shape).list(kept.strides[0]).list(red.shape).list(red.strides[0]);
    const perGroup = R >= 256 || (nOut < 1024 && R >= 16);
    this.launch({
      kernel, shapes: fmtShapes({ x: x.shape }), shader: 'reduce', entry: perGroup ? 'reduce_groups' : 'reduce_threads',
      types: { T: wgslType(x.dtype) }, constants: { OP },
      bindings: [st(x), out], params, groups: grid(perGroup ? nOut : Math.ceil(nOut / WG)),
    });
    return out;
  }

  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage {
    const [outer, n, inner] = aroundAxis(x.shape, axis);
    const OP = argReduceCode(op);
    const out = this.alloc(outer * inner, 'int32');
    this.run1d({
      kernel: `${op} along axis ${axis}`, shapes: fmtShapes({ x: x.shape }), shader: 'reduce', entry: 'arg_main',
      types: { T: wgslType(x.dtype) }, constants: { OP },
      bindings: [st(x), undefined, out], params: new Uniforms().u(outer * inner, n, inner),
    }, outer * inner);
    return out;
  }

  softmax(x: TensorInfo, axis: number, log: boolean): Storage {
    const [outer, n, inner] = aroundAxis(x.shape, axis);
    const out = this.alloc(x.storage.size, 'float32');
    const rows = outer * inner, perGroup = n >= 256 || (rows < 1024 && n >= 16);   // reduce()'s rule
    this.launch({
      kernel: `${log ? 'logSoftmax' : 'softmax'} along axis ${axis}`, shapes: fmtShapes({ x: x.shape }),
      shader: 'softmax', entry: perGroup ? 'softmax_main' : 'softmax_rows', constants: { LOG: log, WG: SOFTMAX_WG },
      bindings: [st(x), out], params: new Uniforms().u(rows, n, inner), groups: grid(perGroup ? rows : Math.ceil(rows / SOFTMAX_WG)),
    });
    return out;
  }

  softmaxBackward(y: TensorInfo, dy: TensorInfo, axis: number, scale: number): Storage {
    const [outer, n, inner] = aroundAxis(y.shape, axis);
    const out = this.alloc(y.storage.size, 'float32');
    this.launch({
      kernel: `softmaxBackward along axis ${axis}`, shapes: fmtShapes({ y: y.shape, dy: dy.shape }),
      shader: 'softmax-backward', entry: 'softmax_backward_main', constants: { WG: SOFTMAX_WG },
      bindings: [st(y), st(dy), out], params: new Uniforms().u(outer * inner, n, inner).f(scale), groups: grid(Math.ceil((outer * inner) / SOFTMAX_WG)),
    });
    return out;
  }

  maskedSoftmax(x: TensorInfo, mask: TensorInfo | null, axis: number, scale: number): Storage {
    const [outer, n, inner] = aroundAxis(x.shape, axis);
    const kernel = `maskedSoftmax along axis ${axis}`;
    const shapes = fmtShapes(mask ? { x: x.shape, mask: mask.shape } : { x: x.shape });
    const ms = mask ? broadcastStrides(mask.shape, x.shape) : x.shape.map(() => 0);
    // The mask is unravelled over the axes before and after the softmax axis, each merged where it can be.
    const before = collapse(x.shape.slice(0, axis), [ms.slice(0, axis)]), after = collapse(x.shape.slice(axis + 1), [ms.slice(axis + 1)]);
    checkRank(kernel, before.shape, 'the axes before the softmax axis');
    checkRank(kernel, after.shape, 'the axes after the softmax axis');
    const out = this.alloc(x.storage.size, 'float32');
    const params = new Uniforms().u(outer * inner, n, inner).f(scale).u(ms[axis], before.shape.length, after.shape.length, 0)
      .list(before.shape).list(before.strides[0] ?? []).list(after.shape).list(after.strides[0] ?? []);
    this.launch({
      kernel, shapes, shader: 'masked-softmax', entry: 'masked_softmax_main',
      types: { TM: wgslType(mask?.dtype ?? 'float32') }, constants: { HAS_MASK: !!mask },
      bindings: [st(x), out, mask ? st(mask) : this.dummy], params, groups: grid(outer * inner),
    });
    return out;
  }

  // ---- normalisation ------------------------------------------------------------------------

  layerNorm(x: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null, eps: number): Storage {
    const n = x.shape[x.shape.length - 1] ?? 1, rows = n ? x.storage.size / n : 0;
    const out = this.alloc(x.storage.size, 'float32');
    if (rows === 0) return out;
    this.launch({
      kernel: 'layerNorm', shapes: fmtShapes({ x: x.shape }), shader: 'layer-norm', entry: 'layer_norm_main',
      constants: { HAS_WEIGHT: !!weight, HAS_BIAS: !!bias, WG: LN_WG },
      bindings: [st(x), weight ? st(weight) : this.dummy, bias ? st(bias) : this.dummy, undefined, out],
      params: new Uniforms().u(rows, n).f(eps), groups: grid(Math.ceil(rows / LN_WG)),
    });
    return out;
  }

  layerNormBackward(dy: TensorInfo, x: TensorInfo, weight: TensorInfo | null, eps: number): { dx: Storage; dweight: Storage; dbias: Storage } {
    const n = x.shape[x.shape.length - 1] ?? 1, rows = n ? x.storage.size / n : 0;
    const kernel = 'layerNormBackward', shapes = fmtShapes({ dy: dy.shape, x: x.shape });
    const dx = this.alloc(x.storage.size, 'float32'), dweight = this.alloc(n, 'float32'), dbias = this.alloc(n, 'float32');
    const stats = this.alloc(Math.max(2 * rows, 1), 'float32');
    const params = new Uniforms().u(rows, n).f(eps);
    const groups = (count: number) => grid(Math.ceil(count / LN_WG));
    this.launch({
      kernel, shapes, shader: 'layer-norm', entry: 'layer_norm_back_rows', constants: { HAS_WEIGHT: !!weight, WG: LN_WG },
      bindings: [st(x), weight ? st(weight) : this.dummy, undefined, st(dy), dx, stats], params, groups: groups(rows),
    });
    this.launch({
      kernel, shapes, shader: 'layer-norm', entry: 'layer_norm_back_cols', constants: { WG: LN_WG },
      bindings: [st(x), undefined, undefined, st(dy), undefined, stats, dweight, dbias], params, groups: groups(n),
    });
    // Later dispatches run after these two, so the temporary can go back to the pool now.
    this.pool.release(stats);
    return { dx, dweight, dbias };
  }

  // ---- batch normalisation and clamp (shaders/batch-norm.wgsl) -------------------------------

  /** [N, C, S] of x, the params every batch-norm entry reads first. */
  private ncs(x: TensorInfo): [number, number, number] {
    return [x.shape[0], x.shape[1], x.shape.slice(2).reduce((a, b) => a * b, 1)];
  }

  batchNormStats(x: TensorInfo): { mean: Storage; var: Storage } {
    const [n, c, s] = this.ncs(x);
    const mean = this.alloc(c, 'float32'), v = this.alloc(c, 'float32');
    const params = new Uniforms().u(n, c, s), shapes = fmtShapes({ x: x.shape });
    this.launch({
      kernel: 'batchNormStats (mean)', shapes, shader: 'batch-norm', entry: 'mean_main',
      bindings: [st(x), undefined, undefined, undefined, undefined, undefined, mean], params, groups: grid(c),
    });
    this.launch({
      kernel: 'batchNormStats (variance)', shapes, shader: 'batch-norm', entry: 'var_main',
      bindings: [st(x), undefined, mean, undefined, undefined, undefined, undefined, v], params, groups: grid(c),
    });
    return { mean, var: v };
  }

  batchNormApply(x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null): Storage {
    const [n, c, s] = this.ncs(x);
    const out = this.alloc(x.storage.size, 'float32');
    this.run1d({
      kernel: 'batchNormApply', shapes: fmtShapes({ x: x.shape }), shader: 'batch-norm', entry: 'apply_main',
      constants: { HAS_W: !!weight, HAS_B: !!bias },
      bindings: [st(x), undefined, st(mean), st(rstd), weight ? st(weight) : this.dummy, bias ? st(bias) : this.dummy, out],
      params: new Uniforms().u(n, c, s, x.storage.size),
    }, x.storage.size);
    return out;
  }

  batchNormBackward(dy: TensorInfo, x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null):
    { dx: Storage; dweight: Storage; dbias: Storage } {
    const [n, c, s] = this.ncs(x);
    const dx = this.alloc(x.storage.size, 'float32'), dweight = this.alloc(c, 'float32'), dbias = this.alloc(c, 'float32');
    const shapes = fmtShapes({ dy: dy.shape, x: x.shape });
    this.launch({
      kernel: 'batchNormBackward (sums)', shapes, shader: 'batch-norm', entry: 'backward_sums_main',
      bindings: [st(x), st(dy), st(mean), st(rstd), undefined, undefined, undefined, dweight, dbias], params: new Uniforms().u(n, c, s), groups: grid(c),
    });
    this.run1d({
      kernel: 'batchNormBackward (dx)', shapes, shader: 'batch-norm', entry: 'backward_dx_main', constants: { HAS_W: !!weight },
      bindings: [st(x), st(dy), st(mean), st(rstd), weight ? st(weight) : this.dummy, undefined, dx, undefined, undefined, dweight, dbias],
      params: new Uniforms().u(n, c, s, x.storage.size),
    }, x.storage.size);
    return { dx, dweight, dbias };
  }

  clampBackward(g: TensorInfo, x: TensorInfo, lo: number, hi: number): Storage {
    const size = x.storage.size;
    const out = this.alloc(size, 'float32');
    this.run1d({
      kernel: `clampBackward [${lo}, ${hi}]`, shapes: fmtShapes({ g: g.shape, x: x.shape }), shader: 'batch-norm', entry: 'clamp_backward_main',
      bindings: [st(x), st(g), undefined, undefined, undefined, undefined, out], params: new Uniforms().u(size).f(lo, hi),
    }, size);
    return out;
  }

  // ---- data movement ------------------------------------------------------------------------

  strided(x: TensorInfo, outShape: readonly number[], strides: readonly number[], offset: number): Storage {
    const n = sizeOf(outShape);
    const c = collapse(outShape, [strides]);
    const kernel = 'strided';
    checkRank(kernel, c.shape, 'the output');
    const out = this.alloc(n, x.dtype);
    this.run1d({
      kernel, shapes: `${fmtShapes({ x: x.shape, out: outShape })}, strides [${strides.join(',')}], offset ${offset}`,
      shader: 'strided', entry: 'strided_main', bindings: [st(x), out],
      params: new Uniforms().u(n, c.shape.length).i(offset).list(c.shape).list(c.strides[0], 8, true),
    }, n);
    return out;
  }

  pad(x: TensorInfo, before: readonly number[], after: readonly number[], value: number): Storage {
    const outShape = x.shape.map((s, d) => s + before[d] + after[d]);
    checkRank('pad', outShape, 'the input');
    const n = sizeOf(outShape);
    const out = this.alloc(n, x.dtype);
    this.run1d({
      kernel: 'pad', shapes: `${fmtShapes({ x: x.shape })}, before [${before.join(',')}], after [${after.join(',')}]`,
      shader: 'strided', entry: 'pad_main', bindings: [st(x), out],
      params: new Uniforms().u(n, outShape.length, scalarBits(value, x.dtype)).list(outShape).list(before, 8, true).list(x.shape),
    }, n);
    return out;
  }

  /** gather and scatterAdd: the same [outer, len, inner] x m index space, opposite directions. */
  private indexed(entry: 'gather_main' | 'scatter_main', src: TensorInfo, indices: TensorInfo, axis: number, lenShape: readonly number[]): Storage {
    const [outer, len, inner] = aroundAxis(lenShape, axis);
    const m = indices.storage.size;
    const n = entry === 'gather_main' ? outer * m * inner : outer * len * inner;
    const out = this.alloc(n, src.dtype);
    this.run1d({
      kernel: entry === 'gather_main' ? 'gather' : 'scatterAdd', shapes: `${fmtShapes({ src: src.shape, indices: indices.shape })}, axis ${axis}`,
      shader: 'gather', entry, types: { T: wgslType(src.dtype) },
      bindings: [st(src), st(indices), out], params: new Uniforms().u(n, len, m, inner),
    }, n);
    return out;
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage { return this.indexed('gather_main', x, indices, axis, x.shape); }

  scatterAdd(src: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): Storage {
    return this.indexed('scatter_main', src, indices, axis, outShape);
  }

  // ---- linear algebra -----------------------------------------------------------------------

  matmul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Storage {
    const shapes = `${fmtShapes({ a: a.shape, b: b.shape })}, transA ${transA}, transB ${transB}`;
    const [ba, ra, ca] = a.shape, [bb, rb, cb] = b.shape;
    const M = transA ? ca : ra, K = transA ? ra : ca, Kb = transB ? cb : rb, N = transB ? rb : cb;
    if (K !== Kb) throw new Error(`webgpu: matmul: inner sizes differ, ${K} vs ${Kb} (${shapes})`);
    if (ba !== bb && ba !== 1 && bb !== 1) throw new Error(`webgpu: matmul: batch sizes ${ba} and ${bb} do not broadcast (${shapes})`);
    const batch = Math.max(ba, bb);
    const splits = chooseSplits(M, N, K, batch);
    const out = this.alloc(splits * batch * M * N, 'float32');
    runGemm(this.launch, {
      kernel: 'matmul', shapes, shader: 'matmul', constants: { TRANS_A: transA, TRANS_B: transB },
      a: st(a), b: st(b), out, M, N, K, nBatch: batch, splits,
      extra: (u) => u.u(ba === 1 ? 0 : M * K, bb === 1 ? 0 : K * N),
    });
    return this.sumSplits(out, splits, batch * M * N);
  }

  /** Add up split-K partial products [splits, rest] into [rest] (a no-op for one split). */
  private sumSplits(partial: GpuStorage, splits: number, rest: number): GpuStorage {
    if (splits === 1) return partial;
    const out = this.reduce('sum', { storage: partial, shape: [splits, rest], dtype: 'float32' }, [0]) as GpuStorage;
    this.dispose(partial);
    return out;
  }

  private conv(kernel: ConvMode, xShape: readonly number[], wShape: readonly number[], p: Conv2dParams,
    operands: [TensorInfo, TensorInfo], shapes: string): GpuStorage {
    if (isDepthwise(xShape, wShape, p)) return this.depthwise(kernel, xShape, wShape, p, operands, shapes);
    const [n, c, h, w] = xShape, [o, cg, kh, kw] = wShape;
    const og = o / p.groups;
    if (c !== cg * p.groups || !Number.isInteger(og)) {
      throw new Error(`webgpu: ${kernel}: input has ${c} channels but weight expects ${cg} x ${p.groups} groups, and ${o} outputs must divide into the groups (${shapes})`);
    }
    const [, , oh, ow] = conv2dOutShape(xShape, wShape, p);
    const dims = { conv2d: [og, n * oh * ow, cg * kh * kw], conv2dBackwardInput: [cg, n * h * w, og * kh * kw], conv2dBackwardFilter: [og, cg * kh * kw, n * oh * ow] }[kernel];
    const [M, N, K] = dims;
    const splits = kernel === 'conv2dBackwardFilter' ? chooseSplits(M, N, K, p.groups) : 1;
    const outSize = kernel === 'conv2d' ? n * o * oh * ow : kernel === 'conv2dBackwardInput' ? n * c * h * w : splits * o * cg * kh * kw;
    const out = this.alloc(outSize, 'float32');
    runGemm(this.launch, {
      kernel, shapes, shader: 'conv', constants: { MODE: CONV_MODES[kernel] },
      a: st(operands[0]), b: st(operands[1]), out, M, N, K, nBatch: p.groups, splits,
      extra: (u) => u.at(8).u(n, c, h, w, o, oh, ow, kh, kw, p.strideH, p.strideW, p.padH, p.padW, p.dilationH, p.dilationW, cg, og),
    });
    return this.sumSplits(out, splits, o * cg * kh * kw);
  }

  /** Depthwise convolutions (shaders/depthwise-conv.wgsl): operands as for conv(). */
  private depthwise(kernel: ConvMode, xShape: readonly number[], wShape: readonly number[], p: Conv2dParams,
    operands: [TensorInfo, TensorInfo], shapes: string): GpuStorage {
    const [n, c, h, w] = xShape, [o, , kh, kw] = wShape;
    const [, , oh, ow] = conv2dOutShape(xShape, wShape, p);
    const count = kernel === 'conv2d' ? n * o * oh * ow : kernel === 'conv2dBackwardInput' ? n * c * h * w : o * kh * kw;
    const out = this.alloc(count, 'float32');
    // conv() passes [w, x], [w, dy] and [dy, x]: the shader reads them the other way round.
    const entry = { conv2d: 'dw_forward', conv2dBackwardInput: 'dw_backward_input', conv2dBackwardFilter: 'dw_backward_filter' }[kernel];
    this.launch({
      kernel, shapes, shader: 'depthwise-conv', entry, bindings: [st(operands[1]), st(operands[0]), out],
      params: new Uniforms().u(count, n, c, h, w, o, oh, ow, kh, kw, p.strideH, p.strideW, p.padH, p.padW, p.dilationH, p.dilationW, o / c),
      groups: grid(kernel === 'conv2dBackwardFilter' ? count : Math.ceil(count / 64)),
    });
    return out;
  }

  private static convShapes(x: readonly number[], w: readonly number[], p: Conv2dParams): string {
    return `${fmtShapes({ x, w })}, stride ${p.strideH}x${p.strideW}, pad ${p.padH}x${p.padW}, dilation ${p.dilationH}x${p.dilationW}, groups ${p.groups}`;
  }

  conv2d(x: TensorInfo, w: TensorInfo, p: Conv2dParams): Storage {
    return this.conv('conv2d', x.shape, w.shape, p, [w, x], WebGpuBackend.convShapes(x.shape, w.shape, p));
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, xShape: readonly number[], p: Conv2dParams): Storage {
    return this.conv('conv2dBackwardInput', xShape, w.shape, p, [w, dy], `dy [${dy.shape.join(',')}], ${WebGpuBackend.convShapes(xShape, w.shape, p)}`);
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, wShape: readonly number[], p: Conv2dParams): Storage {
    return this.conv('conv2dBackwardFilter', x.shape, wShape, p, [dy, x], `dy [${dy.shape.join(',')}], ${WebGpuBackend.convShapes(x.shape, wShape, p)}`);
  }

  // ---- pooling ------------------------------------------------------------------------------

  private poolParams(n: number, xShape: readonly number[], outHW: readonly number[], p: Pool2dParams | null): Uniforms {
    const u = new Uniforms().u(n, xShape[2], xShape[3], outHW[0], outHW[1]);
    return p ? u.u(p.kernelH, p.kernelW, p.strideH, p.strideW, p.padH, p.padW, p.dilationH, p.dilationW, p.countIncludePad ? 1 : 0) : u;
  }

  maxPool2d(x: TensorInfo, p: Pool2dParams): { out: Storage; argmax: Storage } {
    const yShape = pool2dOutShape(x.shape, p);
    const n = sizeOf(yShape);
    const out = this.alloc(n, 'float32'), argmax = this.alloc(n, 'int32');
    argmax.pool = { params: p, xShape: [...x.shape] };
    this.run1d({
      kernel: 'maxPool2d', shapes: fmtShapes({ x: x.shape }), shader: 'pool', entry: 'maxpool_main',
      bindings: [st(x), out, argmax], params: this.poolParams(n, x.shape, yShape.slice(2), p),
    }, n);
    return { out, argmax };
  }

  maxPool2dBackward(dy: TensorInfo, argmax: TensorInfo, xShape: readonly number[]): Storage {
    const n = sizeOf(xShape);
    const out = this.alloc(n, 'float32');
    const meta = st(argmax).pool;
    const known = !!meta && meta.xShape.every((s, i) => s === xShape[i]);
    this.run1d({
      kernel: 'maxPool2dBackward', shapes: fmtShapes({ dy: dy.shape, x: xShape }), shader: 'pool', entry: 'maxpool_back',
      constants: { PLAIN_SCAN: !known }, bindings: [st(dy), out, undefined, st(argmax)],
      params: this.poolParams(n, xShape, dy.shape.slice(2), known ? meta!.params : null),
    }, n);
    return out;
  }

  avgPool2d(x: TensorInfo, p: Pool2dParams): Storage {
    const yShape = pool2dOutShape(x.shape, p);
    const n = sizeOf(yShape);
    const out = this.alloc(n, 'float32');
    this.run1d({
      kernel: 'avgPool2d', shapes: fmtShapes({ x: x.shape }), shader: 'pool', entry: 'avgpool_main',
      bindings: [st(x), out], params: this.poolParams(n, x.shape, yShape.slice(2), p),
    }, n);
    return out;
  }

  avgPool2dBackward(dy: TensorInfo, xShape: readonly number[], p: Pool2dParams): Storage {
    const n = sizeOf(xShape);
    const out = this.alloc(n, 'float32');
    this.run1d({
      kernel: 'avgPool2dBackward', shapes: fmtShapes({ dy: dy.shape, x: xShape }), shader: 'pool', entry: 'avgpool_back',
      bindings: [st(dy), out], params: this.poolParams(n, xShape, dy.shape.slice(2), p),
    }, n);
    return out;
  }

  // ---- optimisers ---------------------------------------------------------------------------

  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamHyper): void {
    const n = param.size;
    this.run1d({
      kernel: 'adamStep', shapes: `${n} parameters`, shader: 'optimizer', entry: 'adam_main',
      bindings: [st(param), st(grad), st(m), st(v)],
      params: new Uniforms().u(n).f(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay).u(h.decoupled ? 1 : 0)
        .f(1 - Math.pow(h.beta1, h.step), 1 - Math.pow(h.beta2, h.step)),
    }, n);
  }

  sgdStep(param: Storage, grad: Storage, momentumBuf: Storage | null, h: SgdHyper): void {
    const n = param.size;
    this.run1d({
      kernel: 'sgdStep', shapes: `${n} parameters`, shader: 'optimizer', entry: 'sgd_main', constants: { HAS_BUF: !!momentumBuf },
      bindings: [st(param), st(grad), momentumBuf ? st(momentumBuf) : this.dummy],
      params: new Uniforms().u(n).f(h.lr, h.momentum, h.dampening, h.weightDecay).u(h.nesterov ? 1 : 0, h.first ? 1 : 0),
    }, n);
  }
}

export async function createWebGpuBackend(): Promise<Backend & { description: string }> {
  const { device, description } = await acquireDevice();
  return new WebGpuBackend(device, description);
}
