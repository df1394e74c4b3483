// How good a generator's digits are, judged by a trained classifier: the share of each predicted
// class (mode collapse shows at once), the mean top-class probability and the share above 0.9,
// for a conditional model the share that agrees with the class asked for, and the Fréchet
// distance between Gaussians fitted to the classifier's penultimate features of generated and of
// real digits (an FID for MNIST). The matrix square roots come from a symmetric eigendecomposition
// (cyclic Jacobi in float64): sqrt(C1), then tr sqrt(C1^½ C2 C1^½).

import { noGrad, tensor, tidy } from '../engine/index.js';
import { Sequential, type Module } from '../nn/index.js';
import type { Stats } from './image-data.js';

/** The mean and covariance (divided by n − 1) of n feature rows of length d. */
export interface Gaussian { mean: Float64Array; cov: Float64Array; d: number; n: number }

export function gaussianOf(features: Float32Array | Float64Array, d: number): Gaussian {
  const n = features.length / d;
  if (!Number.isInteger(n) || n < 2) throw new Error(`gaussianOf: need at least 2 rows of ${d} features, got ${features.length} values`);
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = features[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) { const ra = row[a]; for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b]; }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { cov[a * d + b] /= n - 1; cov[b * d + a] = cov[a * d + b]; }
  return { mean, cov, d, n };
}

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric d×d matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(m: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m), v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  const offNorm = () => { let s = 0; for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) s += a[i * d + j] ** 2; return s; };
  let total = 0;
  for (let i = 0; i < d * d; i++) total += a[i] ** 2;
  for (let sweep = 0; sweep < 100 && offNorm() > 1e-30 * Math.max(total, 1e-300); sweep++) {
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, the stable choice of t).
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq; a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk; a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq; v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

/** The square root of a symmetric positive semi-definite matrix (negative rounding-error eigenvalues read as 0). */
export function sqrtSymmetric(m: Float64Array, d: number): Float64Array {
  const { values, vectors: v } = symmetricEigen(m, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const r = Math.sqrt(Math.max(values[k], 0));
    if (r === 0) continue;
    for (let i = 0; i < d; i++) { const vik = v[i * d + k] * r; for (let j = 0; j < d; j++) out[i * d + j] += vik * v[j * d + k]; }
  }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) { const aik = a[i * d + k]; for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j]; }
  return out;
}

/** ‖μ1 − μ2‖² + tr(C1 + C2 − 2 (C1^½ C2 C1^½)^½): the Fréchet distance of two Gaussians. */
export function frechetDistance(g1: Gaussian, g2: Gaussian): number {
  const d = g1.d;
  if (g2.d !== d) throw new Error(`frechetDistance: ${g1.d} features against ${g2.d}`);
  let meanTerm = 0, trace = 0;
  for (let i = 0; i < d; i++) { meanTerm += (g1.mean[i] - g2.mean[i]) ** 2; trace += g1.cov[i * d + i] + g2.cov[i * d + i]; }
  const s1 = sqrtSymmetric(g1.cov, d);
  const inner = matmul(matmul(s1, g2.cov, d), s1, d);
  // Symmetrise: rounding leaves it a hair off, and Jacobi wants it exact.
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) { const x = (inner[i * d + j] + inner[j * d + i]) / 2; inner[i * d + j] = x; inner[j * d + i] = x; }
  const { values } = symmetricEigen(inner, d);
  let cross = 0;
  for (const x of values) cross += Math.sqrt(Math.max(x, 0));
  return Math.max(0, meanTerm + trace - 2 * cross);
}

export interface ClassJudgement {
  /** Share of the samples predicted as each class. */
  class_shares: number[];
  /** Mean of each sample's top-class probability. */
  mean_top_prob: number;
  /** Share of the samples whose top-class probability is at least 0.9. */
  confident_share: number;
  /** Conditional: share whose predicted class is the one asked for. */
  agreement?: number;
}

/** Judge n samples from their class probabilities (n × classes, rows summing to 1), and the classes asked for if any. */
export function judgeClasses(probs: Float32Array, classes: number, asked?: ArrayLike<number>): ClassJudgement {
  const n = probs.length / classes;
  const counts = new Array<number>(classes).fill(0);
  let top = 0, confident = 0, agree = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k] > probs[i * classes + best]) best = k;
    const p = probs[i * classes + best];
    counts[best]++;
    top += p;
    if (p >= 0.9) confident++;
    if (asked && asked[i] === best) agree++;
  }
  return {
    class_shares: counts.map((c) => c / n), mean_top_prob: top / n, confident_share: confident / n,
    ...(asked ? { agreement: agree / n } : {}),
  };
}

/** What the classifier sees of a batch: class probabilities and its penultimate layer's features. */
export interface ClassifierView { probs: Float32Array; features: Float32Array; classes: number; dims: number }

/**
 * Run a Sequential classifier (the `cnn`) over images in [0, 1] (n × rows·cols), standardised with its `stats`,
 * keeping the input of its last layer as the features. In eval mode, without a graph, in batches.
 */
export async function classifierView(model: Module, images: Float32Array, shape: readonly number[], stats: Stats, batch = 500): Promise<ClassifierView> {
  if (!(model instanceof Sequential)) throw new Error('classifierView: the classifier must be a Sequential (its last layer is the head)');
  const layers = model.layers().map(([, m]) => m);
  const head = layers[layers.length - 1];
  const size = shape.reduce((a, b) => a * b, 1), n = images.length / size;
  const probs: Float32Array[] = [], features: Float32Array[] = [];
  let classes = 0, dims = 0;
  const was = model.training;
  model.eval();
  try {
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      const [p, f] = tidy(() => noGrad(() => {
        let x = tensor(images.subarray(s * size, (s + m) * size), { shape: [m, ...shape] }).sub(stats.mean).div(stats.std);
        for (const l of layers.slice(0, -1)) x = l.forward(x);
        return [head.forward(x).softmax(1), x];
      }));
      classes = p.shape[1]; dims = f.shape[1];
      probs.push((await p.data()) as Float32Array); features.push((await f.data()) as Float32Array);
      p.dispose(); f.dispose();
    }
  } finally {
    model.train(was);
  }
  const join = (parts: Float32Array[]) => { const out = new Float32Array(parts.reduce((k, x) => k + x.length, 0)); let o = 0; for (const x of parts) { out.set(x, o); o += x.length; } return out; };
  return { probs: join(probs), features: join(features), classes, dims };
}
