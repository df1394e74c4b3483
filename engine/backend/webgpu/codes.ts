// Op codes shared with the shaders' `switch OP` (elementwise.wgsl, binary.wgsl, reduce.wgsl).
import type { BinaryOp, DType, ReduceOp, UnaryOp } from '../backend.js';

const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'square', 'reciprocal', 'relu', 'step', 'tanh',
  'sigmoid', 'erf', 'sin', 'cos', 'floor', 'leakyRelu', 'elu', 'clamp', 'powScalar', 'affine',
];
const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min'];

/** 0 is the identity map (cast). */
export const unaryCode = (op: UnaryOp | 'identity') => (op === 'identity' ? 0 : UNARY_OPS.indexOf(op) + 1);
export const binaryCode = (op: BinaryOp) => BINARY_OPS.indexOf(op);
export const reduceCode = (op: ReduceOp | 'argmax' | 'argmin') => (op === 'argmax' ? 1 : op === 'argmin' ? 2 : REDUCE_OPS.indexOf(op));

export const wgslType = (d: DType) => (d === 'int32' ? 'i32' : 'f32');

/** The identity of a reduction, as the 32-bit word the shader bitcasts to its element type. */
export function reduceIdentityBits(op: ReduceOp, dtype: DType): number {
  if (op === 'sum') return 0;
  if (dtype === 'int32') return op === 'max' ? 0x80000000 : 0x7fffffff;
  return op === 'max' ? 0xff800000 : 0x7f800000;
}

/** A scalar as the 32-bit word of the given dtype. */
export function scalarBits(value: number, dtype: DType): number {
  return dtype === 'int32' ? new Uint32Array(Int32Array.of(value).buffer)[0] : new Uint32Array(Float32Array.of(value).buffer)[0];
}
