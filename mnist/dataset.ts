// Turns raw MNIST bytes into training input: normalised floats, seeded batch order, a stratified validation split, augmentation.
import { mulberry32, shuffleInPlace, uniform, type Rng } from '../train/order.js';
import { gaussianBlur } from './features.js';

/** The MNIST training-set pixel statistics after /255. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export type Normalisation = 'unit' | 'standard';

/** Bytes to floats: 'unit' is v/255 in [0, 1]; 'standard' is (v/255 − mean)/std, mean 0 and std 1 on MNIST. */
export function normalise(
  bytes: Uint8Array,
  mode: Normalisation = 'unit',
  stats: { mean: number; std: number } = { mean: MNIST_MEAN, std: MNIST_STD },
): Float32Array {
  const out = new Float32Array(bytes.length);
  const [shift, scale] = mode === 'unit' ? [0, 1] : [stats.mean, 1 / stats.std];
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] / 255 - shift) * scale;
  return out;
}

/** Copy the images (each `size` values) at `indices` into one contiguous batch. */
export function gather<T extends Uint8Array | Float32Array>(data: T, indices: Int32Array, size: number): T {
  const out = new (data.constructor as new (n: number) => T)(indices.length * size);
  indices.forEach((idx, k) => out.set(data.subarray(idx * size, (idx + 1) * size), k * size));
  return out;
}

/**
 * Validation split that keeps each class's share: per class, a seeded round(n_c × fraction) go to validation.
 * Both index lists come back sorted ascending.
 */
export function stratifiedSplit(labels: Uint8Array, fraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`stratifiedSplit: fraction must be in [0, 1], got ${fraction}`);
  const rng = mulberry32(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(i));
  const train: number[] = [];
  const val: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(Int32Array.from(byClass.get(c)!), rng);
    const nVal = Math.round(members.length * fraction);
    members.forEach((i, k) => (k < nVal ? val : train).push(i));
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), val: sorted(val) };
}

/** Value at fractional (x, y) by bilinear interpolation; outside the image is background 0. */
export function sampleBilinear(img: Float32Array, rows: number, cols: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xi: number, yi: number) => (xi < 0 || yi < 0 || xi >= cols || yi >= rows ? 0 : img[yi * cols + xi]);
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

export interface AffineParams {
  rotation: number; // degrees, counter-clockwise as seen on screen
  dx: number; // pixels right
  dy: number; // pixels down
  scale: number; // 1 = unchanged
}

export const IDENTITY: AffineParams = { rotation: 0, dx: 0, dy: 0, scale: 1 };

/** Rotate and scale about the image centre, then shift; each output pixel pulls its value from the inverse-mapped source. */
export function affine(img: Float32Array, rows: number, cols: number, p: AffineParams): Float32Array {
  const out = new Float32Array(rows * cols);
  const cx = (cols - 1) / 2;
  const cy = (rows - 1) / 2;
  const t = (-p.rotation * Math.PI) / 180; // y points down, so a screen-CCW turn is a negative angle here
  const cos = Math.cos(t) / p.scale;
  const sin = Math.sin(t) / p.scale;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const u = x - cx - p.dx;
      const v = y - cy - p.dy;
      out[y * cols + x] = sampleBilinear(img, rows, cols, cx + cos * u + sin * v, cy - sin * u + cos * v);
    }
  }
  return out;
}

export interface AffineRanges {
  maxRotation?: number; // degrees, default 10
  maxShift?: number; // pixels, default 2
  scale?: [number, number]; // default [0.9, 1.1]
}

/** Draw affine parameters uniformly within the ranges that keep a digit recognisably the same digit. */
export function randomAffine(rng: Rng, ranges: AffineRanges = {}): AffineParams {
  const { maxRotation = 10, maxShift = 2, scale = [0.9, 1.1] } = ranges;
  return {
    rotation: uniform(rng, -maxRotation, maxRotation),
    dx: uniform(rng, -maxShift, maxShift),
    dy: uniform(rng, -maxShift, maxShift),
    scale: uniform(rng, scale[0], scale[1]),
  };
}

export interface ElasticOptions {
  alpha?: number; // displacement strength in pixels, default 34
  sigma?: number; // smoothness of the field, default 4
}

/**
 * Elastic distortion (Simard et al. 2003): uniform(−1, 1) displacement fields, Gaussian-smoothed, scaled by alpha.
 * The noise is drawn on a canvas 3σ larger on every side and cropped, so the field is equally strong everywhere
 * (smoothing with replicated borders would make it stronger along the image edges).
 */
export function elastic(img: Float32Array, rows: number, cols: number, rng: Rng, options: ElasticOptions = {}): Float32Array {
  const { alpha = 34, sigma = 4 } = options;
  const m = Math.ceil(3 * sigma);
  const [pr, pc] = [rows + 2 * m, cols + 2 * m];
  const field = () => gaussianBlur(Float32Array.from({ length: pr * pc }, () => uniform(rng, -1, 1)), pr, pc, sigma);
  const fx = field();
  const fy = field();
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const j = (y + m) * pc + (x + m);
      out[y * cols + x] = sampleBilinear(img, rows, cols, x + alpha * fx[j], y + alpha * fy[j]);
    }
  }
  return out;
}

export interface AugmentOptions {
  affine?: AffineRanges | false; // default: the ranges of randomAffine
  elastic?: ElasticOptions | false; // default: off
}

/**
 * Augment a batch of images (each `channels` planes of rows×cols) with a seeded random affine and optional
 * elastic distortion, the same warp for every plane of an image.
 * Never flips: a mirrored 2, 3, 7 or 9 is not that digit any more, so a flip would teach the network wrong labels.
 */
export function augmentBatch(images: Float32Array, rows: number, cols: number, rng: Rng, options: AugmentOptions = {}, channels = 1): Float32Array {
  const plane = rows * cols, size = channels * plane;
  const out = new Float32Array(images.length);
  for (let k = 0; k < images.length / size; k++) {
    const params = options.affine !== false ? randomAffine(rng, options.affine) : null;
    // One elastic field per image: the first plane draws it from rng, the others replay the same draws.
    const drawn: number[] = [];
    const replay = (): Rng => { let i = 0; return () => (i === drawn.length ? (drawn.push(rng()), drawn[i++]) : drawn[i++]); };
    for (let c = 0; c < channels; c++) {
      let img = images.subarray(k * size + c * plane, k * size + (c + 1) * plane);
      if (params) img = affine(img, rows, cols, params);
      if (options.elastic) img = elastic(img, rows, cols, replay(), options.elastic);
      out.set(img, k * size + c * plane);
    }
  }
  return out;
}
