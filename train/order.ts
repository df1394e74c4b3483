// The seeded order of training items: a small PRNG for shuffles and augmentation (the engine has
// its own for weights), permutations, and mini-batches of indices. The loop draws a new order
// every epoch from (seed, epoch) alone, so a resumed run meets exactly the same batches.

/** A seeded uniform source in [0, 1). */
export type Rng = () => number;

/** mulberry32: a one-line 32-bit PRNG, plenty for shuffles and augmentation (the engine has its own for weights). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(a: Int32Array, rng: Rng): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** A seeded permutation of 0 … n−1. */
export function permutation(n: number, seed: number): Int32Array {
  return shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), mulberry32(seed));
}

/** Mini-batches of indices into `indices` (default 0 … count−1), shuffled by seed unless shuffle is false; the last partial batch is kept. */
export function* batches(
  count: number,
  batchSize: number,
  options: { seed?: number; shuffle?: boolean; indices?: Int32Array } = {},
): Generator<Int32Array> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const { seed = 0, shuffle = true } = options;
  const order = Int32Array.from(options.indices ?? Int32Array.from({ length: count }, (_, i) => i));
  if (shuffle) shuffleInPlace(order, mulberry32(seed));
  for (let start = 0; start < order.length; start += batchSize) yield order.slice(start, start + batchSize);
}

/**
 * Batches of items of similar length (less padding), still in a seeded random order: the items are
 * shuffled, cut into pools of `poolBatches` batches, each pool sorted by length and cut into
 * batches, and the batches shuffled. There are always ceil(n / batchSize) of them, as batches() gives.
 */
export function bucketedBatches(lengths: ArrayLike<number>, batchSize: number, seed: number, poolBatches = 50): Int32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`bucketedBatches: batchSize must be a positive integer, got ${batchSize}`);
  const rng = mulberry32(seed);
  const order = shuffleInPlace(Int32Array.from({ length: lengths.length }, (_, i) => i), rng);
  const pool = batchSize * poolBatches;
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += pool) {
    const chunk = order.slice(start, start + pool).sort((a, b) => lengths[a] - lengths[b] || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) out.push(chunk.slice(b, b + batchSize));
  }
  const perm = shuffleInPlace(Int32Array.from({ length: out.length }, (_, i) => i), rng);
  return Array.from(perm, (i) => out[i]);
}
