// The IDX reader against the real MNIST files and against deliberately broken copies.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../io/files.js';
import { defaultDataDir, loadMnist, type MnistOptions } from '../mnist/idx.js';
import { normalise } from '../mnist/dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder holding the given files (name → bytes). */
function folder(name: string, files: Record<string, Uint8Array>): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(dir, f), bytes);
  return dir;
}

function idx(magic: number, dims: number[], payload: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return out;
}

/** Byte-for-byte equality (vitest's deep equal walks typed arrays element by element: minutes for 47 MB). */
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

function errorOf(options: MnistOptions): string {
  try {
    loadMnist(options);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('loadMnist on the real files', () => {
  const train = loadMnist({ split: 'train' });
  const test = loadMnist({ split: 'test' });

  it('has the documented shapes and first labels', () => {
    expect([train.count, train.rows, train.cols, train.numClasses]).toEqual([60000, 28, 28, 10]);
    expect(test.count).toBe(10000);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });

  it('has the documented test counts per class', () => {
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('has pixel mean 0.1307 and std 0.3081 after /255', () => {
    const x = normalise(train.images);
    let sum = 0;
    let sq = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / x.length;
    expect(mean.toFixed(4)).toBe('0.1307');
    expect(Math.sqrt(sq / x.length - mean * mean).toFixed(4)).toBe('0.3081');
  });

  it('standardisation gives mean ≈ 0 and std ≈ 1', () => {
    const x = normalise(train.images.subarray(0, 784 * 5000), 'standard');
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
  });

  it('limit keeps the first N', () => {
    const small = loadMnist({ split: 'train', limit: 100 });
    expect(small.count).toBe(100);
    expect(sameBytes(small.images, train.images.subarray(0, 100 * 784))).toBe(true);
    expect(sameBytes(small.labels, train.labels.subarray(0, 100))).toBe(true);
    expect(() => loadMnist({ split: 'train', limit: 0 })).toThrow(/limit must be a positive integer, got 0/);
  });

  it('a gzipped copy (and the dot-named variant) loads identically', () => {
    const src = defaultDataDir();
    const dir = folder('gz', {
      't10k-images-idx3-ubyte.gz': gzipSync(readFileSync(join(src, 't10k-images-idx3-ubyte'))),
      't10k-labels.idx1-ubyte': readFileSync(join(src, 't10k-labels-idx1-ubyte')),
    });
    const copy = loadMnist({ dataDir: dir, split: 'test' });
    expect(copy.count).toBe(10000);
    expect(copy.numClasses).toBe(10);
    expect(sameBytes(copy.images, test.images)).toBe(true);
    expect(sameBytes(copy.labels, test.labels)).toBe(true);
  });
});

describe('loadMnist on bad files', () => {
  const labels10 = idx(0x801, [10], 10);

  it('wrong magic', () => {
    const dir = folder('magic', { 'train-images-idx3-ubyte': idx(0x804, [10, 28, 28], 7840), 'train-labels-idx1-ubyte': labels10 });
    expect(errorOf({ dataDir: dir, split: 'train' })).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: wrong magic 0x00000804, expected 0x00000803 (an images file)`,
    );
  });

  it('labels file given as images', () => {
    const dir = folder('swapped', { 'train-images-idx3-ubyte': labels10, 'train-labels-idx1-ubyte': labels10 });
    expect(errorOf({ dataDir: dir, split: 'train' })).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: wrong magic 0x00000801, expected 0x00000803 (an images file)`,
    );
  });

  it('truncated images', () => {
    const dir = folder('trunc', { 'train-images-idx3-ubyte': idx(0x803, [60000, 28, 28], 1000), 'train-labels-idx1-ubyte': labels10 });
    expect(errorOf({ dataDir: dir, split: 'train' })).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: truncated: header says 60000×28×28 = 47040000 pixel bytes but the file has 1000 after the 16-byte header`,
    );
  });

  it('truncated gzipped labels', () => {
    const dir = folder('trunc-gz', {
      't10k-images-idx3-ubyte': idx(0x803, [10, 28, 28], 7840),
      't10k-labels-idx1-ubyte.gz': gzipSync(idx(0x801, [10], 9)),
    });
    expect(errorOf({ dataDir: dir, split: 'test' })).toBe(
      `${join(dir, 't10k-labels-idx1-ubyte.gz')}: truncated: header says 10 label bytes but the file has 9 after the 8-byte header`,
    );
  });

  it('label count differs from image count', () => {
    const dir = folder('count', { 'train-images-idx3-ubyte': idx(0x803, [10, 28, 28], 7840), 'train-labels-idx1-ubyte': idx(0x801, [9], 9) });
    expect(errorOf({ dataDir: dir, split: 'train' })).toBe(
      `${join(dir, 'train-labels-idx1-ubyte')}: labels file has 9 labels but images file train-images-idx3-ubyte has 10 images`,
    );
  });

  it('wrong dtype', () => {
    const dir = folder('dtype', { 'train-images-idx3-ubyte': idx(0x0d03, [10, 28, 28], 7840), 'train-labels-idx1-ubyte': labels10 });
    expect(errorOf({ dataDir: dir, split: 'train' })).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: dtype 0x0d is not supported, expected 0x08 (unsigned bytes)`,
    );
  });

  it('infers the class count (EMNIST letters) and flags labels out of an expected range', () => {
    const labels = idx(0x801, [10], 10);
    labels[8 + 3] = 26;
    const dir = folder('letters', { 'emnist-letters-train-images-idx3-ubyte': idx(0x803, [10, 28, 28], 7840), 'emnist-letters-train-labels-idx1-ubyte': labels });
    expect(loadMnist({ dataDir: dir, split: 'train' }).numClasses).toBe(27);
    expect(errorOf({ dataDir: dir, split: 'train', numClasses: 10 })).toBe(
      `${join(dir, 'emnist-letters-train-labels-idx1-ubyte')}: label 26 at index 3 is out of range for 10 classes (0–9); is this a set with more classes, like EMNIST letters?`,
    );
  });

  it('missing files name what was looked for', () => {
    const dir = folder('empty', {});
    expect(errorOf({ dataDir: dir, split: 'test' })).toBe(
      `${dir}: no test images file; looked for t10k-images-idx3-ubyte, t10k-images-idx3-ubyte.gz, t10k-images.idx3-ubyte, t10k-images.idx3-ubyte.gz`,
    );
  });
});
