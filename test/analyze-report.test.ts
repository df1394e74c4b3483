// End to end: `zerograd analyze` writes a self-contained report whose model figures agree with `zerograd eval`, and Chromium opens it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../mnist/idx.js';
import { labelCounts } from '../mnist/analyze/labels.js';

const CLI = join(import.meta.dirname, '..', 'cli', 'zerograd.js');
const CHROMIUM = '/usr/bin/chromium';
const TEST_LIMIT = 1000;

/** Run the CLI; returns the exit status, stderr, and the --json object from the last stdout line. */
function zerograd(args: string[]): { status: number; stderr: string; json: Record<string, any> } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', timeout: 240_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: Record<string, any> = {};
  try { json = JSON.parse(last); } catch { /* asserted through status below */ }
  return { status: r.status ?? -1, stderr: r.stderr, json };
}

let dir: string;
let data: ReturnType<typeof zerograd>;
let model: ReturnType<typeof zerograd>;
let evaluation: ReturnType<typeof zerograd>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zerograd-analyze-'));
  data = zerograd(['analyze', '--out', join(dir, 'data'), '--limit', '2000', '--pca-samples', '1000', '--probe-train', '2000']);
  const train = zerograd(['train', '--model', 'cnn-small', '--limit', '3000', '--epochs', '1', '--backend', 'cpu', '--diagnostics', '--out', join(dir, 'run')]);
  if (train.status !== 0) throw new Error(`zerograd train failed (${train.status}): ${train.stderr}`);
  model = zerograd(['analyze', '--out', join(dir, 'model'), '--checkpoint', train.json.checkpoint, '--limit', '2000', '--test-limit', String(TEST_LIMIT),
    '--pca-samples', '500', '--probe-train', '1000', '--loss-scan', '2000']);
  evaluation = zerograd(['eval', '--checkpoint', train.json.checkpoint, '--test-limit', String(TEST_LIMIT), '--backend', 'cpu']);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every src="..." of the page, which must all be local files. */
const sources = (html: string) => [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);

describe('zerograd analyze (data only)', () => {
  it('exits 0 with the report path and the key statistics as JSON', () => {
    expect(data.status, data.stderr).toBe(0);
    expect(data.json.report).toBe(join(dir, 'data', 'index.html'));
    expect(data.json.first_train_labels).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(data.json.test_label_counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(data.json.train_count).toBe(2000);
    expect(data.json.pca_explained_variance[0]).toBeGreaterThan(data.json.pca_explained_variance[1]);
    expect(data.stderr).toMatch(/analyze: PCA/); // progress goes to stderr
  });

  it('HOG separates better than raw pixels, and both beat chance by far', () => {
    const [raw, hogRow] = data.json.separability;
    expect(raw.features).toBe('raw pixels');
    expect(hogRow.linear_probe).toBeGreaterThan(raw.linear_probe);
    expect(raw.nearest_centroid).toBeGreaterThan(0.6);
  });

  it('on MNIST it keeps the prose that is true of handwritten digits (Fashion-MNIST\'s report has none: datasets.test.ts)', () => {
    const html = readFileSync(data.json.report, 'utf8');
    expect(html).toContain('MNIST dataset report');
    for (const s of ['crossed 7', 'scaled to fit a 20×20 box', 'the narrow 1 stands out', 'Share of each digit']) expect(html).toContain(s);
  });

  it('is self-contained: no script, no remote resource, every image a readable local PNG', () => {
    const html = readFileSync(data.json.report, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);
    const srcs = sources(html);
    expect(srcs.length).toBeGreaterThan(20);
    for (const s of srcs) {
      const png = decode(readFileSync(join(dir, 'data', s)));
      expect(png.width).toBeGreaterThan(0);
    }
    expect((html.match(/<figcaption>/g) ?? []).length).toBe((html.match(/<figure>/g) ?? []).length);
  });
});

describe('zerograd analyze --checkpoint', () => {
  it('its confusion matrix is the evaluation of the same checkpoint', () => {
    expect(model.status, model.stderr).toBe(0);
    expect(evaluation.status, evaluation.stderr).toBe(0);
    const cm: number[][] = model.json.confusion_matrix;
    const labels = loadMnist({ split: 'test', limit: TEST_LIMIT }).labels;
    expect(cm.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(labelCounts(labels, 10));
    const trace = cm.reduce((a, row, i) => a + row[i], 0);
    expect(trace / TEST_LIMIT).toBeCloseTo(evaluation.json.test_accuracy, 12);
    expect(model.json.test_accuracy).toBeCloseTo(evaluation.json.test_accuracy, 12);
    expect(cm).toEqual(evaluation.json.confusion_matrix);
    expect(model.json.misclassified).toBe(TEST_LIMIT - trace);
  });

  it('per-class recall is the diagonal over the row sums, and the highest-loss list is sorted', () => {
    const cm: number[][] = model.json.confusion_matrix;
    model.json.per_class.forEach((m: { recall: number; support: number }, c: number) => expect(m.recall).toBeCloseTo(cm[c][c] / m.support, 12));
    const losses = model.json.highest_loss_train.map((h: { loss: number }) => h.loss);
    expect([...losses].sort((a, b) => b - a)).toEqual(losses);
  });

  it('writes the model figures', () => {
    for (const f of ['saliency', 'first-layer-filters', 'first-layer-maps']) expect(existsSync(join(dir, 'model', 'img', `${f}.png`))).toBe(true);
    const html = readFileSync(model.json.report, 'utf8');
    for (const id of ['model-performance', 'model-mistakes', 'model-inside', 'model-label-noise']) expect(html).toContain(`id="${id}"`);
  });

  it('shows the gradient-flow diagnostics the run was trained with', () => {
    const html = readFileSync(model.json.report, 'utf8');
    expect(model.json.diagnostics_verdict).toMatch(/^(healthy|unhealthy): /);
    expect(html).toMatch(/id="diagnostics"[\s\S]*epoch 1 \(5 sampled steps\): (healthy|unhealthy)[\s\S]*<code>fc1<\/code>[\s\S]*Update-to-weight ratio/);
  });
});

describe('the report in headless Chromium', () => {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI) {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium) to check that the analyze report opens`);
    });
    return;
  }

  it.skipIf(!present)('renders the page and all its images without errors', () => {
    const report = model.json.report as string;
    const flags = ['--headless', '--disable-gpu', '--no-sandbox', '--hide-scrollbars', '--enable-logging=stderr', '--v=0'];
    const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', `file://${report}`], { encoding: 'utf8', timeout: 90_000 });
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stdout).toContain('MNIST dataset report');
    expect(dom.stdout).toContain('Model: test performance');
    expect(dom.stderr).not.toMatch(/CONSOLE|Uncaught|net::ERR_/);
    const shot = join(dir, 'screenshot.png');
    execFileSync(CHROMIUM, [...flags, '--window-size=1280,3000', `--screenshot=${shot}`, `file://${report}`], { stdio: 'pipe', timeout: 90_000 });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    expect(decode(readFileSync(shot)).width).toBe(1280);
  });
});
