// An image dataset loaded from its IDX files (Node): the splits read once as bytes, an optional
// stratified validation split, the dataset's identity and its normalisation. The in-memory shape
// and the batches are image-data.ts's (browser-safe).

import { datasetInfo, type DatasetInfo } from './classes.js';
import { gather, MNIST_MEAN, MNIST_STD, stratifiedSplit } from './dataset.js';
import { loadMnist, type MnistSet } from './idx.js';
import type { ImageData, ImageSet, Stats } from './image-data.js';

export { allImages, batchImages, type ImageData, type ImageSet, type Stats } from './image-data.js';

export interface DataOptions { dataDir?: string; limit?: number; testLimit?: number; valSplit?: number; seed?: number }

function subset(s: ImageSet, idx: Int32Array, size: number): ImageSet {
  return { images: gather(s.images, idx, size), labels: gather(s.labels, idx, 1), count: idx.length };
}

/** MNIST's published statistics for MNIST; for any other set, measured on its training images. */
export function pixelStats(set: MnistSet, info: DatasetInfo): Stats {
  if (info.name === 'mnist') return { mean: MNIST_MEAN, std: MNIST_STD };
  let sum = 0, sq = 0;
  for (const v of set.images) { sum += v; sq += v * v; }
  const n = set.images.length, mean = sum / n / 255;
  return { mean: Number(mean.toFixed(4)), std: Number(Math.sqrt(Math.max(sq / n / 65025 - mean * mean, 1e-12)).toFixed(4)) };
}

export function loadImageData(o: DataOptions = {}): ImageData {
  const train = loadMnist({ dataDir: o.dataDir, split: 'train', limit: o.limit });
  const test = loadMnist({ dataDir: o.dataDir, split: 'test', limit: o.testLimit, numClasses: train.numClasses });
  const info = datasetInfo(o.dataDir, test.allLabels, train.numClasses);
  const size = train.rows * train.cols;
  let fit: ImageSet = train, val: ImageSet = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  if (o.valSplit) {
    const split = stratifiedSplit(train.labels, o.valSplit, o.seed ?? 0);
    fit = subset(train, split.train, size);
    val = subset(train, split.val, size);
  }
  return { train: fit, val, test, rows: train.rows, cols: train.cols, numClasses: train.numClasses, info, stats: pixelStats(train, info) };
}

/** The test split alone (eval, the report): with the dataset's identity. */
export function loadTestData(o: { dataDir?: string; testLimit?: number }): { test: MnistSet; info: DatasetInfo } {
  const test = loadMnist({ dataDir: o.dataDir, split: 'test', limit: o.testLimit });
  return { test, info: datasetInfo(o.dataDir, test.allLabels, test.numClasses) };
}

