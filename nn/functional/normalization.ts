// Batch and layer normalisation, composed from engine ops so their gradients come from autograd.

import { add, affine, formatShape as fmt, keep, layerNormLastAxis, mean, mul, noGrad, requireFloat, reshape, rsqrt, sub, variance, type Tensor } from '../../engine/index.js';

/** Running statistics that batchNorm replaces in place (the holder is the module's buffer slot). */
export interface RunningStats { mean: Tensor; var: Tensor }

export interface BatchNormOptions {
  weight?: Tensor | null; bias?: Tensor | null;
  running?: RunningStats | null;
  training: boolean; momentum?: number; eps?: number;
}

/** Normalise over every axis but the channel axis 1 (BatchNorm1d on [N,C] or [N,C,L], 2d on [N,C,H,W]). */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  requireFloat('batchNorm', x);
  if (x.ndim < 2) throw new Error(`batchNorm: input must be at least [N, C], got ${fmt(x.shape)}`);
  const c = x.shape[1];
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const chan = (t: Tensor, what: string) => {
    if (t.size !== c) throw new Error(`batchNorm: ${what} has ${t.size} values but the input has ${c} channels (${fmt(x.shape)})`);
    return reshape(t, x.shape.map((d, i) => (i === 1 ? c : 1)));
  };
  const eps = o.eps ?? 1e-5;
  let y: Tensor;
  if (o.training) {
    const n = x.size / c;
    if (n < 2) throw new Error(`batchNorm: training needs more than one value per channel, got input ${fmt(x.shape)}`);
    const mu = mean(x, axes, true);
    const v = variance(x, axes, true, 0);
    y = mul(sub(x, mu), rsqrt(add(v, eps)));
    if (o.running) {
      const r = o.running, m = o.momentum ?? 0.1;
      noGrad(() => {
        // PyTorch keeps the unbiased variance in its running estimate.
        const newMean = keep(add(affine(r.mean, 1 - m, 0), mul(reshape(mu, [c]), m)));
        const newVar = keep(add(affine(r.var, 1 - m, 0), mul(reshape(v, [c]), (m * n) / (n - 1))));
        r.mean.dispose(); r.var.dispose();
        r.mean = newMean; r.var = newVar;
      });
    }
  } else {
    if (!o.running) throw new Error('batchNorm: evaluation mode needs running statistics');
    y = mul(sub(x, chan(o.running.mean, 'running mean')), rsqrt(add(chan(o.running.var, 'running var'), eps)));
  }
  if (o.weight) y = mul(y, chan(o.weight, 'weight'));
  if (o.bias) y = add(y, chan(o.bias, 'bias'));
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
