// The training run's data: MNIST loaded once as bytes, an optional stratified validation split, and
// mini-batches turned into normalised (optionally augmented) float tensors' worth of values.

import { augmentBatch, gather, MNIST_MEAN, MNIST_STD, normalise, stratifiedSplit, type Rng } from './dataset.js';
import { loadMnist } from './idx.js';

export interface ImageSet { images: Uint8Array; labels: Uint8Array; count: number }

export interface TrainData {
  train: ImageSet;
  /** Held out from the training images by --val-split (count 0 when none). */
  val: ImageSet;
  test: ImageSet;
  rows: number;
  cols: number;
  numClasses: number;
}

export interface DataOptions { dataDir?: string; limit?: number; testLimit?: number; valSplit?: number; seed?: number }

function subset(s: ImageSet, idx: Int32Array, size: number): ImageSet {
  return { images: gather(s.images, idx, size), labels: gather(s.labels, idx, 1), count: idx.length };
}

export function loadTrainData(o: DataOptions = {}): TrainData {
  const train = loadMnist({ dataDir: o.dataDir, split: 'train', limit: o.limit });
  const test = loadMnist({ dataDir: o.dataDir, split: 'test', limit: o.testLimit, numClasses: train.numClasses });
  const size = train.rows * train.cols;
  let fit: ImageSet = train, val: ImageSet = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  if (o.valSplit) {
    const split = stratifiedSplit(train.labels, o.valSplit, o.seed ?? 0);
    fit = subset(train, split.train, size);
    val = subset(train, split.val, size);
  }
  return { train: fit, val, test, rows: train.rows, cols: train.cols, numClasses: train.numClasses };
}

/** The images at `indices` as (v/255 − 0.1307)/0.3081; with an rng, each is randomly shifted, rotated and scaled first. */
export function batchImages(set: ImageSet, indices: Int32Array, rows: number, cols: number, augment?: Rng): Float32Array {
  const bytes = gather(set.images, indices, rows * cols);
  if (!augment) return normalise(bytes, 'standard');
  // Augment in [0, 1], where 0 is the background the warp brings in from outside the frame.
  const out = augmentBatch(normalise(bytes, 'unit'), rows, cols, augment);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - MNIST_MEAN) / MNIST_STD;
  return out;
}

/** A whole set normalised, for evaluation. */
export function allImages(set: ImageSet): Float32Array {
  return normalise(set.images, 'standard');
}
