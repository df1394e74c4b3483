// CIFAR-10's binary format: data_batch_1.bin … data_batch_5.bin (training) and test_batch.bin, each a
// run of 3,073-byte records: one label byte, then the 32×32 red, green and blue planes (so each
// image is already channels-first, as the engine's NCHW wants). batches.meta.txt names the classes.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, readBytes, readText } from '../io/files.js';
import type { FormatDefaults } from './classes.js';
import type { MnistSet, Split } from './idx.js';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
const PIXELS = CIFAR_CHANNELS * CIFAR_SIDE * CIFAR_SIDE;
export const CIFAR_RECORD = 1 + PIXELS;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';

/** Does this folder hold CIFAR-10's binary files (rather than IDX files)? */
export function isCifarDir(dir: string | undefined): boolean {
  return !!dir && (existsSync(join(dir, TEST_FILE)) || existsSync(join(dir, TRAIN_FILES[0])));
}

/** CIFAR-10's class names: batches.meta.txt when the folder has it (one per line), else the published ten. */
export function cifarFormat(dir: string): FormatDefaults {
  const meta = join(dir, 'batches.meta.txt');
  const classes = existsSync(meta) ? readText(meta, 'class-name list').split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : CIFAR10_CLASSES;
  return { name: 'cifar-10', classes: classes.length ? classes : CIFAR10_CLASSES };
}

/** Split one batch file into its images and labels; a length that is not a whole number of records is refused. */
export function parseCifarBatch(bytes: Uint8Array, name: string): { images: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
    throw new DataError(`${name}: is ${bytes.length} bytes, not a whole number of ${CIFAR_RECORD}-byte CIFAR-10 records (1 label byte + 3×32×32 pixel bytes); truncated or not a CIFAR-10 batch`);
  }
  const n = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(n * PIXELS), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = bytes[i * CIFAR_RECORD];
    images.set(bytes.subarray(i * CIFAR_RECORD + 1, (i + 1) * CIFAR_RECORD), i * PIXELS);
  }
  return { images, labels };
}

export interface CifarOptions { dataDir: string; split: Split; limit?: number; numClasses?: number }

/** One split from a CIFAR-10 folder: the training batches that are there (at least data_batch_1.bin), or test_batch.bin. */
export function loadCifar(o: CifarOptions): MnistSet {
  const names = o.split === 'train' ? TRAIN_FILES.filter((f) => existsSync(join(o.dataDir, f))) : [TEST_FILE];
  if (o.split === 'train' && !names.includes(TRAIN_FILES[0])) throw new DataError(`${o.dataDir}: no ${TRAIN_FILES[0]} (CIFAR-10's first training batch)`);
  const parts = names.map((f) => ({ path: join(o.dataDir, f), ...parseCifarBatch(readBytes(join(o.dataDir, f), 'CIFAR-10 batch file'), join(o.dataDir, f)) }));
  const count = parts.reduce((s, p) => s + p.labels.length, 0);
  const allLabels = new Uint8Array(count), all = new Uint8Array(count * PIXELS);
  let at = 0, numClasses = o.numClasses ?? 0;
  for (const p of parts) {
    if (o.numClasses !== undefined) {
      const bad = p.labels.findIndex((v) => v >= o.numClasses!);
      if (bad >= 0) throw new DataError(`${p.path}: label ${p.labels[bad]} of record ${bad} is out of range for ${o.numClasses} classes (0–${o.numClasses - 1})`);
    } else for (const v of p.labels) numClasses = Math.max(numClasses, v + 1);
    allLabels.set(p.labels, at);
    all.set(p.images, at * PIXELS);
    at += p.labels.length;
  }
  const n = Math.min(count, o.limit ?? count);
  return { images: all.slice(0, n * PIXELS), labels: allLabels.slice(0, n), count: n, rows: CIFAR_SIDE, cols: CIFAR_SIDE, channels: CIFAR_CHANNELS, numClasses, allLabels };
}
