// Matrix multiplication: 1-D, 2-D and batched with broadcast batch dimensions, all through one
// recorded op (mm) whose backward is again mm with the transpose flags flipped, so no
// transpose is ever materialised.

import { record } from '../autograd.js';
import { broadcastShapes, fmt, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { backendOf, requireFloat, wrap } from './kernel.js';
import { expand, reshape } from './shape.js';

/** C = op(A) op(B) on [Ba, ., .] x [Bb, ., .] (Ba, Bb equal or 1). */
function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const be = backendOf('matmul', a, b);
  const m = transA ? a.shape[2] : a.shape[1];
  const n = transB ? b.shape[1] : b.shape[2];
  const batch = Math.max(a.shape[0], b.shape[0]);
  const out = wrap(be, be.matmul(a, b, transA, transB), [batch, m, n], 'float32');
  return record('matmul', [a, b], out, (g) => {
    // The four cases of d(op(A) op(B)), written so each result has the stored layout of A or B
    // (with the full batch: backward() sums it over a broadcast batch of 1).
    const ga = !a.requiresGrad ? null
      : !transA ? (!transB ? mm(g, b, false, true) : mm(g, b, false, false))
        : (!transB ? mm(b, g, false, true) : mm(b, g, true, true));
    const gb = !b.requiresGrad ? null
      : !transB ? (!transA ? mm(a, g, true, false) : mm(a, g, false, false))
        : (!transA ? mm(g, a, true, false) : mm(g, a, true, true));
    return [ga, gb];
  });
}

/** torch.matmul semantics. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least one dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const [m, k] = a2.shape.slice(-2), [k2, n] = b2.shape.slice(-2);
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)} (${k} vs ${k2})`);
  const aBatch = a2.shape.slice(0, -2), bBatch = b2.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', aBatch, bBatch);
  let out: Tensor;
  if (sizeOf(bBatch) === 1) {
    // The common Linear case: fold A's batch into its rows, one big 2-D product.
    out = reshape(mm(reshape(a2, [1, sizeOf(aBatch) * m, k]), reshape(b2, [1, k, n]), false, false), [...batch, m, n]);
  } else {
    const fit = (t: Tensor, tb: readonly number[], r: number, c: number) =>
      sizeOf(tb) === 1 ? reshape(t, [1, r, c]) : reshape(expand(t, [...batch, r, c]), [sizeOf(batch), r, c]);
    out = reshape(mm(fit(a2, aBatch, m, k), fit(b2, bBatch, k, n), false, false), [...batch, m, n]);
  }
  const shape = [...batch, ...(a.ndim === 1 ? [] : [m]), ...(b.ndim === 1 ? [] : [n])];
  return reshape(out, shape);
}

/** x [.., in] · Wᵀ (W [out, in], PyTorch's layout) + bias, without copying W's transpose. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  requireFloat('linear', x, weight);
  const inF = weight.shape[1];
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input ${fmt(x.shape)} has ${x.shape[x.ndim - 1]} features but weight ${fmt(weight.shape)} expects ${inF}`);
  }
  const rows = x.size / inF;
  const y = reshape(mm(reshape(x, [1, rows, inF]), reshape(weight, [1, weight.shape[0], inF]), false, true), [...x.shape.slice(0, -1), weight.shape[0]]);
  return bias ? add(y, bias) : y;
}
