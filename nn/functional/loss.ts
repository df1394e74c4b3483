// Losses, each stable by construction: cross-entropy from logits through logSoftmax, BCE with
// logits through the log-sum-exp identity.

import { abs, add, clamp, div, exp, gt, log, maximum, mul, ne, neg, relu, square, sub, where, formatShape as fmt, oneHot, logSoftmax, mean, sum, requireFloat, type Tensor } from '../../engine/index.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(x: Tensor, r: Reduction): Tensor {
  return r === 'mean' ? mean(x) : r === 'sum' ? sum(x) : x;
}

function checkTargets(op: string, logits: Tensor, target: Tensor, ignoreIndex?: number): void {
  if (logits.ndim !== 2) throw new Error(`${op}: input must be [N, C] logits, got ${fmt(logits.shape)}`);
  if (target.dtype === 'int32') {
    if (target.ndim !== 1 || target.shape[0] !== logits.shape[0]) {
      throw new Error(`${op}: target ${fmt(target.shape)} must be [N] class indices for input ${fmt(logits.shape)}`);
    }
    const c = logits.shape[1];
    // Where the values are at hand (CPU), an out-of-range label is an error, never a silent zero.
    const be = target.backend;
    if (be.readSync) {
      const t = be.readSync(target.storage);
      for (let i = 0; i < t.length; i++) {
        if ((t[i] < 0 || t[i] >= c) && t[i] !== ignoreIndex) {
          throw new Error(`${op}: target ${t[i]} at position ${i} is outside [0, ${c})${ignoreIndex === undefined ? '' : ` and is not the ignored index ${ignoreIndex}`}`);
        }
      }
    }
  } else if (target.shape.join() !== logits.shape.join()) {
    throw new Error(`${op}: probability targets ${fmt(target.shape)} must match input ${fmt(logits.shape)}`);
  }
}

/** logProbs[i, target[i]] for each row, as [N]. A select, not a one-hot product: a masked class
 *  (log-probability -Infinity) elsewhere in the row must not turn the sum into 0 · -Infinity = NaN. */
function pick(logProbs: Tensor, target: Tensor): Tensor {
  return sum(where(oneHot(target, logProbs.shape[1]), logProbs, 0), 1);
}

/** Negative log-likelihood of log-probabilities [N, C] at int32 targets [N]. */
export function nllLoss(logProbs: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkTargets('nllLoss', logProbs, target);
  return reduce(neg(pick(logProbs, target)), reduction);
}

export interface CrossEntropyOptions {
  labelSmoothing?: number;
  reduction?: Reduction;
  /** Rows whose int32 target is this class (padding) add nothing and are not counted by 'mean';
   *  'none' gives them 0. As PyTorch's ignore_index, which also leaves them out of the smoothing. */
  ignoreIndex?: number;
}

/** Cross-entropy from logits [N, C]; target int32 class indices [N] or float32 probabilities [N, C]. */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  requireFloat('crossEntropy', logits);
  const ignore = opts.ignoreIndex;
  if (ignore !== undefined && target.dtype !== 'int32') throw new Error('crossEntropy: ignoreIndex needs int32 class targets, not probabilities');
  checkTargets('crossEntropy', logits, target, ignore);
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const c = logits.shape[1];
  const logp = logSoftmax(logits, 1);
  const reduction = opts.reduction ?? 'mean';
  let rows: Tensor;
  if (target.dtype === 'int32' && eps === 0) {
    rows = neg(pick(logp, target));
  } else {
    let q = target.dtype === 'int32' ? oneHot(target, c) : target;
    // Label smoothing mixes the target with the uniform distribution, as PyTorch does.
    if (eps > 0) q = add(mul(q, 1 - eps), eps / c);
    rows = neg(sum(mul(logp, q), 1));
  }
  if (ignore === undefined) return reduce(rows, reduction);
  const counted = ne(target, ignore).float();
  const kept = mul(rows, counted);
  return reduction === 'mean' ? div(sum(kept), maximum(sum(counted), 1)) : reduce(kept, reduction);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  requireFloat('mseLoss', input, target);
  if (input.shape.join() !== target.shape.join()) throw new Error(`mseLoss: input ${fmt(input.shape)} and target ${fmt(target.shape)} differ`);
  return reduce(square(sub(input, target)), reduction);
}

/** log(x) clamped at -100, with a finite gradient at x = 0: log(0) is never formed, because its
 *  backward (g / x with g = 0 from the clamp) would be 0 / 0 = NaN. */
function clampedLog(x: Tensor): Tensor {
  const pos = gt(x, 0);
  return where(pos, clamp(log(where(pos, x, 1)), -100), -100);
}

/** BCE on probabilities; logs are clamped at -100 as in PyTorch so p = 0 or 1 stays finite
 *  (value and gradient). */
export function binaryCrossEntropy(p: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  requireFloat('binaryCrossEntropy', p, target);
  const lp = clampedLog(p), lq = clampedLog(sub(1, p));
  return reduce(neg(add(mul(target, lp), mul(sub(1, target), lq))), reduction);
}

/** BCE on logits: max(z,0) - z·t + log(1 + exp(-|z|)), never overflows. */
export function bceWithLogits(z: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  requireFloat('bceWithLogits', z, target);
  return reduce(add(sub(relu(z), mul(z, target)), log(add(exp(neg(abs(z))), 1))), reduction);
}
