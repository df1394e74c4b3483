// Floating-point operations of the kernels where the count is well defined: matmul and the three
// convolution kernels (a multiply and an add per term of each dot product, the usual convention).
// The profiler reads them from a kernel's arguments; nothing else does arithmetic on them.

import type { TensorInfo } from './backend/backend.js';
import { conv2dOutShape, type Conv2dParams } from './conv-geometry.js';

/** op(A) op(B) with A [Ba, M, K] (or [Ba, K, M] transposed) and B [Bb, K, N] (or [Bb, N, K]): 2·B·M·N·K. */
export function matmulFlops(a: readonly number[], b: readonly number[], transA: boolean, transB: boolean): number {
  const m = transA ? a[2] : a[1], k = transA ? a[1] : a[2];
  const n = transB ? b[1] : b[2];
  return 2 * Math.max(a[0], b[0]) * m * n * k;
}

/** A convolution with output [N, O, OH, OW] and weight [O, C/groups, KH, KW]: 2·N·O·OH·OW·(C/groups)·KH·KW.
 *  Both gradients (input and filter) run the same products, so they count the same. */
export function convFlops(out: readonly number[], weight: readonly number[]): number {
  const [n, o, oh, ow] = out, [, cg, kh, kw] = weight;
  return 2 * n * o * oh * ow * cg * kh * kw;
}

/** The FLOPs of one backend kernel call, or null where none are counted (elementwise maps, copies, …). */
export function kernelFlops(kernel: string, args: readonly unknown[]): number | null {
  const info = (i: number) => args[i] as TensorInfo;
  switch (kernel) {
    case 'matmul': return matmulFlops(info(0).shape, info(1).shape, args[2] as boolean, args[3] as boolean);
    case 'conv2d': return convFlops(conv2dOutShape(info(0).shape, info(1).shape, args[2] as Conv2dParams), info(1).shape);
    case 'conv2dBackwardInput': return convFlops(info(0).shape, info(1).shape);
    case 'conv2dBackwardFilter': return convFlops(info(1).shape, args[2] as readonly number[]);
    default: return null;
  }
}
