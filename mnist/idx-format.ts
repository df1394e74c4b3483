// The IDX format of MNIST-style files: decoding and checking one buffer, and pairing an images
// file with its labels file into a split. Bytes in, no files: browser-safe (idx.ts reads the
// files and undoes gzip; the page fetches its bundled subset and decodes it here).
import { DataError } from '../io/errors.js';

export type Split = 'train' | 'test';
export type IdxKind = 'images' | 'labels';

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

/** Check and decode one IDX buffer (not gzipped): magic, dtype, dimensions and exact length. `name` prefixes every error. */
export function decodeIdx(bytes: Uint8Array, kind: IdxKind, name: string): IdxFile {
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

/** The IDX bytes of unsigned-byte data with these dimensions (the inverse of decodeIdx). */
export function encodeIdx(kind: IdxKind, dims: number[], data: Uint8Array): Uint8Array {
  const spec = SPEC[kind];
  if (dims.length !== spec.ndims || data.length !== dims.reduce((a, b) => a * b, 1)) {
    throw new RangeError(`encodeIdx: ${data.length} bytes do not fill an ${kind} file of ${dims.join('×')}`);
  }
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, spec.magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** An images file and its labels file as one split, checked against each other, optionally cut to the first `limit`. */
export function pairSplit(images: IdxFile, labels: IdxFile, names: { images: string; labels: string }, o: { limit?: number; numClasses?: number } = {}): MnistSet {
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${names.labels}: labels file has ${labels.dims[0]} labels but images file ${names.images} has ${count} images`);
  }
  const numClasses = checkLabels(labels.data, o.numClasses, names.labels);
  const n = Math.min(count, o.limit ?? count);
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
