// Layer normalisation over the last axis as one op on one fused backend kernel each way (the
// composed form cost six kernels and five temporaries forward, about twice that backward).
// Its first-order backward is the fused backward kernel; under createGraph (higher order) it is
// the same formula written with ops, so gradients of gradients still come from autograd.

import { isGradEnabled, record } from '../autograd.js';
import { fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul, rsqrt, square, sub } from './elementwise.js';
import { backendOf, requireFloat, wrap } from './kernel.js';
import { mean } from './reduce.js';

/** (x − mean) / √(var + eps) · weight + bias over the last axis of x (biased variance, as
 *  PyTorch's LayerNorm); weight and bias are [n] (n = the last dimension) or null. */
export function layerNormLastAxis(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x, ...[weight, bias].filter((t): t is Tensor => !!t));
  if (x.ndim === 0) throw new Error('layerNorm: input must have at least one dimension, got a scalar');
  const n = x.shape[x.ndim - 1];
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== n)) throw new Error(`layerNorm: ${what} ${fmt(t.shape)} must be [${n}], the last dimension of input ${fmt(x.shape)}`);
  }
  const inputs = [x, weight, bias].filter((t): t is Tensor => !!t);
  const be = backendOf('layerNorm', ...inputs);
  const y = wrap(be, be.layerNorm(x, weight, bias, eps), x.shape, 'float32');
  return record('layerNorm', inputs, y, (g) => {
    const [dx, dw, db] = isGradEnabled() ? composedBackward(g, x, weight, eps) : fusedBackward(g, x, weight, bias, eps);
    return [dx, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
  });
}

function fusedBackward(g: Tensor, x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): [Tensor, Tensor | null, Tensor | null] {
  const be = backendOf('layerNorm', g, x);
  const n = x.shape[x.ndim - 1];
  const r = be.layerNormBackward(g, x, weight, eps);
  const dx = wrap(be, r.dx, x.shape, 'float32');
  const dw = wrap(be, r.dweight, [n], 'float32'), db = wrap(be, r.dbias, [n], 'float32');
  // The kernel always makes both; drop what no input asked for.
  if (!weight?.requiresGrad) dw.dispose();
  if (!bias?.requiresGrad) db.dispose();
  return [dx, weight?.requiresGrad ? dw : null, bias?.requiresGrad ? db : null];
}

/** The same gradients in ops (differentiable again); dweight and dbias at x's shape, which
 *  backward() sums down to [n]. */
function composedBackward(g: Tensor, x: Tensor, weight: Tensor | null, eps: number): [Tensor, Tensor, Tensor] {
  const xc = sub(x, mean(x, -1, true));
  const rs = rsqrt(add(mean(square(xc), -1, true), eps));
  const xh = mul(xc, rs);
  const gh = weight ? mul(g, weight) : g;
  const dx = mul(rs, sub(sub(gh, mean(gh, -1, true)), mul(xh, mean(mul(gh, xh), -1, true))));
  return [dx, mul(g, xh), g];
}
