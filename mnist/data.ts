// An image dataset loaded from its files (Node): the splits read once as bytes (IDX files, or
// CIFAR-10's binary batches), checked against each other, an optional stratified validation split,
// the dataset's identity and class names, and its normalisation. The in-memory shape and the
// batches are image-data.ts's (browser-safe).

import { DataError } from '../io/files.js';
import { cifarFormat, isCifarDir, loadCifar } from './cifar.js';
import { datasetInfo, type DatasetInfo } from './classes.js';
import { gather, MNIST_MEAN, MNIST_STD, stratifiedSplit } from './dataset.js';
import { defaultDataDir, loadMnist, type MnistSet, type Split } from './idx.js';
import type { ImageData, ImageSet, Stats } from './image-data.js';

export { allImages, batchImages, type ImageData, type ImageSet, type ImageShape, type Stats } from './image-data.js';

export interface DataOptions { dataDir?: string; limit?: number; testLimit?: number; valSplit?: number; seed?: number }

export function subset(s: ImageSet, idx: Int32Array, size: number): ImageSet {
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

/** One split of the folder, whichever format it holds. */
function loadSplit(dataDir: string | undefined, split: Split, limit?: number, numClasses?: number): MnistSet {
  return isCifarDir(dataDir) ? loadCifar({ dataDir: dataDir!, split, limit, numClasses }) : loadMnist({ dataDir, split, limit, numClasses });
}

/**
 * The test split and the dataset it identifies. Its classes (a known set's, a classes.txt's, or max test label + 1)
 * are the class count every other split is checked against as it is read.
 */
export function loadTestData(o: { dataDir?: string; testLimit?: number }): { test: MnistSet; info: DatasetInfo } {
  const test = loadSplit(o.dataDir, 'test', o.testLimit);
  const info = datasetInfo(o.dataDir, test.allLabels, test.numClasses, isCifarDir(o.dataDir) ? cifarFormat(o.dataDir!) : undefined);
  return { test: { ...test, numClasses: info.classes.length }, info };
}

/** Both splits, the training labels checked against the test set's classes, and the image shapes against each other. */
export function loadSplits(o: { dataDir?: string; limit?: number; testLimit?: number }): { train: MnistSet; test: MnistSet; info: DatasetInfo } {
  const { test, info } = loadTestData(o);
  const train = loadSplit(o.dataDir, 'train', o.limit, info.classes.length);
  if (train.rows !== test.rows || train.cols !== test.cols || train.channels !== test.channels) {
    const shape = (s: MnistSet) => `${s.rows}×${s.cols}${s.channels > 1 ? `×${s.channels}` : ''}`;
    throw new DataError(`${o.dataDir ?? defaultDataDir()}: the training images are ${shape(train)} but the test images are ${shape(test)}; both splits must have one size`);
  }
  return { train, test, info };
}

export function loadImageData(o: DataOptions = {}): ImageData {
  const { train, test, info } = loadSplits(o);
  const { rows, cols, channels } = train;
  let fit: ImageSet = train, val: ImageSet = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  if (o.valSplit) {
    const split = stratifiedSplit(train.labels, o.valSplit, o.seed ?? 0);
    fit = subset(train, split.train, channels * rows * cols);
    val = subset(train, split.val, channels * rows * cols);
  }
  return { train: fit, val, test, rows, cols, channels, numClasses: info.classes.length, info, stats: pixelStats(train, info) };
}
