// Batch normalisation as two fused ops (issue 10): training mode (the batch's statistics) and
// evaluation mode (given statistics), each forward one or two backend kernels instead of ~10
// broadcast passes. The channel is axis 1 of x [N, C, ...]; statistics are over every other axis.
//
// Training's backward is the fused kernel batchNormBackward. That kernel is not itself an op, so
// under createGraph (a backward being recorded for second-order gradients) the same gradient is
// built from differentiable ops instead, recomputing the statistics from x, so double backward
// sees their dependence on x. Evaluation's backward is written with ops (it is cheap: one
// per-channel multiply for dx), so it is differentiable as it stands.

import { isGradEnabled, record } from '../autograd.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, mul, neg, rsqrt, sub } from './elementwise.js';
import { backendOf, requireFloat, wrap } from './kernel.js';
import { mean, sum, variance } from './reduce.js';
import { reshape } from './shape.js';

/** The result of training-mode batch norm: y, and the batch mean and biased variance ([C]; no
 *  gradient flows through these two: they are for the running statistics). */
export interface BatchNormTraining { y: Tensor; mean: Tensor; var: Tensor }

function check(op: string, x: Tensor, named: Record<string, Tensor | null>): void {
  requireFloat(op, x);
  if (x.ndim < 2) throw new Error(`${op}: input must be at least [N, C], got ${fmt(x.shape)}`);
  const c = x.shape[1];
  for (const [what, t] of Object.entries(named)) {
    if (!t) continue;
    requireFloat(op, t);
    if (t.size !== c) throw new Error(`${op}: ${what} has ${t.size} values but the input has ${c} channels (${fmt(x.shape)})`);
  }
}

const reduceAxes = (x: Tensor) => x.shape.map((_, i) => i).filter((i) => i !== 1);
const channelShape = (x: Tensor) => x.shape.map((d, i) => (i === 1 ? d : 1));
const present = (ts: (Tensor | null)[]) => ts.filter((t): t is Tensor => t !== null);

/** Normalise x with its own batch statistics: y = (x − mean)·rsqrt(var + eps)·weight + bias. */
export function batchNormTraining(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): BatchNormTraining {
  check('batchNorm', x, { weight, bias });
  const c = x.shape[1];
  if (x.size / c < 2) throw new Error(`batchNorm: training needs more than one value per channel, got input ${fmt(x.shape)}`);
  const be = backendOf('batchNorm', x, ...present([weight, bias]));
  const stats = be.batchNormStats(x);
  const mu = wrap(be, stats.mean, [c], 'float32'), v = wrap(be, stats.var, [c], 'float32');
  const shifted = be.unary('affine', v, 1, eps);
  const rstd = wrap(be, be.unary('rsqrt', { storage: shifted, shape: [c], dtype: 'float32' }), [c], 'float32');
  be.dispose(shifted);
  const y = wrap(be, be.batchNormApply(x, mu, rstd, weight, bias), x.shape, 'float32');
  const inputs = present([x, weight, bias]);
  record('batchNorm', inputs, y, (g) => {
    let dx: Tensor, dw: Tensor | null = null, db: Tensor | null = null;
    if (isGradEnabled()) {
      [dx, dw, db] = trainingBackwardOps(g, x, weight, eps);
    } else {
      const r = be.batchNormBackward(g, x, mu, rstd, weight);
      dx = wrap(be, r.dx, x.shape, 'float32');
      // An unused one is freed with the backward's scope.
      dw = wrap(be, r.dweight, weight ? weight.shape : [c], 'float32');
      db = wrap(be, r.dbias, bias ? bias.shape : [c], 'float32');
    }
    return present([dx, weight && dw, bias && db]);
  });
  return { y, mean: mu, var: v };
}

/** The training gradient as differentiable ops (under createGraph). */
function trainingBackwardOps(g: Tensor, x: Tensor, weight: Tensor | null, eps: number): [Tensor, Tensor | null, Tensor] {
  const axes = reduceAxes(x), cs = channelShape(x);
  const r = rsqrt(add(variance(x, axes, true, 0), eps));
  const xhat = mul(sub(x, mean(x, axes, true)), r);
  const gx = mul(g, xhat);
  const core = sub(sub(g, mean(g, axes, true)), mul(xhat, mean(gx, axes, true)));
  const dx = mul(core, weight ? mul(r, reshape(weight, cs)) : r);
  const dw = weight ? reshape(sum(gx, axes), weight.shape) : null;
  return [dx, dw, sum(g, axes)];
}

/** Normalise x with given statistics (evaluation): y = (x − mean)·rsqrt(var + eps)·weight + bias,
 *  one per-channel affine pass. Differentiable in every input (gradcheck checks mean and var too). */
export function batchNormInference(x: Tensor, runMean: Tensor, runVar: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  check('batchNorm', x, { 'running mean': runMean, 'running var': runVar, weight, bias });
  const c = x.shape[1];
  const be = backendOf('batchNorm', x, runMean, runVar, ...present([weight, bias]));
  const mu = reshape(runMean, [c]);
  const rstd = rsqrt(add(reshape(runVar, [c]), eps));
  const w = weight && reshape(weight, [c]), b = bias && reshape(bias, [c]);
  const y = wrap(be, be.batchNormApply(x, mu, rstd, w, b), x.shape, 'float32');
  const inputs = present([x, mu, rstd, w, b]);
  return record('batchNorm', inputs, y, (g) => {
    const axes = reduceAxes(x), cs = channelShape(x);
    const scale = w ? mul(rstd, w) : rstd;
    const dx = x.requiresGrad ? mul(g, reshape(scale, cs)) : null;
    const gs = mu.requiresGrad || b?.requiresGrad ? sum(g, axes) : null;
    // Σ g·(x − mean), for the gradients of rstd and weight.
    const gc = rstd.requiresGrad || w?.requiresGrad ? sum(mul(g, sub(x, reshape(mu, cs))), axes) : null;
    const dmu = gs && mu.requiresGrad ? neg(mul(gs, scale)) : null;
    const drstd = gc && rstd.requiresGrad ? (w ? mul(gc, w) : gc) : null;
    const dw = w && gc && w.requiresGrad ? mul(gc, rstd) : null;
    return [dx, dmu, drstd, ...(w ? [dw] : []), ...(b ? [gs] : [])];
  });
}
