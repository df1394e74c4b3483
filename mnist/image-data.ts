// An image dataset in memory as the classification tasks use it: the splits as bytes, the
// dataset's identity and class names, its normalisation, and mini-batches turned into normalised
// (optionally augmented) floats. No files: browser-safe (data.ts loads the IDX files in Node; the
// page builds one from its bundled subset with imageDataFromIdx).

import type { Rng } from '../train/order.js';
import type { DatasetInfo } from './classes.js';
import { augmentBatch, gather, normalise } from './dataset.js';
import { decodeIdx, pairSplit } from './idx-format.js';

export interface ImageSet { images: Uint8Array; labels: Uint8Array; count: number }

/** Pixel mean and std after /255: what inputs are standardised with. */
export interface Stats { mean: number; std: number }

/** One example's layout: channels × rows × cols bytes. */
export interface ImageShape { channels: number; rows: number; cols: number }

export interface ImageData extends ImageShape {
  train: ImageSet;
  /** Held out from the training images by valSplit (count 0 when none). */
  val: ImageSet;
  test: ImageSet;
  numClasses: number;
  info: DatasetInfo;
  stats: Stats;
}

/** The images at `indices` as (v/255 − mean)/std; with an rng, each is randomly shifted, rotated and scaled first (all its channels alike). */
export function batchImages(set: ImageSet, indices: Int32Array, shape: ImageShape, stats: Stats, augment?: Rng): Float32Array {
  const { channels, rows, cols } = shape;
  const bytes = gather(set.images, indices, channels * rows * cols);
  if (!augment) return normalise(bytes, 'standard', stats);
  // Augment in [0, 1], where 0 is the background the warp brings in from outside the frame.
  const out = augmentBatch(normalise(bytes, 'unit'), rows, cols, augment, {}, channels);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - stats.mean) / stats.std;
  return out;
}

/** A whole set normalised, for evaluation. */
export function allImages(set: ImageSet, stats: Stats): Float32Array {
  return normalise(set.images, 'standard', stats);
}

/** An ImageData from IDX bytes (not gzipped) already in memory, with the dataset's identity and statistics given. */
export function imageDataFromIdx(files: { trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array },
  info: DatasetInfo, stats: Stats, where: string): ImageData {
  const split = (images: Uint8Array, labels: Uint8Array, name: string) => pairSplit(decodeIdx(images, 'images', `${where} ${name} images`),
    decodeIdx(labels, 'labels', `${where} ${name} labels`), { images: `${where} ${name} images`, labels: `${where} ${name} labels` }, { numClasses: info.classes.length });
  const train = split(files.trainImages, files.trainLabels, 'train'), test = split(files.testImages, files.testLabels, 'test');
  const empty: ImageSet = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  return { train, val: empty, test, rows: train.rows, cols: train.cols, channels: train.channels, numClasses: info.classes.length, info, stats };
}
