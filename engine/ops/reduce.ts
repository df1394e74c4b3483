// Reductions along axes (sum, mean, max, min, var, logsumexp), arg-reductions, and softmax.

import type { ReduceOp } from '../backend/backend.js';
import { isGradEnabled, noGrad, record, recordNonDifferentiable, trySumTo } from '../autograd.js';
import { broadcastShapes, fmt, normAxes, normAxis, reducedShape, sameShape, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { abs, add, div, eq, exp, log, mul, sqrt, square, sub, where } from './elementwise.js';
import { backendOf, requireFloat, wrap } from './kernel.js';
import { expand, reshape } from './shape.js';

type Axes = number | readonly number[] | undefined;

function reduceKernel(op: ReduceOp, x: Tensor, axes: number[]): Tensor {
  const be = backendOf(op, x);
  const shape = reducedShape(x.shape, axes, false);
  return wrap(be, be.reduce(op, x, axes), shape, x.dtype);
}

/** Put a reduced gradient back on the input's shape: reshape to keepDim form, then broadcast. */
function spread(g: Tensor, x: Tensor, axes: number[]): Tensor {
  return expand(reshape(g, reducedShape(x.shape, axes, true)), x.shape);
}

function keepDims(y: Tensor, x: Tensor, axes: number[], keepDim: boolean): Tensor {
  return keepDim ? reshape(y, reducedShape(x.shape, axes, true)) : y;
}

export function sum(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const ax = normAxes('sum', axes, x.ndim);
  const y = record('sum', [x], reduceKernel('sum', x, ax), (g) => [spread(g, x, ax)]);
  return keepDims(y, x, ax, keepDim);
}

/** Sum a broadcast tensor back down to `shape` (the adjoint of broadcasting: what backward()
 *  does to every broadcast input's gradient). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  const y = trySumTo(x, shape);
  if (!y) throw new Error(`sumTo: shape ${fmt(shape)} does not broadcast to ${fmt(x.shape)}, so it cannot be summed down to it`);
  return y;
}

export function mean(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  requireFloat('mean', x);
  const ax = normAxes('mean', axes, x.ndim);
  const n = sizeOf(ax.map((a) => x.shape[a]));
  return div(sum(x, ax, keepDim), n);
}

/** max/min over axes; ties share the gradient evenly (PyTorch's amax/amin). */
function extreme(op: 'max' | 'min', x: Tensor, axes: Axes, keepDim: boolean): Tensor {
  const ax = normAxes(op, axes, x.ndim);
  if (x.size === 0) throw new Error(`${op}: cannot reduce an empty tensor`);
  const y = reduceKernel(op, x, ax);
  const out = record(op, [x], y, (g) => {
    const hit = eq(x, spread(y, x, ax));
    return [div(mul(hit, spread(g, x, ax)), spread(sum(hit, ax), x, ax))];
  });
  return keepDims(out, x, ax, keepDim);
}
export const max = (x: Tensor, axes?: Axes, keepDim = false) => extreme('max', x, axes, keepDim);
export const min = (x: Tensor, axes?: Axes, keepDim = false) => extreme('min', x, axes, keepDim);

/** Variance with Bessel's correction by default (correction = 1), as torch.var. */
export function variance(x: Tensor, axes?: Axes, keepDim = false, correction = 1): Tensor {
  requireFloat('var', x);
  const ax = normAxes('var', axes, x.ndim);
  const n = sizeOf(ax.map((a) => x.shape[a]));
  const centred = sub(x, mean(x, ax, true));
  return div(sum(square(centred), ax, keepDim), Math.max(n - correction, 0));
}

export function std(x: Tensor, axes?: Axes, keepDim = false, correction = 1): Tensor {
  return sqrt(variance(x, axes, keepDim, correction));
}

/** log(sum(exp(x))) without overflow: the max is subtracted first (and held constant). An
 *  infinite max is replaced by 0 (as PyTorch does), so all -Infinity gives -Infinity, not NaN. */
export function logsumexp(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const ax = normAxes('logsumexp', axes, x.ndim);
  const m = noGrad(() => { const mx = max(x, ax, true); return where(eq(abs(mx), Infinity), 0, mx); });
  const lse = add(log(sum(exp(sub(x, m)), ax, true)), m);
  return keepDim ? lse : reshape(lse, reducedShape(x.shape, ax, false));
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  const src = axis === undefined ? reshape(x, [x.size]) : x;
  const a = normAxis(op, axis ?? 0, src.ndim);
  const be = backendOf(op, src);
  const shape = reducedShape(src.shape, [a], keepDim);
  const out = wrap(be, be.argReduce(op, src, a), shape, 'int32');
  return recordNonDifferentiable(op, [x], out);
}
/** Index of the largest value (flattened when no axis), int32. */
export const argmax = (x: Tensor, axis?: number, keepDim = false) => argReduce('argmax', x, axis, keepDim);
export const argmin = (x: Tensor, axis?: number, keepDim = false) => argReduce('argmin', x, axis, keepDim);

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const a = normAxis('softmax', axis, x.ndim);
  const be = backendOf('softmax', x);
  const y = wrap(be, be.softmax(x, a, false), x.shape, 'float32');
  return record('softmax', [x], y, (g) => [softmaxGrad(y, g, a, 1)]);
}

/** dx = scale · y · (g − Σ g·y) along axis a: one fused kernel, or under createGraph (higher
 *  order) the same in ops, differentiable again. */
function softmaxGrad(y: Tensor, g: Tensor, a: number, scale: number): Tensor {
  if (isGradEnabled()) {
    const dx = mul(y, sub(g, sum(mul(g, y), a, true)));
    return scale === 1 ? dx : mul(dx, scale);
  }
  const be = backendOf('softmax', y, g);
  return wrap(be, be.softmaxBackward(y, g, a, scale), y.shape, 'float32');
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  const a = normAxis('logSoftmax', axis, x.ndim);
  const be = backendOf('logSoftmax', x);
  const y = wrap(be, be.softmax(x, a, true), x.shape, 'float32');
  // dx = g - softmax(x) * sum(g)
  return record('logSoftmax', [x], y, (g) => [sub(g, mul(exp(y), sum(g, a, true)))]);
}

/** Attention's fused softmax: softmax(scale · x) along `axis`, with every position where `mask`
 *  (any shape that broadcasts to x's; nonzero = masked) is nonzero given probability exactly 0. A
 *  fully masked row is all zeros. The mask takes no gradient. */
export function maskedSoftmax(x: Tensor, mask: Tensor | null, axis = -1, scale = 1): Tensor {
  requireFloat('maskedSoftmax', x);
  const a = normAxis('maskedSoftmax', axis, x.ndim);
  if (mask) {
    const shape = broadcastShapes('maskedSoftmax', x.shape, mask.shape);
    if (!sameShape(shape, x.shape)) throw new Error(`maskedSoftmax: mask ${fmt(mask.shape)} does not broadcast to x ${fmt(x.shape)}`);
  }
  const be = mask ? backendOf('maskedSoftmax', x, mask) : backendOf('maskedSoftmax', x);
  const y = wrap(be, be.maskedSoftmax(x, mask, a, scale), x.shape, 'float32');
  // As softmax's, times the scale; masked positions have y = 0, so their gradient is 0.
  return record('maskedSoftmax', [x], y, (g) => [softmaxGrad(y, g, a, scale)]);
}
