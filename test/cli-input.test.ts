// Hostile and careless input, through the real command: every bad file and flag gets exit 1 (or 2 for
// usage) and one line naming the file or flag, with no stack trace and no output left behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileError } from '../io/files.js';
import { cardMetadata, decodeSafetensors, encodeSafetensors, readCard } from '../nn/index.js';
import { formatMetric } from '../cli/progress.js';
import { cli, expectOneLineError, expectUsageError, lastJson } from './fixtures/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CPU = ['--backend', 'cpu'];

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) { c ^= b; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG whose IHDR says width×height (with a valid CRC), its image data left as `base` had it. */
function pngDeclaring(base: Uint8Array, width: number, height: number): Uint8Array {
  const b = base.slice(), v = new DataView(b.buffer);
  v.setUint32(16, width); v.setUint32(20, height);
  v.setUint32(29, crc32(b.subarray(12, 29)));
  return b;
}

/** An IDX file: dims, then bytes. */
function idx(dims: number[], bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + bytes.length), v = new DataView(b.buffer);
  v.setUint32(0, dims.length === 1 ? 0x801 : 0x803);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  b.set(bytes, 4 + 4 * dims.length);
  return b;
}

/** A small IDX data folder of noise: `side`×`side` images (test images `testSide`), labels i % 10, with `edit` applied to the training labels. */
function dataDir(name: string, o: { side?: number; testSide?: number; edit?: (labels: Uint8Array) => void } = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const side = o.side ?? 28, testSide = o.testSide ?? side;
  for (const [split, n, s] of [['train', 64, side], ['t10k', 32, testSide]] as const) {
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    if (split === 'train') o.edit?.(labels);
    writeFileSync(join(dir, `${split}-images-idx3-ubyte`), idx([n, s, s], Uint8Array.from({ length: n * s * s }, (_, i) => (i * 2654435761) >>> 24)));
    writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), idx([n], labels));
  }
  return dir;
}

const digit = encode({ width: 28, height: 28, data: Uint8Array.from({ length: 784 }, (_, i) => (i % 28 > 11 && i % 28 < 16 && i > 112 && i < 672 ? 255 : 0)), channels: 1, depth: 8 });
let checkpoint = '';

beforeAll(() => {
  const t = cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '256', '--test-limit', '100', ...CPU, '--out', join(tmp, 'run'), '--json');
  expect(t.code, t.stderr).toBe(0);
  checkpoint = lastJson(t.stdout).checkpoint;
  writeFileSync(join(tmp, 'digit.png'), digit);
});

describe('image files', () => {
  it('a PNG that declares 50000×50000 is refused from its header, before decoding', () => {
    const f = join(tmp, 'huge.png');
    writeFileSync(f, pngDeclaring(digit, 50000, 50000));
    const r = cli('predict', '--checkpoint', checkpoint, f, ...CPU);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${f}: the PNG declares 50000×50000 pixels \\(2500 MP\\), more than the 64 MP`));
    expect(r.stdout).toBe('');
  });

  it('a truncated PNG is one plain sentence with the path', () => {
    const f = join(tmp, 'cut.png');
    writeFileSync(f, digit.subarray(0, 50));
    const r = cli('predict', '--checkpoint', checkpoint, f, ...CPU);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${f}: a truncated PNG \\(the file ends after 50 of its bytes`));
  });

  it('a 0×0 PNG is refused as empty; 1×1 and all-black PNGs are predicted with a warning', () => {
    const empty = join(tmp, 'empty.png');
    writeFileSync(empty, pngDeclaring(digit, 0, 0));
    const r = cli('predict', '--checkpoint', checkpoint, empty, ...CPU);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${empty}: an empty image \\(0×0 pixels\\)`));
    const one = join(tmp, 'one.png'), black = join(tmp, 'black.png');
    writeFileSync(one, encode({ width: 1, height: 1, data: new Uint8Array([90]), channels: 1, depth: 8 }));
    writeFileSync(black, encode({ width: 28, height: 28, data: new Uint8Array(784), channels: 1, depth: 8 }));
    for (const f of [one, black]) {
      const p = cli('predict', '--checkpoint', checkpoint, f, ...CPU, '--json');
      expect(p.code).toBe(0);
      const lines = p.stderr.trim().split('\n').filter((l) => !l.startsWith('backend:'));
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^warning: ${f}: the image is blank .*its prediction means nothing$`))]);
      expect(lastJson(p.stdout).predictions[0].blank).toBe(true);
    }
  });

  it('a folder given as the image, or as --checkpoint, names the path and what was expected', () => {
    const r = cli('predict', '--checkpoint', checkpoint, tmp, ...CPU);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${tmp}: is a folder, expected a PNG image`));
    const empty = join(tmp, 'no-run');
    mkdirSync(empty);
    const e = cli('eval', '--checkpoint', empty, ...CPU);
    expect(e.code).toBe(1);
    expectOneLineError(e.stderr, new RegExp(`${join(empty, 'model.safetensors')}: no such checkpoint \\(a model.safetensors from zerograd train, or its run folder\\)`));
    const d = cli('train', '--data-dir', join(tmp, 'digit.png'), ...CPU, '--out', join(tmp, 'never-1'));
    expect(d.code).toBe(1);
    expectOneLineError(d.stderr, /digit\.png: is a file, expected a data folder/);
    expect(existsSync(join(tmp, 'never-1'))).toBe(false);
  });

  it('predict takes several images, each with its class name; a bad one stops it before any output', () => {
    const second = join(tmp, 'digit2.png');
    writeFileSync(second, digit);
    const r = cli('predict', '--checkpoint', checkpoint, join(tmp, 'digit.png'), second, ...CPU, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.predictions.map((p: { image: string }) => p.image)).toEqual([join(tmp, 'digit.png'), second]);
    expect(j.predictions[0].probabilities).toEqual(j.predictions[1].probabilities);
    expect(r.stdout).toMatch(new RegExp(`${second}: prediction: \\d \\(`));
    const bad = cli('predict', '--checkpoint', checkpoint, join(tmp, 'digit.png'), join(tmp, 'missing.png'), ...CPU);
    expect(bad.code).toBe(1);
    expectOneLineError(bad.stderr, /missing\.png: no such PNG image/);
    expect(bad.stdout).toBe('');
  });
});

describe('checkpoints', () => {
  it('a checkpoint with NaN weights is refused by eval and predict, naming the tensor', () => {
    const f = decodeSafetensors(new Uint8Array(readFileSync(checkpoint)));
    const w = f.tensors.get('fc2.weight')!;
    w.data[7] = NaN;
    const bad = join(tmp, 'nan.safetensors');
    writeFileSync(bad, encodeSafetensors(f.tensors, cardMetadata(readCard(f.metadata, bad))));
    for (const r of [cli('eval', '--checkpoint', bad, '--test-limit', '10', ...CPU), cli('predict', '--checkpoint', bad, join(tmp, 'digit.png'), ...CPU)]) {
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, new RegExp(`${bad}: tensor 'fc2.weight' holds NaN or infinite values`));
    }
  });
});

describe('data folders', () => {
  it('a label 12 in the training labels is refused when the file is read, naming file, index and value', () => {
    const dir = dataDir('label12', { edit: (l) => (l[5] = 12) });
    const out = join(tmp, 'never-2');
    const r = cli('train', '--model', 'mlp', '--epochs', '1', '--data-dir', dir, ...CPU, '--out', out);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${join(dir, 'train-labels-idx1-ubyte')}: label 12 at index 5 is out of range for 10 classes \\(0–9\\)`));
    expect(r.stdout).not.toMatch(/epoch 1/);
    expect(existsSync(out)).toBe(false);
  });

  it('train 28×28 with test 20×20 is refused before training, in one line', () => {
    const dir = dataDir('mixed', { side: 28, testSide: 20 });
    const r = cli('train', '--model', 'cnn', '--epochs', '1', '--data-dir', dir, ...CPU, '--out', join(tmp, 'never-3'));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`${dir}: the training images are 28×28 but the test images are 20×20`));
    expect(r.stdout).not.toMatch(/epoch/);
    expect(existsSync(join(tmp, 'never-3'))).toBe(false);
  });

  it('20×20 images train the cnn; 8×8 are refused against the model before training', () => {
    const ok = cli('train', '--model', 'cnn', '--epochs', '1', '--data-dir', dataDir('small', { side: 20 }), ...CPU, '--out', join(tmp, 'small-run'), '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(lastJson(ok.stdout).epochs).toBe(1);
    // 64 images at batch 64: one step, one epoch, said in the singular.
    expect(ok.stdout).toMatch(/: 1 step per epoch/);
    expect(ok.stdout).toMatch(/after 1 epoch,/);
    const dir = dataDir('tiny', { side: 8 });
    const r = cli('train', '--model', 'cnn', '--epochs', '1', '--data-dir', dir, ...CPU, '--out', join(tmp, 'never-4'));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`--model cnn: needs images of at least 10×10 pixels, got 8×8 in ${dir}`));
    expect(existsSync(join(tmp, 'never-4'))).toBe(false);
  });
});

describe('output folders', () => {
  it('an --out that cannot be created is named before the data is read or training starts', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    for (const [out, why] of [[join(file, 'run'), 'a part of the path is a file, not a folder'], [file, 'a file of that name is in the way']]) {
      const r = cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '64', ...CPU, '--out', out);
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, new RegExp(`${out}: cannot create the folder \\(${why}\\)`));
      expect(r.stdout).toBe('');
    }
  });

  it('a full disk during a save names the path (the error every write goes through)', () => {
    const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(fileError('runs/x/model.safetensors', 'write', e).message).toBe('runs/x/model.safetensors: cannot write (no space left on the device)');
  });
});

describe('flags', () => {
  it('--epochs -1 is a range error naming the flag; -h is --help', () => {
    expectUsageError(cli('train', '--epochs', '-1'), /^zerograd: error: train: --epochs must be an integer >= 1, got -1$/);
    expectUsageError(cli('train', '--lr', '-0.5'), /--lr must be a number >= 0, got -0.5/);
    expectUsageError(cli('train', '--out', '--json'), /--out needs a value/);
    const h = cli('predict', '-h');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: zerograd predict/);
  });

  it('a stray argument is named once, not as "predict: predict:"', () => {
    expectUsageError(cli('summary', 'extra'), /^zerograd: error: summary: unexpected argument 'extra' \(this command takes none\)$/);
    expectUsageError(cli('predict', '--checkpoint', 'x'), /^zerograd: error: predict: needs at least 1 argument \(--checkpoint F image.png/);
  });

  it('a huge loss prints in a sane format', () => {
    expect(formatMetric('loss', 1.0895890768259775e+30)).toBe('1.090e+30');
    expect(formatMetric('loss', 0.02291)).toBe('0.0229');
  });
});

describe('the backend and progress lines', () => {
  it('under --backend auto, Dawn says nothing; one line says which backend and why; --debug shows the probe', () => {
    const r = cli('predict', '--checkpoint', checkpoint, join(tmp, 'digit.png'), '--backend', 'auto');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const backendLines = r.stdout.split('\n').filter((l) => l.startsWith('backend:'));
    expect(backendLines).toHaveLength(1);
    expect(backendLines[0]).toMatch(/^backend: (cpu: .*\(auto: .+\)|webgpu: .+)$/);
    const d = cli('predict', '--checkpoint', checkpoint, join(tmp, 'digit.png'), '--backend', 'auto', '--debug');
    expect(d.code).toBe(0);
    // Whatever Dawn printed in the probe comes back under --debug, marked as the probe's.
    for (const l of d.stderr.trim().split('\n').filter(Boolean)) expect(l).toMatch(/^webgpu probe: /);
  });

  it('eval shows a progress line on stderr, never in its --json output', () => {
    const r = cli('eval', '--checkpoint', checkpoint, '--test-limit', '600', ...CPU, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/evaluating on the mnist test images \(600\)…/);
    expect(lastJson(r.stdout).count).toBe(600);
    expect(r.stdout).not.toMatch(/evaluating/);
  });
});

describe('leftovers', () => {
  it('no failed command above left a temp file in the run folder', () => {
    expect(readdirSync(join(tmp, 'run')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
