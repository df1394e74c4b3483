// Index selection (embeddings, one-hot picks) and its adjoint, scatter-add. Each is the
// other's backward, so gradients of any order come for free.

import { record } from '../autograd.js';
import { fmt, normAxis, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { eq, float } from './elementwise.js';
import { backendOf, wrap } from './kernel.js';
import { unsqueeze } from './shape.js';

function requireIndices(op: string, indices: Tensor): void {
  if (indices.dtype !== 'int32') throw new Error(`${op}: indices must be int32, got ${indices.dtype} ${fmt(indices.shape)}`);
}

/** x.index_select(dim, indices); indices of any shape replace axis `dim` (embedding lookup). */
export function indexSelect(x: Tensor, dim: number, indices: Tensor): Tensor {
  requireIndices('indexSelect', indices);
  const d = normAxis('indexSelect', dim, x.ndim);
  const be = backendOf('indexSelect', x, indices);
  const shape = [...x.shape.slice(0, d), ...indices.shape, ...x.shape.slice(d + 1)];
  const out = wrap(be, be.gather(x, indices, d), shape, x.dtype);
  return record('indexSelect', [x], out, (g) => [scatterAdd(g, indices, d, x.shape)]);
}

/** zeros(outShape), then add each slice of src at its index along dim (duplicates accumulate). */
export function scatterAdd(src: Tensor, indices: Tensor, dim: number, outShape: Shape): Tensor {
  requireIndices('scatterAdd', indices);
  const be = backendOf('scatterAdd', src, indices);
  const expected = [...outShape.slice(0, dim), ...indices.shape, ...outShape.slice(dim + 1)];
  if (expected.length !== src.ndim || expected.some((n, i) => n !== src.shape[i])) {
    throw new Error(`scatterAdd: src ${fmt(src.shape)} does not match indices ${fmt(indices.shape)} into ${fmt(outShape)} at axis ${dim}`);
  }
  const out = wrap(be, be.scatterAdd(src, indices, dim, outShape), outShape, src.dtype);
  return record('scatterAdd', [src], out, (g) => [indexSelect(g, dim, indices)]);
}

/** Rows of `weight` [vocab, dim] picked by int32 token ids of any shape. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  return indexSelect(weight, 0, indices);
}

/** float32 one-hot vectors along a new last axis. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  requireIndices('oneHot', labels);
  return float(eq(unsqueeze(labels, -1), arange(numClasses)));
}
