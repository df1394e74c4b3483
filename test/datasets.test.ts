// Datasets that are not MNIST, end to end: Fashion-MNIST from Debian's dataset-fashion-mnist (CI installs it) is
// trained, evaluated, predicted and reported on with its own class names and none of MNIST's prose; CIFAR-10's
// binary format is read from a small synthetic folder and trains the seed's chapter 9.3 CNN.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, CIFAR_RECORD } from '../mnist/cifar.js';
import { FASHION_CLASSES } from '../mnist/classes.js';
import { mulberry32 } from '../train/order.js';
import { cli, expectOneLineError, lastJson } from './fixtures/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-datasets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CPU = ['--backend', 'cpu'];

const FASHION = '/usr/share/datasets/fashion-mnist';
/** Sentences and words that are true of handwritten digits only. */
const MNIST_ONLY = [/digit/i, /crossed 7/, /20×20/, /narrow 1/, /handwrit/i, /open top of a 4/];

// CI installs the package (.ci/run); a developer's machine without it skips these.
describe.runIf(existsSync(FASHION) || process.env.CI)('Fashion-MNIST with --data-dir', () => {
  const out = join(tmp, 'fashion');
  let checkpoint = '';

  it('trains on a small subset, and the run knows the dataset by name', () => {
    const r = cli('train', '--model', 'cnn-small', '--epochs', '1', '--limit', '1000', '--test-limit', '500', '--data-dir', FASHION, ...CPU, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.dataset).toBe('fashion-mnist');
    // Ten classes, chance 10 %: one epoch on 1,000 images learns well past it (73 % measured).
    expect(j.test_accuracy).toBeGreaterThan(0.5);
    checkpoint = j.checkpoint;
  });

  it('eval names the classes; predict prints a class name', () => {
    const e = cli('eval', '--checkpoint', checkpoint, '--data-dir', FASHION, '--test-limit', '200', ...CPU);
    expect(e.code, e.stderr).toBe(0);
    for (const c of FASHION_CLASSES) expect(e.stdout).toContain(c);
    const png = join(tmp, 'trouser.png');
    // Two dark bars on white: shaped like a pair of trousers, inverted by predict like any light picture.
    writeFileSync(png, encode({ width: 20, height: 28, data: Uint8Array.from({ length: 560 }, (_, i) => ((i % 20 > 3 && i % 20 < 8) || (i % 20 > 11 && i % 20 < 16) ? 30 : 255)), channels: 1, depth: 8 }));
    const p = cli('predict', '--checkpoint', checkpoint, png, ...CPU, '--json');
    expect(p.code, p.stderr).toBe(0);
    const j = lastJson(p.stdout);
    expect(FASHION_CLASSES).toContain(j.class_name);
    expect(p.stdout).toContain(`prediction: ${j.class_name} (`);
  });

  it('the report names the Fashion-MNIST classes and holds none of the MNIST-only sentences', () => {
    const r = cli('analyze', '--out', join(tmp, 'fashion-report'), '--checkpoint', checkpoint, '--data-dir', FASHION, '--limit', '1000', '--test-limit', '500',
      '--pca-samples', '300', '--probe-train', '500', '--loss-scan', '300', '--json');
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(lastJson(r.stdout).report, 'utf8');
    for (const c of FASHION_CLASSES) expect(html).toContain(c);
    expect(html).toContain('fashion-mnist dataset report');
    const text = html.replace(/<[^>]*>/g, ' ');
    for (const re of MNIST_ONLY) expect(text).not.toMatch(re);
  });
});

describe('CIFAR-10 binary batches', () => {
  /** Records of colour-coded classes (class c: mostly channel c % 3, brightness by c), with noise. */
  function batch(n: number, seed: number): Uint8Array {
    const rng = mulberry32(seed), b = new Uint8Array(n * CIFAR_RECORD);
    for (let i = 0; i < n; i++) {
      const c = i % 10, at = i * CIFAR_RECORD;
      b[at] = c;
      for (let k = 0; k < 3 * 1024; k++) {
        const ch = Math.floor(k / 1024), base = ch === c % 3 ? 60 + 19 * c : 20;
        b[at + 1 + k] = Math.min(255, base + Math.floor(rng() * 40));
      }
    }
    return b;
  }
  const dir = join(tmp, 'cifar-10-batches-bin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'data_batch_1.bin'), batch(200, 1));
  writeFileSync(join(dir, 'test_batch.bin'), batch(100, 2));

  it('trains cifar-cnn by default, with CIFAR-10\'s class names, and eval and predict read the checkpoint', () => {
    const out = join(tmp, 'cifar-run');
    const r = cli('train', '--epochs', '3', '--data-dir', dir, ...CPU, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/training cifar-cnn on 200 cifar-10 images/);
    const j = lastJson(r.stdout);
    expect(j.dataset).toBe('cifar-10');
    expect(j.test_accuracy).toBeGreaterThan(0.3); // chance is 10 %
    const s = cli('summary', '--checkpoint', out, '--json');
    expect(lastJson(s.stdout).total_params).toBe(122570);
    const e = cli('eval', '--checkpoint', out, '--data-dir', dir, ...CPU, '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(lastJson(e.stdout).test_accuracy).toBe(j.test_accuracy);
    const png = join(tmp, 'red.png');
    writeFileSync(png, encode({ width: 40, height: 40, data: Uint8Array.from({ length: 40 * 40 * 3 }, (_, i) => (i % 3 === 0 ? 200 : 20)), channels: 3, depth: 8 }));
    const p = cli('predict', '--checkpoint', out, png, ...CPU, '--json');
    expect(p.code, p.stderr).toBe(0);
    expect(CIFAR10_CLASSES).toContain(lastJson(p.stdout).class_name);
  });

  it('a batch file that is not a whole number of records is refused, naming it', () => {
    const bad = join(tmp, 'cifar-bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'data_batch_1.bin'), batch(10, 3).subarray(0, 5 * CIFAR_RECORD + 100));
    writeFileSync(join(bad, 'test_batch.bin'), batch(10, 4));
    const r = cli('train', '--epochs', '1', '--data-dir', bad, ...CPU, '--out', join(tmp, 'never'));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${join(bad, 'data_batch_1.bin')}: is ${5 * CIFAR_RECORD + 100} bytes, not a whole number of 3073-byte CIFAR-10 records`));
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('the report says plainly that it covers grayscale sets', () => {
    const r = cli('analyze', '--out', join(tmp, 'cifar-report'), '--data-dir', dir);
    expect(r.code).toBe(1);
    // analyze's progress lines come first; the error is one line after them.
    expectOneLineError(r.stderr.split('\n').filter((l) => !l.startsWith('analyze: ')).join('\n'), /holds cifar-10's colour images; the report covers grayscale image sets/);
  });
});
