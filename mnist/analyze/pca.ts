// Principal component analysis on our engine: covariance by matmul, top eigenvectors by subspace (block power) iteration.
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index.js';
import { mulberry32, type Rng } from '../../train/order.js';
import { heatmap } from '../../viz/png.js';
import { barChart, scatterPlot } from '../../viz/svg.js';
import { digitsOnly, words, type SectionContext, type SectionResult } from './context.js';
import { mosaic } from '../../viz/draw.js';
import { colorBar, figure, img, p } from '../../viz/html.js';

export interface Pca {
  mean: Float32Array; // d
  /** k unit-length principal directions, row-major k × d, by decreasing variance; each signed so its largest entry is positive. */
  components: Float32Array;
  eigenvalues: number[]; // variance along each component
  totalVariance: number; // trace of the covariance
  explainedRatio: number[]; // eigenvalue / totalVariance
  iterations: number;
}

export interface PcaOptions {
  k?: number; // components to find, default 10
  maxIterations?: number; // default 300
  tolerance?: number; // stop when each of the first k eigenvalues moved less than this fraction, default 1e-6
  oversample?: number; // extra directions iterated along (faster convergence of the last of the k), default 10
  seed?: number;
}

/**
 * Orthonormalise the k columns of a d×k row-major matrix in place (modified Gram–Schmidt, two passes for accuracy).
 * A column that is (numerically) in the span of the earlier ones is replaced by a random one first: the
 * block must stay a basis even when the matrix has fewer than k non-zero eigenvalues.
 */
export function orthonormaliseColumns(m: Float64Array, d: number, k: number, rng: Rng = mulberry32(1)): void {
  const norm = (j: number) => { let s = 0; for (let r = 0; r < d; r++) s += m[r * k + j] ** 2; return Math.sqrt(s); };
  for (let j = 0; j < k; j++) {
    for (let attempt = 0; ; attempt++) {
      const before = norm(j);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          let dot = 0;
          for (let r = 0; r < d; r++) dot += m[r * k + i] * m[r * k + j];
          for (let r = 0; r < d; r++) m[r * k + j] -= dot * m[r * k + i];
        }
      }
      const after = norm(j);
      if (after > 1e-10 * before && after > 0) {
        for (let r = 0; r < d; r++) m[r * k + j] /= after;
        break;
      }
      if (attempt === 3) throw new Error(`orthonormaliseColumns: column ${j} stays in the span of the first ${j} (d = ${d})`);
      for (let r = 0; r < d; r++) m[r * k + j] = rng() - 0.5;
    }
  }
}

/** PCA of n samples of dimension d (row-major). Covariance is the unbiased (n − 1) one. */
export async function pca(data: Float32Array, n: number, d: number, o: PcaOptions = {}): Promise<Pca> {
  const { k: want = 10, maxIterations = 300, tolerance = 1e-6, oversample = 10, seed = 0 } = o;
  const k = Math.min(want, d, Math.max(1, n - 1));
  const b = Math.min(d, k + oversample); // block size
  if (n < 2) throw new RangeError(`pca: needs at least 2 samples, got ${n}`);
  const [mu, cov, total] = tidy(() => noGrad(() => {
    const x = tensor(data, { shape: [n, d] });
    const m = x.mean(0, true);
    const xc = x.sub(m);
    return [m, xc.t().matmul(xc).div(n - 1), xc.square().sum().div(n - 1)];
  }));
  const mean = Float32Array.from(await mu.data());
  const totalVariance = (await total.data())[0];
  mu.dispose();
  total.dispose();

  const rng = mulberry32(seed);
  const q = Float64Array.from({ length: d * b }, () => rng() - 0.5);
  orthonormaliseColumns(q, d, b, rng);
  let eig = new Array<number>(b).fill(0);
  let iterations = 0;
  try {
    for (; iterations < maxIterations; iterations++) {
      const zt: Tensor = noGrad(() => tidy(() => cov.matmul(tensor(Float32Array.from(q), { shape: [d, b] }))));
      const z = Float64Array.from(await zt.data());
      zt.dispose();
      // Rayleigh quotients qᵢ·(C qᵢ) before re-orthonormalising.
      const next = Array.from({ length: b }, (_, j) => { let s = 0; for (let r = 0; r < d; r++) s += q[r * b + j] * z[r * b + j]; return s; });
      // Strongest column first, so Gram–Schmidt never lets a near-null column claim a leading direction.
      const rank = next.map((_, j) => j).sort((i, j) => next[j] - next[i]);
      for (let r = 0; r < d; r++) rank.forEach((src, j) => (q[r * b + j] = z[r * b + src]));
      orthonormaliseColumns(q, d, b, rng);
      const sorted = rank.map((j) => next[j]);
      const moved = sorted.slice(0, k).every((v, j) => Math.abs(v - eig[j]) <= tolerance * Math.max(Math.abs(v), 1e-12));
      eig = sorted;
      if (moved && iterations > 2) break;
    }
  } finally {
    cov.dispose();
  }
  // Columns are kept sorted by decreasing eigenvalue; the first k are the answer.
  const components = new Float32Array(k * d);
  for (let j = 0; j < k; j++) {
    let big = 0;
    for (let r = 0; r < d; r++) if (Math.abs(q[r * b + j]) > Math.abs(big)) big = q[r * b + j];
    const sign = big < 0 ? -1 : 1;
    for (let r = 0; r < d; r++) components[j * d + r] = sign * q[r * b + j];
  }
  const eigenvalues = eig.slice(0, k);
  return { mean, components, eigenvalues, totalVariance, explainedRatio: eigenvalues.map((v) => v / totalVariance), iterations };
}

/** Coordinates of each sample on the first `dims` components: (x − mean) · componentsᵀ, with the engine. */
export async function project(model: Pca, data: Float32Array, n: number, dims: number): Promise<Float32Array> {
  const d = model.mean.length;
  const y = noGrad(() => tidy(() => {
    const x = tensor(data, { shape: [n, d] }).sub(tensor(model.mean, { shape: [1, d] }));
    return x.matmul(tensor(model.components.subarray(0, dims * d), { shape: [dims, d] }).t());
  }));
  const out = Float32Array.from(await y.data());
  y.dispose();
  return out;
}

export interface PcaStats {
  pca_samples: number;
  pca_explained_variance: number[];
  pca_iterations: number;
}

const SHOWN_COMPONENTS = 8;

export async function pcaSection(ctx: SectionContext, samples: number): Promise<SectionResult<PcaStats>> {
  const { train, trainUnit, rows, cols, numClasses } = ctx.data;
  const d = rows * cols;
  const n = Math.min(samples, train.count);
  const x = trainUnit.subarray(0, n * d);
  ctx.log(`analyze: PCA of ${n} training images (${d}×${d} covariance on the engine)`);
  const model = await pca(x, n, d, { k: 20, seed: ctx.seed });
  const xy = await project(model, x, n, 2);
  const labels = train.labels.subarray(0, n);
  const w = words(ctx.data);
  const scatter = scatterPlot(
    { x: Array.from({ length: n }, (_, i) => xy[2 * i]), y: Array.from({ length: n }, (_, i) => xy[2 * i + 1]), labels, classNames: w.names.slice(0, numClasses) },
    { title: `First two principal components of ${n} training ${w.item}s`, xLabel: 'PC 1', yLabel: 'PC 2', width: 720, height: 520 },
  );
  const ratios = model.explainedRatio.map((r) => 100 * r);
  const cum = ratios.reduce((acc, r) => [...acc, (acc[acc.length - 1] ?? 0) + r], [] as number[]);
  const bars = barChart({ categories: ratios.map((_, i) => String(i + 1)), series: [{ name: 'explained', values: ratios }] },
    { title: 'Variance explained by each component', xLabel: 'component', yLabel: '% of total variance', width: 640, height: 320 });
  const shown = Math.min(SHOWN_COMPONENTS, model.eigenvalues.length);
  const comps = Array.from({ length: shown }, (_, i) => model.components.subarray(i * d, (i + 1) * d));
  const m = Math.max(...comps.map((c) => c.reduce((a, v) => Math.max(a, Math.abs(v)), 0)));
  const compSrc = ctx.folder.png('pca-components', mosaic(comps.map((c) => heatmap(c, rows, cols, { map: 'diverging', range: [-m, m], scale: 3 })), shown));
  const body = [
    p(`The ${d}×${d} covariance of ${n} training images (pixels v/255) is computed with the engine's <code>matmul</code>; ` +
      `its top ${model.eigenvalues.length} eigenvectors come from subspace iteration (${model.iterations} products C·Q, Gram–Schmidt between them).`),
    figure(scatter, `Every point is one training ${w.item} placed by its coordinates on the first two principal components, coloured by its label. ` +
      `What to notice: how far the classes already separate on a plane that holds only ${cum[1].toFixed(1)} % of the variance` +
      digitsOnly(w, ' — it pulls 0s and 1s to opposite ends of PC 1 (much ink in a ring versus a little in a bar), while 4, 7 and 9 overlap heavily: ' +
        'a linear map of raw pixels cannot tell them apart.', ', and which classes overlap: those a linear map of raw pixels cannot tell apart.')),
    figure(bars, `Share of the total pixel variance captured by each of the first ${ratios.length} components. What to notice: the spectrum decays slowly — ` +
      `the first component explains ${ratios[0].toFixed(1)} %, the first 10 together ${cum[Math.min(9, cum.length - 1)].toFixed(1)} % and the first ${ratios.length} ` +
      `${cum[cum.length - 1].toFixed(1)} %; ${w.digits ? 'handwriting' : 'the'} variation is spread over many directions.`),
    figure(`${img(compSrc, 'the first principal components as images')}<br>${colorBar('diverging', [-m, m], 'component weight')}`,
      `The first ${shown} principal directions as ${rows}×${cols} images (red positive, blue negative), PC 1 on the left.` +
      digitsOnly(w, ' What to notice: PC 1 is a ring against a central bar (0 versus 1); later components contrast slants and the positions of loops.',
        ' What to notice: PC 1 is the commonest contrast between images (often overall brightness or size); later ones contrast shapes.')),
  ].join('\n');
  return { section: { id: 'pca', title: 'PCA', body }, stats: { pca_samples: n, pca_explained_variance: model.explainedRatio, pca_iterations: model.iterations } };
}
