// Op codes shared with the shaders' switches: `switch OP` in elementwise.wgsl, binary.wgsl and
// reduce.wgsl, `switch MODE` in conv.wgsl. Each table is typed by its op union, so an op missing
// from a table (or a name that is not an op) is a compile error rather than a silent -1; each
// shader `case` line names its op in a comment, and test/webgpu-codes.test.ts checks that every
// table entry has exactly one case with its code and name. A code no table gives falls to the
// shaders' `default:`, which returns a NaN poison (see common.wgsl), never an op.
import type { ArgReduceOp, BinaryOp, DType, ReduceOp, UnaryOp } from '../backend.js';

/** One shader code per op of the union `Op`. */
export type CodeTable<Op extends string> = { readonly [P in Op]: number };

/** Code 0 of elementwise.wgsl is the identity map (cast), which is no UnaryOp. */
export const IDENTITY_CODE = 0;

export const UNARY_CODES = {
  neg: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, abs: 6, sign: 7, square: 8, reciprocal: 9, relu: 10, step: 11,
  tanh: 12, sigmoid: 13, erf: 14, sin: 15, cos: 16, floor: 17, leakyRelu: 18, elu: 19, clamp: 20, powScalar: 21, affine: 22,
  gelu: 23, geluGrad: 24,
} as const satisfies CodeTable<UnaryOp>;

export const BINARY_CODES = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
} as const satisfies CodeTable<BinaryOp>;

export const REDUCE_CODES = { sum: 0, max: 1, min: 2 } as const satisfies CodeTable<ReduceOp>;
export const ARG_REDUCE_CODES = { argmax: 1, argmin: 2 } as const satisfies CodeTable<ArgReduceOp>;

/** conv.wgsl's MODE: which of the three convolution GEMMs a dispatch runs. */
export type ConvMode = 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardFilter';
export const CONV_MODES = { conv2d: 0, conv2dBackwardInput: 1, conv2dBackwardFilter: 2 } as const satisfies CodeTable<ConvMode>;

/** The table's code for op; a clear error for a name outside the union (from untyped JavaScript). */
function code<Op extends string>(table: CodeTable<Op>, kind: string, op: Op): number {
  const c = (table as Readonly<Record<string, number>>)[op];
  if (c === undefined) throw new Error(`webgpu: no shader code for ${kind} op '${op}'`);
  return c;
}

export const unaryCode = (op: UnaryOp | 'identity') => (op === 'identity' ? IDENTITY_CODE : code(UNARY_CODES, 'unary', op));
export const binaryCode = (op: BinaryOp) => code(BINARY_CODES, 'binary', op);
export const reduceCode = (op: ReduceOp) => code(REDUCE_CODES, 'reduce', op);
export const argReduceCode = (op: ArgReduceOp) => code(ARG_REDUCE_CODES, 'arg-reduce', op);

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
