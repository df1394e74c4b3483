// The contract between ops and backends. Ops (engine/ops) are written once against this small
// set of primitive kernels; a backend (CPU typed arrays, WebGPU shaders) implements the kernels
// and never an op. Everything here is about contiguous row-major buffers: shapes travel with
// the call, the backend only owns the bytes.

import type { Conv2dParams, Pool2dParams } from '../conv-geometry.js';

export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** A backend's buffer. Opaque to ops; `size` is the element count. */
export interface Storage {
  readonly size: number;
  readonly dtype: DType;
}

/** What a kernel needs to know about an operand. */
export interface TensorInfo {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'square' | 'reciprocal'
  | 'relu' | 'step'          // step: 1 where x > 0 else 0 (ReLU's derivative)
  | 'tanh' | 'sigmoid' | 'erf' | 'sin' | 'cos' | 'floor'
  | 'leakyRelu'              // a = negative slope
  | 'elu'                    // a = alpha
  | 'clamp'                  // a = min, b = max
  | 'powScalar'              // x ** a
  | 'affine'                 // x * a + b  (scalar add/mul in one pass)
  | 'gelu' | 'geluGrad';     // x·Φ(x) (exact, erf form) and its derivative Φ(x) + x·φ(x)

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';   // comparisons give 1 or 0 in the output dtype

export type ReduceOp = 'sum' | 'max' | 'min';
export type ArgReduceOp = 'argmax' | 'argmin';

export interface AdamHyper {
  lr: number; beta1: number; beta2: number; eps: number;
  weightDecay: number;   // L2 added to the gradient (Adam) or decoupled (AdamW)
  decoupled: boolean;    // AdamW
  step: number;          // 1-based, for bias correction
}

export interface SgdHyper {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean;
  first: boolean;        // first step: the momentum buffer starts as the gradient (PyTorch)
}

export interface MemoryInfo { buffers: number; bytes: number }

/** How a backend whose kernels run asynchronously (a GPU) times each one for the profiler. */
export interface KernelTiming {
  /** 'timestamp-query', 'per-submit', ...: how, in a word. */
  readonly method: string;
  /** One line on what the times include. */
  readonly note: string;
  /** From now on time every kernel on its own. */
  start(): void;
  /** The kernel about to run is number `id`: its device work is tagged with it. */
  tag(id: number): void;
  /** Stop; once the device is idle, the device time in ms of each tagged kernel, or null where the
   *  host clock's times stand (the kernels were made to finish, or be submitted, within the call). */
  stop(): Promise<Map<number, number> | null>;
}

export interface Backend {
  readonly name: 'cpu' | 'webgpu';

  // ---- memory -------------------------------------------------------------------------------
  upload(values: TypedArray): Storage;
  fill(size: number, value: number, dtype: DType): Storage;
  read(s: Storage): Promise<TypedArray>;
  /** Synchronous read where the backend can (CPU); undefined where it cannot (WebGPU). */
  readSync?(s: Storage): TypedArray;
  dispose(s: Storage): void;
  memory(): MemoryInfo;
  /** dst's elements become src's, in place (same size and dtype), ordered after every kernel
   *  already launched: loading weights into live parameters keeps the optimiser's references. */
  copy(dst: Storage, src: Storage): void;

  // ---- elementwise ---------------------------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, a?: number, b?: number): Storage;
  /** NumPy broadcasting; outShape and outDtype computed by the op layer. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): Storage;
  /** cond ? a : b, all three broadcast to outShape. */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): Storage;
  cast(x: TensorInfo, dtype: DType): Storage;

  // ---- reductions ----------------------------------------------------------------------------
  /** Reduce over `axes` (sorted, unique); the result has those axes removed. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage;
  /** Index (int32) of the max/min along one axis; the axis is removed. */
  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage;
  /** Numerically stable softmax (or log-softmax) along one axis. */
  softmax(x: TensorInfo, axis: number, log: boolean): Storage;
  /** softmax(scale · x) along one axis, where a nonzero element of `mask` (float32 or int32, any
   *  shape that broadcasts to x's) excludes its position: probability exactly 0. A row whose every
   *  position is excluded is all zeros, not NaN (a padded query row of attention). mask may be null. */
  maskedSoftmax(x: TensorInfo, mask: TensorInfo | null, axis: number, scale: number): Storage;
  /** The backward of softmax(scale · x) (masked or not) from its output y: dx = scale · y · (dy − Σ dy·y) along the axis. */
  softmaxBackward(y: TensorInfo, dy: TensorInfo, axis: number, scale: number): Storage;

  // ---- normalisation -------------------------------------------------------------------------
  /** Layer norm over the last axis (rows of n = the last dimension): (x − mean) / √(var + eps) ·
   *  weight + bias, with the biased variance; weight and bias hold n values, or are null. */
  layerNorm(x: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null, eps: number): Storage;
  /** layerNorm's gradients for the output gradient dy (x's shape): dx, and dweight and dbias (n
   *  values each, summed over the rows; dweight is Σ dy·x̂ whether or not there is a weight). The
   *  row statistics are recomputed from x. */
  layerNormBackward(dy: TensorInfo, x: TensorInfo, weight: TensorInfo | null, eps: number): { dx: Storage; dweight: Storage; dbias: Storage };

  // ---- batch normalisation and clamp ----------------------------------------------------------
  // x is [N, C, ...] with the channel on axis 1; mean, var, rstd, weight, bias are [C] float32.
  /** Per-channel mean and biased variance over every axis but 1 (accumulated in float64 on the CPU). */
  batchNormStats(x: TensorInfo): { mean: Storage; var: Storage };
  /** y = (x − mean[c]) · rstd[c] · weight[c] + bias[c]; a null weight is 1, a null bias 0. */
  batchNormApply(x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null): Storage;
  /** The training-mode gradient, the batch statistics (mean, rstd) being functions of x:
   *  dx = rstd·w·(dy − mean(dy) − x̂·mean(dy·x̂)), dweight = Σ dy·x̂, dbias = Σ dy, x̂ = (x − mean)·rstd. */
  batchNormBackward(dy: TensorInfo, x: TensorInfo, mean: TensorInfo, rstd: TensorInfo, weight: TensorInfo | null):
    { dx: Storage; dweight: Storage; dbias: Storage };
  /** The gradient of unary('clamp', x, lo, hi): g · (lo ≤ x ≤ hi), g and x of one shape. */
  clampBackward(g: TensorInfo, x: TensorInfo, lo: number, hi: number): Storage;

  // ---- data movement -------------------------------------------------------------------------
  /** out[i] = x[offset + sum_d idx_d * strides[d]] for every index of outShape. Covers permute,
   *  slice (with steps) and expand (stride 0). */
  strided(x: TensorInfo, outShape: readonly number[], strides: readonly number[], offset: number): Storage;
  /** Constant padding: before[d] and after[d] elements on each axis. */
  pad(x: TensorInfo, before: readonly number[], after: readonly number[], value: number): Storage;
  /** out = x.index_select(axis, indices): indices is int32 of any shape; out shape is
   *  x.shape[:axis] + indices.shape + x.shape[axis+1:]. */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage;
  /** The adjoint of gather: zeros(outShape), then out[..., indices[j], ...] += src[..., j, ...]. */
  scatterAdd(src: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): Storage;

  // ---- linear algebra and convolution --------------------------------------------------------
  /** a [Ba, M, K] (or [Ba, K, M] if transA), b [Bb, K, N] (or [Bb, N, K] if transB) -> [B, M, N].
   *  Ba and Bb are equal, or one of them is 1 and is broadcast. */
  matmul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Storage;
  conv2d(x: TensorInfo, w: TensorInfo, p: Conv2dParams): Storage;
  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, xShape: readonly number[], p: Conv2dParams): Storage;
  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, wShape: readonly number[], p: Conv2dParams): Storage;

  // ---- pooling ------------------------------------------------------------------------------
  /** Returns the pooled values and, per output, the flat input index (within its N,C plane) of the max. */
  maxPool2d(x: TensorInfo, p: Pool2dParams): { out: Storage; argmax: Storage };
  maxPool2dBackward(dy: TensorInfo, argmax: TensorInfo, xShape: readonly number[]): Storage;
  avgPool2d(x: TensorInfo, p: Pool2dParams): Storage;
  avgPool2dBackward(dy: TensorInfo, xShape: readonly number[], p: Pool2dParams): Storage;

  // ---- optimiser updates, in place ------------------------------------------------------------
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamHyper): void;
  sgdStep(param: Storage, grad: Storage, momentumBuf: Storage | null, h: SgdHyper): void;

  /** Wait for queued work (GPU); a no-op on the CPU. */
  sync(): Promise<void>;

  /** Per-kernel timing for the profiler, where the host clock alone cannot time a kernel (its
   *  work runs after the call returns). Absent: the kernels are synchronous. */
  kernelTiming?(): KernelTiming;
}
