// The analysis report's numbers against known MNIST facts and against hand-checkable cases.
import { describe, expect, it } from 'vitest';
import { loadAnalysisData } from '../mnist/analyze/report.js';
import { argExtreme, labelCounts } from '../mnist/analyze/labels.js';
import { classMeanStd, pixelStats } from '../mnist/analyze/pixels.js';
import { pca, project } from '../mnist/analyze/pca.js';
import { mostConfusedPairs, perClassMetrics, rowNormalise } from '../mnist/analyze/metrics.js';
import { nearestCentroid } from '../mnist/analyze/nearest-centroid.js';
import { linearProbe } from '../mnist/analyze/linear-probe.js';
import { accuracy } from '../mnist/analyze/separability.js';
import { mulberry32 } from '../train/order.js';

describe('dataset statistics on the real MNIST', () => {
  const data = loadAnalysisData({});

  it('labels: first ten training labels, test counts per class, 5 rarest in train', () => {
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(labelCounts(data.test.labels, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const train = labelCounts(data.train.labels, 10);
    expect(train.reduce((a, b) => a + b, 0)).toBe(60000);
    expect(argExtreme(train, 'min')).toBe(5);
    expect(argExtreme(train, 'max')).toBe(1);
  });

  it('pixels: mean 0.1307 and std 0.3081 over the training set, about 81 % zeros', () => {
    const s = pixelStats(data.train.images);
    expect(s.mean).toBeCloseTo(0.1307, 4);
    expect(s.std).toBeCloseTo(0.3081, 4);
    expect(s.zeroShare).toBeGreaterThan(0.8);
    expect(s.zeroShare).toBeLessThan(0.82);
  });

  it('per-class mean images average back to the overall mean', () => {
    const size = 784;
    const { mean, counts } = classMeanStd(data.trainUnit, data.train.labels, 10, size);
    let total = 0;
    mean.forEach((m, c) => m.forEach((v) => (total += v * counts[c])));
    expect(total / (60000 * size)).toBeCloseTo(0.1307, 4);
  });
});

describe('pixelStats', () => {
  it('is exact on a tiny case', () => {
    const s = pixelStats(Uint8Array.from([0, 0, 255, 255]));
    expect(s).toMatchObject({ mean: 0.5, std: 0.5, zeroShare: 0.5, fullShare: 0.5, count: 4 });
  });
});

describe('pca (on the engine)', () => {
  // Samples with variances 9, 4, 1 along three orthonormal axes of R^5 (a rotation of the coordinate axes).
  const d = 5;
  const n = 4000;
  const axes = [
    [0.6, 0.8, 0, 0, 0],
    [-0.8, 0.6, 0, 0, 0],
    [0, 0, 0, 1, 0],
  ];
  const sd = [3, 2, 1];
  const rng = mulberry32(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = sd.map((s) => s * gauss());
    for (let j = 0; j < d; j++) data[i * d + j] = 10 + axes.reduce((acc, a, k) => acc + z[k] * a[j], 0);
  }

  it('finds the axes, their variances and the explained ratios', async () => {
    const m = await pca(data, n, d, { k: 3 });
    expect(m.eigenvalues[0]).toBeCloseTo(9, 0);
    expect(m.eigenvalues[1]).toBeCloseTo(4, 0);
    expect(m.eigenvalues[2]).toBeCloseTo(1, 0);
    for (let k = 0; k < 3; k++) {
      const c = Array.from(m.components.subarray(k * d, (k + 1) * d));
      const cos = Math.abs(c.reduce((s, v, j) => s + v * axes[k][j], 0));
      expect(cos).toBeGreaterThan(0.99);
    }
    expect(m.totalVariance).toBeGreaterThan(13);
    expect(m.totalVariance).toBeLessThan(15);
    expect(m.explainedRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3); // the data has no variance off the three axes
    Array.from(m.mean).forEach((v) => expect(v).toBeCloseTo(10, 0));
  });

  it('projects onto the components: the projection has the eigenvalues as variances', async () => {
    const m = await pca(data, n, d, { k: 2 });
    const y = await project(m, data, n, 2);
    const v = [0, 1].map((k) => { let s = 0; for (let i = 0; i < n; i++) s += y[2 * i + k] ** 2; return s / (n - 1); });
    expect(v[0]).toBeCloseTo(m.eigenvalues[0], 2);
    expect(v[1]).toBeCloseTo(m.eigenvalues[1], 2);
  });
});

describe('classification metrics', () => {
  const confusion = [
    [8, 2, 0],
    [1, 6, 3],
    [0, 0, 0],
  ];

  it('precision, recall and F1 per class; an empty class gets zeros, not NaN', () => {
    const m = perClassMetrics(confusion);
    expect(m[0]).toMatchObject({ support: 10, precision: 8 / 9, recall: 0.8 });
    expect(m[0].f1).toBeCloseTo((2 * (8 / 9) * 0.8) / (8 / 9 + 0.8), 12);
    expect(m[1]).toMatchObject({ support: 10, precision: 6 / 8, recall: 0.6 });
    expect(m[2]).toMatchObject({ support: 0, precision: 0, recall: 0, f1: 0 });
  });

  it('row-normalises and ranks the confused pairs', () => {
    expect(rowNormalise(confusion)).toEqual([[0.8, 0.2, 0], [0.1, 0.6, 0.3], [0, 0, 0]]);
    expect(mostConfusedPairs(confusion, 2)).toEqual([{ truth: 1, predicted: 2, count: 3 }, { truth: 0, predicted: 1, count: 2 }]);
  });
});

describe('nearest centroid and linear probe', () => {
  // Two Gaussian blobs per class in 2-D, far apart: both classifiers must be perfect.
  const make = (n: number, seed: number) => {
    const rng = mulberry32(seed);
    const values = new Float32Array(n * 2);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels[i] = c;
      values[2 * i] = [0, 10, 0][c] + rng() - 0.5;
      values[2 * i + 1] = [0, 0, 10][c] + rng() - 0.5;
    }
    return { m: { values, count: n, dim: 2 }, labels };
  };
  const tr = make(300, 1);
  const te = make(90, 2);

  it('nearest centroid separates separated blobs', async () => {
    expect(accuracy(await nearestCentroid(tr.m, tr.labels, te.m, 3), te.labels)).toBe(1);
  });

  it('the linear probe learns them with our autograd', async () => {
    const r = await linearProbe(tr.m, tr.labels, te.m, 3, { epochs: 20, batchSize: 32, lr: 0.05 });
    expect(accuracy(r.predictions, te.labels)).toBe(1);
    expect(r.trainLoss).toBeLessThan(0.1);
  });
});
