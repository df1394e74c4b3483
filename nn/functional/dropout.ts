// Inverted dropout, from a seeded generator so the same seed drops the same units.

import { affine, defaultGenerator, ge, mul, rand, type Generator, type Tensor } from '../../engine/index.js';

/** Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p). */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (p < 0 || p >= 1) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const mask = affine(ge(rand(x.shape, { generator }), p), 1 / (1 - p), 0);
  return mul(x, mask);
}
