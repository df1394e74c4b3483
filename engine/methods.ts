// PyTorch-style chaining: attach the ops to Tensor as methods (x.matmul(w).relu().sum()).
// Kept apart from tensor.ts so the Tensor class itself depends on no op.

import { backward, isGradEnabled, type BackwardOptions } from './autograd.js';
import type { DType } from './backend/backend.js';
import { getBackend, setBackend, type BackendName } from './backend/registry.js';
import { Tensor } from './tensor.js';
import * as E from './ops/elementwise.js';
import * as R from './ops/reduce.js';
import * as S from './ops/shape.js';
import * as I from './ops/indexing.js';
import { matmul } from './ops/linalg.js';
import { tensor } from './ops/creation.js';
import { backendOf, type TensorLike } from './ops/kernel.js';
import { fmt, sameShape } from './shape.js';

type Axes = number | readonly number[];

declare module './tensor.js' {
  interface Tensor {
    add(o: TensorLike): Tensor; sub(o: TensorLike): Tensor; mul(o: TensorLike): Tensor; div(o: TensorLike): Tensor;
    pow(o: TensorLike): Tensor; maximum(o: TensorLike): Tensor; minimum(o: TensorLike): Tensor;
    eq(o: TensorLike): Tensor; ne(o: TensorLike): Tensor; lt(o: TensorLike): Tensor; le(o: TensorLike): Tensor;
    gt(o: TensorLike): Tensor; ge(o: TensorLike): Tensor;
    neg(): Tensor; exp(): Tensor; log(): Tensor; sqrt(): Tensor; rsqrt(): Tensor; abs(): Tensor; square(): Tensor;
    reciprocal(): Tensor; sin(): Tensor; cos(): Tensor; erf(): Tensor; sign(): Tensor; floor(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    relu(): Tensor; leakyRelu(slope?: number): Tensor; elu(alpha?: number): Tensor; gelu(approximate?: 'none' | 'tanh'): Tensor;
    tanh(): Tensor; sigmoid(): Tensor;
    softmax(axis?: number): Tensor; logSoftmax(axis?: number): Tensor;
    sum(axes?: Axes, keepDim?: boolean): Tensor; mean(axes?: Axes, keepDim?: boolean): Tensor;
    max(axes?: Axes, keepDim?: boolean): Tensor; min(axes?: Axes, keepDim?: boolean): Tensor;
    var(axes?: Axes, keepDim?: boolean, correction?: number): Tensor; std(axes?: Axes, keepDim?: boolean, correction?: number): Tensor;
    logsumexp(axes?: Axes, keepDim?: boolean): Tensor;
    argmax(axis?: number, keepDim?: boolean): Tensor; argmin(axis?: number, keepDim?: boolean): Tensor;
    matmul(o: Tensor): Tensor;
    reshape(shape: readonly number[]): Tensor; view(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(dims: readonly number[]): Tensor; transpose(dim0?: number, dim1?: number): Tensor; t(): Tensor;
    squeeze(dim?: number): Tensor; unsqueeze(dim: number): Tensor; expand(shape: readonly number[]): Tensor;
    slice(starts: readonly number[], ends: readonly number[], steps?: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    indexSelect(dim: number, indices: Tensor): Tensor;
    where(cond: Tensor, other: TensorLike): Tensor; maskedFill(mask: Tensor, value: number): Tensor;
    float(): Tensor; int(): Tensor; to(dtypeOrBackend: DType | BackendName): Promise<Tensor>;
    clone(): Tensor; detach(): Tensor;
    backward(gradient?: Tensor, opts?: BackwardOptions): void;
    requiresGrad_(v?: boolean): Tensor;
    /** PyTorch's copy_: src's values written into this tensor's buffer (shared by its views). */
    copy_(src: Tensor): this;
  }
}

const P = Tensor.prototype;
P.add = function (o) { return E.add(this, o); };
P.sub = function (o) { return E.sub(this, o); };
P.mul = function (o) { return E.mul(this, o); };
P.div = function (o) { return E.div(this, o); };
P.pow = function (o) { return E.pow(this, o); };
P.maximum = function (o) { return E.maximum(this, o); };
P.minimum = function (o) { return E.minimum(this, o); };
P.eq = function (o) { return E.eq(this, o); };
P.ne = function (o) { return E.ne(this, o); };
P.lt = function (o) { return E.lt(this, o); };
P.le = function (o) { return E.le(this, o); };
P.gt = function (o) { return E.gt(this, o); };
P.ge = function (o) { return E.ge(this, o); };
P.neg = function () { return E.neg(this); };
P.exp = function () { return E.exp(this); };
P.log = function () { return E.log(this); };
P.sqrt = function () { return E.sqrt(this); };
P.rsqrt = function () { return E.rsqrt(this); };
P.abs = function () { return E.abs(this); };
P.square = function () { return E.square(this); };
P.reciprocal = function () { return E.reciprocal(this); };
P.sin = function () { return E.sin(this); };
P.cos = function () { return E.cos(this); };
P.erf = function () { return E.erf(this); };
P.sign = function () { return E.sign(this); };
P.floor = function () { return E.floor(this); };
P.clamp = function (min, max) { return E.clamp(this, min, max); };
P.relu = function () { return E.relu(this); };
P.leakyRelu = function (s) { return E.leakyRelu(this, s); };
P.elu = function (a) { return E.elu(this, a); };
P.gelu = function (a) { return E.gelu(this, a); };
P.tanh = function () { return E.tanh(this); };
P.sigmoid = function () { return E.sigmoid(this); };
P.softmax = function (axis) { return R.softmax(this, axis); };
P.logSoftmax = function (axis) { return R.logSoftmax(this, axis); };
P.sum = function (axes, k) { return R.sum(this, axes, k); };
P.mean = function (axes, k) { return R.mean(this, axes, k); };
P.max = function (axes, k) { return R.max(this, axes, k); };
P.min = function (axes, k) { return R.min(this, axes, k); };
P.var = function (axes, k, c) { return R.variance(this, axes, k, c); };
P.std = function (axes, k, c) { return R.std(this, axes, k, c); };
P.logsumexp = function (axes, k) { return R.logsumexp(this, axes, k); };
P.argmax = function (axis, k) { return R.argmax(this, axis, k); };
P.argmin = function (axis, k) { return R.argmin(this, axis, k); };
P.matmul = function (o) { return matmul(this, o); };
P.reshape = function (s) { return S.reshape(this, s); };
P.view = function (s) { return S.reshape(this, s); };
P.flatten = function (a, b) { return S.flatten(this, a, b); };
P.permute = function (d) { return S.permute(this, d); };
P.transpose = function (a, b) { return S.transpose(this, a, b); };
P.t = function () { return S.transpose(this, 0, 1); };
P.squeeze = function (d) { return S.squeeze(this, d); };
P.unsqueeze = function (d) { return S.unsqueeze(this, d); };
P.expand = function (s) { return S.expand(this, s); };
P.slice = function (a, b, c) { return S.slice(this, a, b, c); };
P.narrow = function (d, s, l) { return S.narrow(this, d, s, l); };
P.indexSelect = function (d, i) { return I.indexSelect(this, d, i); };
P.where = function (c, o) { return E.where(c, this, o); };
P.maskedFill = function (m, v) { return E.maskedFill(this, m, v); };
P.float = function () { return E.float(this); };
P.int = function () { return E.int(this); };
P.clone = function () { return S.clone(this); };
P.detach = function () { return S.detach(this); };
P.backward = function (g, o) { backward(this, g, o); };
P.requiresGrad_ = function (v = true) { this.requiresGrad = v; return this; };

// In place, so a module can load weights into the parameters an optimiser already holds. The
// graph records no in-place op, so under grad mode it is refused wherever a gradient could be
// wrong: into a tensor that requires grad (a leaf, as PyTorch refuses; or an op's output, which
// its graph may read) or from one (the copy would drop its gradient). Under noGrad() it is free.
P.copy_ = function (src) {
  if (!(src instanceof Tensor)) throw new Error(`copy_: src must be a Tensor, got ${src === null ? 'null' : typeof src}`);
  if (this.isDisposed || src.isDisposed) throw new Error(`copy_: ${this.isDisposed ? 'this tensor' : 'src'} (${(this.isDisposed ? this : src).describe()}) was disposed`);
  if (!sameShape(this.shape, src.shape)) throw new Error(`copy_: src has shape ${fmt(src.shape)} but ${this.describe()} has ${fmt(this.shape)}`);
  if (this.dtype !== src.dtype) throw new Error(`copy_: src is ${src.describe()} but this tensor is ${this.describe()}; convert with .float() or .int() first`);
  if (isGradEnabled()) {
    if (this.requiresGrad && this.isLeaf) throw new Error(`copy_: a leaf tensor that requires grad (${this.describe()}) is being used in an in-place operation; copy under noGrad(), as loading weights does`);
    if (this.requiresGrad) throw new Error(`copy_: ${this.describe()} was computed by a recorded op ('${this.node!.name}') and its graph may read it; an in-place copy is not recorded`);
    if (src.requiresGrad) throw new Error(`copy_: src ${src.describe()} requires grad, and an in-place copy records no gradient; copy src.detach(), or copy under noGrad()`);
  }
  const be = backendOf('copy_', this, src);
  if (this.storage !== src.storage) be.copy(this.storage, src.storage);
  return this;
};

/** A dtype converts in place on the graph; a backend name copies the values across (detached). */
P.to = async function (target) {
  if (target === 'float32' || target === 'int32') return E.cast(this, target);
  if (this.backend.name === target) return this;
  const values = await this.data();
  const prev = getBackend();
  await setBackend(target);
  try { return tensor(values, { shape: this.shape }); } finally { await setBackend(prev.name); }
};
