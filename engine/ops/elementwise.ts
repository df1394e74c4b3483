// Elementwise ops: each states its forward (one backend kernel) and its backward (other ops)
// side by side. Binary ops broadcast like NumPy; their backward returns gradients of the output's
// shape, which backward() sums down to each input's shape.

import type { BinaryOp, DType, UnaryOp } from '../backend/backend.js';
import { isGradEnabled, record, recordNonDifferentiable, trySumTo } from '../autograd.js';
import { broadcastShapes, fmt, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { full } from './creation.js';
import { backendOf, requireFloat, wrap, type TensorLike } from './kernel.js';

// ---- helpers ----------------------------------------------------------------------------------

function unaryKernel(op: UnaryOp, x: Tensor, a?: number, b?: number): Tensor {
  const be = backendOf(op, x);
  return wrap(be, be.unary(op, x, a, b), x.shape, x.dtype);
}

function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const be = backendOf(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  return wrap(be, be.binary(op, a, b, shape, a.dtype), shape, a.dtype);
}

/** Numbers become 0-d tensors; int32 meets float32 as float32 (type promotion). */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const like = a instanceof Tensor ? a : (b as Tensor);
  if (!(like instanceof Tensor)) throw new Error(`${op}: at least one operand must be a tensor`);
  backendOf(op, like);   // the op starts here: a profile counts the scalar's upload as the op's
  const lift = (v: TensorLike): Tensor => {
    if (v instanceof Tensor) return v;
    const dtype: DType = like.dtype === 'int32' && Number.isInteger(v) ? 'int32' : 'float32';
    return full([], v, { dtype });
  };
  let x = lift(a), y = lift(b);
  backendOf(op, x, y);
  if (x.dtype !== y.dtype) { x = float(x); y = float(y); }
  return [x, y];
}

// ---- unary ------------------------------------------------------------------------------------

export function neg(x: Tensor): Tensor {
  return record('neg', [x], unaryKernel('neg', x), (g) => [neg(g)]);
}

export function exp(x: Tensor): Tensor {
  requireFloat('exp', x);
  const y = unaryKernel('exp', x);
  return record('exp', [x], y, (g) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  requireFloat('log', x);
  return record('log', [x], unaryKernel('log', x), (g) => [div(g, x)]);
}

export function sqrt(x: Tensor): Tensor {
  requireFloat('sqrt', x);
  const y = unaryKernel('sqrt', x);
  return record('sqrt', [x], y, (g) => [div(g, mul(y, 2))]);
}

export function rsqrt(x: Tensor): Tensor {
  requireFloat('rsqrt', x);
  const y = unaryKernel('rsqrt', x);
  return record('rsqrt', [x], y, (g) => [mul(g, mul(powScalar(y, 3), -0.5))]);
}

export function abs(x: Tensor): Tensor {
  return record('abs', [x], unaryKernel('abs', x), (g) => [mul(g, sign(x))]);
}

export function square(x: Tensor): Tensor {
  return record('square', [x], unaryKernel('square', x), (g) => [mul(g, mul(x, 2))]);
}

export function reciprocal(x: Tensor): Tensor {
  requireFloat('reciprocal', x);
  const y = unaryKernel('reciprocal', x);
  return record('reciprocal', [x], y, (g) => [neg(mul(g, square(y)))]);
}

export function sin(x: Tensor): Tensor {
  requireFloat('sin', x);
  return record('sin', [x], unaryKernel('sin', x), (g) => [mul(g, cos(x))]);
}

export function cos(x: Tensor): Tensor {
  requireFloat('cos', x);
  return record('cos', [x], unaryKernel('cos', x), (g) => [neg(mul(g, sin(x)))]);
}

export function erf(x: Tensor): Tensor {
  requireFloat('erf', x);
  // d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
  return record('erf', [x], unaryKernel('erf', x), (g) => [mul(g, affine(exp(neg(square(x))), 2 / Math.sqrt(Math.PI), 0))]);
}

/** x ** p for a constant p. */
export function powScalar(x: Tensor, p: number): Tensor {
  requireFloat('pow', x);
  return record('pow', [x], unaryKernel('powScalar', x, p), (g) => [mul(g, mul(powScalar(x, p - 1), p))]);
}

/** x * a + b in one pass: scalar add, sub and mul all come here. */
export function affine(x: Tensor, a: number, b: number): Tensor {
  return record('affine', [x], unaryKernel('affine', x, a, b), (g) => [affine(g, a, 0)]);
}

/** Clamp to [min, max]; the gradient flows only where x was inside the range. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  return record('clamp', [x], unaryKernel('clamp', x, min, max), (g) => [clampBackward(g, x, min, max)]);
}

/** g · (min ≤ x ≤ max) in one kernel (was ge, le and two muls). Linear in g, and piecewise
 *  constant in x (no gradient), so its own backward is itself applied to u. */
function clampBackward(g: Tensor, x: Tensor, min: number, max: number): Tensor {
  const be = backendOf('clamp', g, x);
  const dx = wrap(be, be.clampBackward(g, x, min, max), x.shape, 'float32');
  return record('clampBackward', [g], dx, (u) => [clampBackward(u, x, min, max)]);
}

// Piecewise-constant functions: their gradient is zero almost everywhere, so they stop the graph.
export const sign = (x: Tensor) => recordNonDifferentiable('sign', [x], unaryKernel('sign', x));
export const floor = (x: Tensor) => recordNonDifferentiable('floor', [x], unaryKernel('floor', x));
/** 1 where x > 0, else 0: ReLU's derivative. */
export const step = (x: Tensor) => recordNonDifferentiable('step', [x], unaryKernel('step', x));

// ---- activations --------------------------------------------------------------------------------

export function relu(x: Tensor): Tensor {
  return record('relu', [x], unaryKernel('relu', x), (g) => [mul(g, step(x))]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  requireFloat('leakyRelu', x);
  // slope is 1 where x > 0 and negativeSlope elsewhere: step(x) * (1 - a) + a
  return record('leakyRelu', [x], unaryKernel('leakyRelu', x, negativeSlope),
    (g) => [mul(g, affine(step(x), 1 - negativeSlope, negativeSlope))]);
}

export function elu(x: Tensor, alpha = 1): Tensor {
  requireFloat('elu', x);
  const y = unaryKernel('elu', x, alpha);
  // x > 0: 1;  x <= 0: alpha * exp(x) = y + alpha
  return record('elu', [x], y, (g) => [mul(g, where(gt(x, 0), 1, affine(y, 1, alpha)))]);
}

export function tanh(x: Tensor): Tensor {
  requireFloat('tanh', x);
  const y = unaryKernel('tanh', x);
  return record('tanh', [x], y, (g) => [mul(g, affine(square(y), -1, 1))]);
}

export function sigmoid(x: Tensor): Tensor {
  requireFloat('sigmoid', x);
  const y = unaryKernel('sigmoid', x);
  return record('sigmoid', [x], y, (g) => [mul(g, mul(y, affine(y, -1, 1)))]);
}

/** GELU, exact (erf) form as PyTorch's default, or the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  requireFloat('gelu', x);
  if (approximate === 'tanh') {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): composed, so autograd derives the backward.
    const inner = mul(add(x, mul(powScalar(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), affine(tanh(inner), 1, 1));
  }
  // One fused kernel each way (the composed form was four passes forward, seven backward).
  const y = unaryKernel('gelu', x);
  // d/dx x Phi(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2/2) / sqrt(2 pi); under createGraph the
  // same in ops, so that it can be differentiated again.
  return record('gelu', [x], y, (g) => {
    if (!isGradEnabled()) return [mul(g, unaryKernel('geluGrad', x))];
    const phi = affine(exp(affine(square(x), -0.5, 0)), 1 / Math.sqrt(2 * Math.PI), 0);
    const Phi = affine(erf(affine(x, Math.SQRT1_2, 0)), 0.5, 0.5);
    return [mul(g, add(Phi, mul(x, phi)))];
  });
}

// ---- binary -------------------------------------------------------------------------------------

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor && a.dtype === 'float32') return affine(a, 1, b);
  if (typeof a === 'number' && b instanceof Tensor && b.dtype === 'float32') return affine(b, 1, a);
  const [x, y] = operands('add', a, b);
  return record('add', [x, y], binaryKernel('add', x, y), (g) => [g, g]);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor && a.dtype === 'float32') return affine(a, 1, -b);
  if (typeof a === 'number' && b instanceof Tensor && b.dtype === 'float32') return affine(b, -1, a);
  const [x, y] = operands('sub', a, b);
  // y's gradient is negated after it is summed down to y's shape: a broadcast y (layerNorm's mean)
  // then costs a pass over its own few elements, not over the output's.
  return record('sub', [x, y], binaryKernel('sub', x, y), (g) => [g, y.requiresGrad ? neg(trySumTo(g, y.shape)!) : null]);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor && a.dtype === 'float32') return affine(a, b, 0);
  if (typeof a === 'number' && b instanceof Tensor && b.dtype === 'float32') return affine(b, a, 0);
  const [x, y] = operands('mul', a, b);
  return record('mul', [x, y], binaryKernel('mul', x, y),
    (g) => [x.requiresGrad ? mul(g, y) : null, y.requiresGrad ? mul(g, x) : null]);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor && a.dtype === 'float32') return affine(a, 1 / b, 0);
  const [x, y] = operands('div', a, b);
  // d(x/y)/dy = -x / y^2
  return record('div', [x, y], binaryKernel('div', x, y),
    (g) => [x.requiresGrad ? div(g, y) : null, y.requiresGrad ? neg(div(mul(g, x), square(y))) : null]);
}

export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return powScalar(a, b);
  const [x, y] = operands('pow', a, b);
  requireFloat('pow', x, y);
  const z = binaryKernel('pow', x, y);
  // d/dx = y x^(y-1);  d/dy = x^y log x
  return record('pow', [x, y], z,
    (g) => [x.requiresGrad ? mul(g, mul(y, pow(x, sub(y, 1)))) : null, y.requiresGrad ? mul(g, mul(z, log(x))) : null]);
}

/** Elementwise max; on ties the gradient is split evenly, as in PyTorch. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('maximum', a, b);
  const share = (p: Tensor, q: Tensor) => add(gt(p, q), mul(eq(p, q), 0.5));
  return record('maximum', [x, y], binaryKernel('maximum', x, y),
    (g) => [mul(g, share(x, y)), mul(g, share(y, x))]);
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('minimum', a, b);
  const share = (p: Tensor, q: Tensor) => add(lt(p, q), mul(eq(p, q), 0.5));
  return record('minimum', [x, y], binaryKernel('minimum', x, y),
    (g) => [mul(g, share(x, y)), mul(g, share(y, x))]);
}

// Comparisons give 1 or 0 in the operands' dtype and stop the graph.
function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(op, a, b);
  return recordNonDifferentiable(op, [x, y], binaryKernel(op, x, y));
}
export const eq = (a: TensorLike, b: TensorLike) => compare('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike) => compare('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike) => compare('lt', a, b);
export const le = (a: TensorLike, b: TensorLike) => compare('le', a, b);
export const gt = (a: TensorLike, b: TensorLike) => compare('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike) => compare('ge', a, b);

/** cond ? a : b with broadcasting (cond: nonzero is true). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('where', a, b);
  const be = backendOf('where', cond, x, y);
  const shape = broadcastShapes('where', cond.shape, x.shape, y.shape);
  const out = wrap(be, be.where(cond, x, y, shape), shape, x.dtype);
  return record('where', [x, y], out,
    (g) => [where(cond, g, 0), where(cond, 0, g)]);
}

/** x with `value` where mask is nonzero (attention masks). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) throw new Error(`maskedFill: mask ${fmt(mask.shape)} does not broadcast to x ${fmt(x.shape)}`);
  return where(mask, value, x);
}

// ---- dtype --------------------------------------------------------------------------------------

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const be = backendOf('cast', x);
  const out = wrap(be, be.cast(x, dtype), x.shape, dtype);
  // int32 -> float32 never carries a gradient either (an int input cannot require one), but it
  // passes on the name of an earlier non-differentiable op (argmax(x).float()).
  return recordNonDifferentiable('cast', [x], out);
}
export const float = (x: Tensor) => cast(x, 'float32');
export const int = (x: Tensor) => cast(x, 'int32');
