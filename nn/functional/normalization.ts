// Batch normalisation and layer normalisation, each on fused engine ops (layerNormComposed keeps
// the composed formula as the reference).

import {
  add, affine, batchNormInference, batchNormTraining, formatShape as fmt, keep, layerNormLastAxis, mean, mul, noGrad, requireFloat, reshape, rsqrt, sub,
  variance, type Tensor,
} from '../../engine/index.js';

/** Running statistics that batchNorm replaces in place (the holder is the module's buffer slot). */
export interface RunningStats { mean: Tensor; var: Tensor }

export interface BatchNormOptions {
  weight?: Tensor | null; bias?: Tensor | null;
  running?: RunningStats | null;
  training: boolean; momentum?: number; eps?: number;
}

/** Normalise over every axis but the channel axis 1 (BatchNorm1d on [N,C] or [N,C,L], 2d on [N,C,H,W]).
 *  Two fused engine ops (engine/ops/batchnorm.ts): the batch's statistics in training, the
 *  running ones in evaluation. */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  requireFloat('batchNorm', x);
  if (x.ndim < 2) throw new Error(`batchNorm: input must be at least [N, C], got ${fmt(x.shape)}`);
  const eps = o.eps ?? 1e-5;
  const weight = o.weight ?? null, bias = o.bias ?? null;
  if (!o.training) {
    if (!o.running) throw new Error('batchNorm: evaluation mode needs running statistics');
    return batchNormInference(x, o.running.mean, o.running.var, weight, bias, eps);
  }
  const { y, mean: mu, var: v } = batchNormTraining(x, weight, bias, eps);
  if (o.running) {
    const c = x.shape[1], n = x.size / c;
    const r = o.running, m = o.momentum ?? 0.1;
    noGrad(() => {
      // PyTorch keeps the unbiased variance in its running estimate.
      const newMean = keep(add(affine(r.mean, 1 - m, 0), mul(reshape(mu, r.mean.shape), m)));
      const newVar = keep(add(affine(r.var, 1 - m, 0), mul(reshape(v, r.var.shape), (m * n) / (n - 1))));
      r.mean.dispose(); r.var.dispose();
      r.mean = newMean; r.var = newVar;
    });
  }
  return y;
}

/** Normalise over the trailing `normalizedShape` axes (Transformers): one fused kernel each way
 *  (engine's layerNormLastAxis), the trailing axes and weight/bias flattened to one of n. A weight
 *  or bias of another shape (one that only broadcasts) takes the composed path. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x);
  const k = normalizedShape.length;
  if (k > x.ndim || normalizedShape.some((d, i) => d !== x.shape[x.ndim - k + i])) {
    throw new Error(`layerNorm: normalized shape ${fmt(normalizedShape)} does not match the end of input ${fmt(x.shape)}`);
  }
  const n = normalizedShape.reduce((a, b) => a * b, 1);
  const fits = (t: Tensor | null | undefined) => !t || (t.size === n && t.ndim === k && t.shape.every((d, i) => d === normalizedShape[i]));
  if (k >= 1 && fits(weight) && fits(bias)) {
    const flat = (t: Tensor | null | undefined) => (!t ? null : k === 1 ? t : reshape(t, [n]));
    const y = layerNormLastAxis(k === 1 ? x : reshape(x, [...x.shape.slice(0, x.ndim - k), n]), flat(weight), flat(bias), eps);
    return k === 1 ? y : reshape(y, x.shape);
  }
  return layerNormComposed(x, normalizedShape, weight, bias, eps);
}

/** layerNorm composed from engine ops (the reference the fused kernel is tested against). */
export function layerNormComposed(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mu = mean(x, axes, true);
  let y = mul(sub(x, mu), rsqrt(add(variance(x, axes, true, 0), eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}
