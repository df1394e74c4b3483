// An image dataset as the classification tasks use it: the IDX splits loaded once as bytes, an
// optional stratified validation split, the dataset's identity and class names, its normalisation,
// and mini-batches turned into normalised (optionally augmented) floats.

import type { Rng } from '../train/order.js';
import { datasetInfo, type DatasetInfo } from './classes.js';
import { augmentBatch, gather, MNIST_MEAN, MNIST_STD, normalise, stratifiedSplit } from './dataset.js';
import { loadMnist, type MnistSet } from './idx.js';

export interface ImageSet { images: Uint8Array; labels: Uint8Array; count: number }

/** Pixel mean and std after /255: what inputs are standardised with. */
export interface Stats { mean: number; std: number }

export interface ImageData {
  train: ImageSet;
  /** Held out from the training images by valSplit (count 0 when none). */
  val: ImageSet;
  test: ImageSet;
  rows: number;
  cols: number;
  numClasses: number;
  info: DatasetInfo;
  stats: Stats;
}

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

/** The images at `indices` as (v/255 − mean)/std; with an rng, each is randomly shifted, rotated and scaled first. */
export function batchImages(set: ImageSet, indices: Int32Array, rows: number, cols: number, stats: Stats, augment?: Rng): Float32Array {
  const bytes = gather(set.images, indices, rows * cols);
  if (!augment) return normalise(bytes, 'standard', stats);
  // Augment in [0, 1], where 0 is the background the warp brings in from outside the frame.
  const out = augmentBatch(normalise(bytes, 'unit'), rows, cols, augment);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - stats.mean) / stats.std;
  return out;
}

/** A whole set normalised, for evaluation. */
export function allImages(set: ImageSet, stats: Stats): Float32Array {
  return normalise(set.images, 'standard', stats);
}
