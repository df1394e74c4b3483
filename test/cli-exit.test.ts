// The command-line contract, through a real child process: exit 2 for usage, 1 with one line for data errors, JSON last.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDataDir } from '../mnist/idx.js';
import { cli, cliEnv, expectOneLineError, lastJson } from './fixtures/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A data folder with the real test files and a broken training-images file. */
function badDataDir(name: string, trainImages: Uint8Array, trainLabels?: Uint8Array): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const src = defaultDataDir();
  const real = (f: string) => new Uint8Array(readFileSync(join(src, f)));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), trainImages);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), trainLabels ?? real('train-labels-idx1-ubyte'));
  copyFileSync(join(src, 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
  copyFileSync(join(src, 't10k-labels-idx1-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
  return dir;
}

function idxImages(count: number, payload: number, magic = 0x803): Uint8Array {
  const b = new Uint8Array(16 + payload);
  const v = new DataView(b.buffer);
  v.setUint32(0, magic); v.setUint32(4, count); v.setUint32(8, 28); v.setUint32(12, 28);
  return b;
}

describe('zerograd CLI', () => {
  it('an unknown flag is a usage error: exit 2', () => {
    const r = cli('train', '--epochz', '3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zerograd: error: train: unknown option '--epochz'/);
    expect(r.stderr).toMatch(/usage: zerograd train/);
  });

  it('a bad ZEROGRAD_BACKEND is a usage error naming the variable: exit 2', () => {
    const r = cliEnv({ ZEROGRAD_BACKEND: 'tpu' }, 'train', '--limit', '10', '--epochs', '1', '--out', join(tmp, 'env'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zerograd: error: train: ZEROGRAD_BACKEND must be one of auto, cpu, webgpu, got 'tpu'/);
  });

  it('a bad flag value and an unknown command are usage errors too', () => {
    expect(cli('train', '--epochs', 'two').code).toBe(2);
    expect(cli('train', '--model', 'resnet').stderr).toMatch(/--model must be one of cnn, cnn-small, mlp/);
    expect(cli('frobnicate').code).toBe(2);
    expect(cli('eval').code).toBe(2);
  });

  it('--help teaches every flag with its default', () => {
    const r = cli('train', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--epochs N\s+.*\(default: 5\)/);
    expect(r.stdout).toMatch(/Examples:/);
  });

  const train = (dir: string) => cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '64', '--backend', 'cpu', '--data-dir', dir, '--out', join(tmp, 'never'));

  it('a training-images file with the wrong magic: exit 1, one line naming the file', () => {
    const r = train(badDataDir('magic', idxImages(60000, 0, 0x801)));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /train-images-idx3-ubyte: wrong magic 0x00000801, expected 0x00000803/);
  });

  it('a truncated images file: exit 1', () => {
    const r = train(badDataDir('truncated', idxImages(60000, 1000)));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /train-images-idx3-ubyte: truncated/);
  });

  it('labels that do not match the images: exit 1', () => {
    const r = train(badDataDir('mismatch', idxImages(10, 10 * 784)));
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /labels file has 60000 labels but images file train-images-idx3-ubyte has 10 images/);
  });

  it('--debug adds the stack', () => {
    const r = cli('eval', '--checkpoint', join(tmp, 'missing.safetensors'), '--backend', 'cpu', '--debug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/zerograd: error: .*missing.safetensors: no such checkpoint/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('summary --json: the exact counts, as the last line', () => {
    const r = cli('summary', '--model', 'cnn', '--json');
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.total_params).toBe(121930);
    expect(j.trainable_params).toBe(121930);
    expect(j.layers.map((l: { params: number }) => l.params).filter((n: number) => n > 0)).toEqual([320, 18496, 102464, 650]);
  });

  it('train --json, then eval and predict on its checkpoint', () => {
    const out = join(tmp, 'run');
    const t = cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '256', '--test-limit', '100', '--backend', 'cpu', '--out', out, '--json');
    expect(t.code).toBe(0);
    const j = lastJson(t.stdout);
    expect(Object.keys(j).sort()).toEqual(['backend', 'checkpoint', 'dataset', 'epochs', 'samples_per_second', 'seconds', 'test_accuracy', 'test_loss']);
    expect(j.backend).toBe('cpu');
    const e = cli('eval', '--checkpoint', j.checkpoint, '--test-limit', '100', '--backend', 'cpu', '--json');
    expect(e.code).toBe(0);
    const ej = lastJson(e.stdout);
    expect(ej.test_accuracy).toBe(j.test_accuracy);
    expect(ej.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(100);
    const p = cli('predict', '--checkpoint', j.checkpoint, 'package.json', '--backend', 'cpu');
    expect(p.code).toBe(1);
    expectOneLineError(p.stderr, /package.json: not a PNG file/);
  });

  it('train refuses a folder holding a run (--resume or --overwrite); --resume says which flags it ignores', () => {
    const out = join(tmp, 'run');
    const again = cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '256', '--test-limit', '100', '--backend', 'cpu', '--out', out);
    expect(again.code).toBe(1);
    expectOneLineError(again.stderr, /run: already holds a run \(checkpoint\.json\); continue it with --resume, or replace it with --overwrite/);
    const resumed = cli('train', '--out', out, '--epochs', '2', '--lr', '0.5', '--limit', '256', '--resume', '--backend', 'cpu', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resume: ignoring --lr 0\.5 \(the run uses 0\.001\); a resumed run keeps its recipe/);
    expect(resumed.stderr).not.toMatch(/--limit/);
    expect(lastJson(resumed.stdout).epochs).toBe(2);
    const over = cli('train', '--model', 'mlp', '--epochs', '1', '--limit', '128', '--test-limit', '100', '--backend', 'cpu', '--out', out, '--overwrite', '--json');
    expect(over.code, over.stderr).toBe(0);
    expect(lastJson(over.stdout).epochs).toBe(1);
  });

  it('a checkpoint trained on another dataset is not evaluated on MNIST; summary reads the checkpoint alone', () => {
    // A tiny 12-class dataset of 14×14 noise: unknown to zerograd, so it is named after its folder.
    const dir = join(tmp, 'noise-set');
    mkdirSync(dir);
    const idx = (dims: number[], bytes: Uint8Array) => {
      const b = new Uint8Array(4 + 4 * dims.length + bytes.length);
      const v = new DataView(b.buffer);
      v.setUint32(0, dims.length === 1 ? 0x801 : 0x803);
      dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
      b.set(bytes, 4 + 4 * dims.length);
      return b;
    };
    const noise = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => ((i * 2654435761 + seed) >>> 24) & 255);
    for (const [split, n] of [['train', 96], ['t10k', 48]] as const) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte`), idx([n, 14, 14], noise(n * 196, n)));
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte`), idx([n], Uint8Array.from({ length: n }, (_, i) => i % 12)));
    }
    const out = join(tmp, 'noise-run');
    const t = cli('train', '--model', 'cnn-small', '--epochs', '1', '--data-dir', dir, '--backend', 'cpu', '--out', out, '--json');
    expect(t.code, t.stderr).toBe(0);
    expect(lastJson(t.stdout).dataset).toBe('noise-set');
    const e = cli('eval', '--checkpoint', out, '--backend', 'cpu');
    expect(e.code).toBe(1);
    expectOneLineError(e.stderr, /model\.safetensors: was trained on noise-set, but the test images are mnist; .*--data-dir/);
    const ok = cli('eval', '--checkpoint', out, '--data-dir', dir, '--backend', 'cpu', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(lastJson(ok.stdout).confusion_matrix).toHaveLength(12);
    const s = cli('summary', '--checkpoint', out, '--json');
    expect(s.code, s.stderr).toBe(0);
    // 32·5·5·... : conv 1→32 (320), then 32·6·6 = 1,152 features → 64 → 12.
    expect(lastJson(s.stdout).total_params).toBe(320 + (1152 * 64 + 64) + (64 * 12 + 12));
  });
});
