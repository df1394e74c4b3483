// `zerograd analyze`: the dataset report (and, with --checkpoint, the model report) as one self-contained HTML page.

import { analyze, DEFAULTS } from '../mnist/analyze/report.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, percent, printJson, say } from './output.js';

export const command: Command = {
  name: 'analyze',
  summary: 'an HTML report on the dataset (and on a model, with --checkpoint)',
  usage: '--out DIR [--checkpoint F]',
  description: 'Writes DIR/index.html and DIR/img/*.png: label distribution, pixel statistics, per-class means, stroke statistics, ' +
    'classical features (Sobel, Canny, Harris, HOG), a PCA computed with the engine, and how well nearest-centroid and linear probes separate ' +
    'the classes. With --checkpoint it adds the confusion matrix, per-class metrics, mistakes, saliency maps, first-layer filters and the ' +
    'training images with the highest loss. The page opens from disk: no script, no network.',
  flags: [
    { name: 'out', value: 'DIR', help: 'folder for index.html and its images (required)' },
    { name: 'checkpoint', value: 'F', help: 'a model.safetensors from zerograd train, or its folder: adds the model sections' },
    { name: 'data-dir', value: 'DIR', help: 'folder with the IDX files (default: the bundled MNIST)' },
    { name: 'limit', value: 'N', help: 'use the first N training images only (default: all)' },
    { name: 'test-limit', value: 'N', help: 'use the first N test images only (default: all)' },
    { name: 'pca-samples', value: 'N', default: DEFAULTS.pcaSamples, help: 'training images in the PCA' },
    { name: 'probe-train', value: 'N', default: DEFAULTS.probeTrain, help: 'training images for the nearest-centroid and linear probes' },
    { name: 'loss-scan', value: 'N', default: DEFAULTS.lossScan, help: 'training images searched for the highest loss (with --checkpoint)' },
    { name: 'seed', value: 'N', default: DEFAULTS.seed, help: 'seed of the PCA start and the probes' },
    // The CPU kernels are the fast choice on a machine without a GPU (WebGPU there is a software rasteriser).
    { ...BACKEND_FLAG, default: 'cpu' },
  ],
  examples: [
    'zerograd analyze --out runs/report',
    'zerograd analyze --out runs/report --checkpoint runs/cnn/model.safetensors --json',
    'zerograd analyze --out /tmp/quick --limit 5000 --test-limit 2000',
  ],
  run,
};

async function run(args: Args): Promise<number> {
  const outDir = args.string('out');
  if (!outDir) throw new UsageError('--out DIR is required');
  const count = (name: string) => args.number(name, { integer: true, min: 1 });
  const options = {
    outDir,
    checkpoint: args.string('checkpoint'),
    dataDir: args.string('data-dir'),
    limit: count('limit'),
    testLimit: count('test-limit'),
    pcaSamples: count('pca-samples'),
    probeTrain: count('probe-train'),
    lossScan: count('loss-scan'),
    seed: args.number('seed', { integer: true, min: 0 }),
  };
  await pickBackend(args);
  const summary = await analyze({ ...options, log: note });
  say(`report: ${summary.report} (${summary.train_count} training, ${summary.test_count} test images, ${summary.seconds.toFixed(1)} s)`);
  say(`pixels: mean ${(summary.pixel_mean as number).toFixed(4)}, std ${(summary.pixel_std as number).toFixed(4)}, zeros ${percent(summary.zero_share as number)}`);
  for (const r of summary.separability as { features: string; nearest_centroid: number; linear_probe: number }[]) {
    say(`${r.features}: nearest centroid ${percent(r.nearest_centroid)}, linear probe ${percent(r.linear_probe)}`);
  }
  if (summary.test_accuracy !== undefined) say(`model ${summary.model}: test accuracy ${percent(summary.test_accuracy)}, ${summary.misclassified} mistakes`);
  if (args.flag('json')) printJson(summary);
  return 0;
}
