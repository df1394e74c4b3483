// Which dataset a folder holds, and the names of its classes: recognised by a fingerprint of its
// test labels (MNIST and Fashion-MNIST are known), or named by a classes.txt beside the files
// (one name per line), else "class 0", "class 1", …

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataError, readText } from '../io/files.js';

export interface DatasetInfo {
  /** 'mnist', 'fashion-mnist', or the folder's name. */
  name: string;
  classes: string[];
  /** The first 16 hex digits of the SHA-256 of the test labels. */
  fingerprint: string;
  /** Prose that is true of handwritten digits only is shown only for these. */
  digits: boolean;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const KNOWN: Record<string, { name: string; classes: string[]; digits: boolean }> = {
  ddeff807876a9661: { name: 'mnist', classes: DIGITS, digits: true },
  '3d0e6c6ea990b53b': { name: 'fashion-mnist', classes: FASHION_CLASSES, digits: false },
};

export const labelFingerprint = (labels: Uint8Array) => createHash('sha256').update(labels).digest('hex').slice(0, 16);

/** What a folder's format says when its labels are not recognised (CIFAR-10's binary files name their set). */
export interface FormatDefaults { name: string; classes: string[] }

/**
 * Name and classes of the set whose full test labels are `testLabels`, read from `dataDir` (undefined: the
 * bundled MNIST). The class count is that of a known set, or of a classes.txt, or `minClasses` (max test label + 1);
 * a list shorter than `minClasses` is an error naming it.
 */
export function datasetInfo(dataDir: string | undefined, testLabels: Uint8Array, minClasses: number, format?: FormatDefaults): DatasetInfo {
  const fingerprint = labelFingerprint(testLabels);
  const known = KNOWN[fingerprint];
  const listed = dataDir ? join(dataDir, 'classes.txt') : null;
  if (listed && existsSync(listed)) {
    const classes = readText(listed, 'class-name list (one name per line)').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (classes.length < minClasses) throw new DataError(`${listed}: lists ${classes.length} class names but the test labels go up to ${minClasses - 1}`);
    return { name: known?.name ?? format?.name ?? basename(resolve(dataDir!)), classes, fingerprint, digits: known?.digits ?? false };
  }
  if (known && known.classes.length >= minClasses) return { ...known, fingerprint };
  if (format && format.classes.length >= minClasses) return { ...format, fingerprint, digits: false };
  const name = dataDir ? basename(resolve(dataDir)) : 'mnist';
  return { name, classes: Array.from({ length: minClasses }, (_, c) => `class ${c}`), fingerprint, digits: false };
}
