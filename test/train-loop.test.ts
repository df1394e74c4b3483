// The shared loop: a two-model, two-optimiser task trains on it; resume is exact from an epoch
// boundary and from the middle of an epoch; a mixed, damaged or hand-edited checkpoint set is
// refused naming the file; a run folder is never trained over by accident; the NaN guard fires.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memory, type Tensor } from '../engine/index.js';
import { DataError } from '../io/files.js';
import { fit, GENERATIONS, MANIFEST, NonFiniteError, readManifest, validateLoopState, type FitResult } from '../train/index.js';
import { ToyTask } from './fixtures/toy-task.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-loop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (dir: string, epochs: number, extra: Partial<Parameters<typeof fit>[1]> = {}) =>
  fit(() => new ToyTask(), { out: join(tmp, dir), epochs, seed: 3, progressEvery: 2, ...extra });

/** Train, stopping (as Ctrl-C does) before the given global step; then resume to the end. */
async function interrupted(dir: string, epochs: number, stopAt: number): Promise<FitResult> {
  let steps = 0;
  const first = await run(dir, epochs, { hooks: { shouldStop: () => steps++ === stopAt } });
  expect(first.stopped).toBe(true);
  return run(dir, epochs, { resume: true });
}

const weights = (dir: string, name: string) => readFileSync(join(tmp, dir, `${name}.safetensors`));
/** The set's files, by the manifest. */
const setFile = (dir: string, name: string) => join(tmp, dir, readManifest(join(tmp, dir))!.files[name].path);

describe('the training loop', () => {
  it('trains two models with two optimisers, keeping the tensor count flat', async () => {
    const live: number[] = [];
    const r = await run('toy', 3, { hooks: { onProgress: () => { live.push(memory().tensors); } } });
    expect(r.stopped).toBe(false);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(r.history[2].train_loss).toBeLessThan(r.history[0].train_loss);
    expect(Object.keys(r.history[0]).sort()).toEqual(['epoch', 'lr', 'samples_per_second', 'seconds', 'test_score', 'train_critic_loss', 'train_jitter', 'train_loss']);
    expect(new Set(live.slice(3)).size).toBe(1);
    for (const f of ['net.safetensors', 'critic.safetensors', MANIFEST, 'history.json', 'loss.svg', 'critic_loss.svg']) expect(existsSync(join(tmp, 'toy', f))).toBe(true);
    // Only the generation in force is kept.
    expect(readdirSync(join(tmp, 'toy', GENERATIONS))).toEqual(['000003']);
  });

  it('3 epochs straight = 1 epoch + resume = interrupted mid-epoch + resume (weights bit for bit)', async () => {
    const atEpoch = await interrupted('boundary', 3, 6);   // 6 steps per epoch: stops at the first boundary
    const midEpoch = await interrupted('middle', 3, 8);
    const straight = JSON.parse(readFileSync(join(tmp, 'toy', 'history.json'), 'utf8'));
    for (const d of ['boundary', 'middle']) {
      expect(weights(d, 'net').equals(weights('toy', 'net'))).toBe(true);
      expect(weights(d, 'critic').equals(weights('toy', 'critic'))).toBe(true);
    }
    const losses = (h: FitResult['history']) => h.map((e) => [e.train_loss, e.train_critic_loss, e.train_jitter]);
    expect(losses(atEpoch.history)).toEqual(losses(straight));
    expect(losses(midEpoch.history)).toEqual(losses(straight));
  });

  it('resuming a finished run with the same epoch count has nothing left to do', async () => {
    const again = await run('toy', 3, { resume: true });
    expect(again.history).toHaveLength(3);
  });

  it('refuses to train into a folder that holds a run, unless --overwrite', async () => {
    await expect(run('toy', 1)).rejects.toThrow(/already holds a run .*--resume.*--overwrite/);
    await run('over', 1);
    const r = await run('over', 1, { overwrite: true });
    expect(r.history).toHaveLength(1);
  });

  it('refuses a mixed set: a model file from another epoch, named in the error', async () => {
    await run('mixed', 2);
    copyFileSync(join(tmp, 'boundary', 'net.safetensors'), setFile('mixed', 'net.safetensors'));
    await expect(run('mixed', 3, { resume: true })).rejects.toThrow(/net\.safetensors: does not match checkpoint\.json .*mixed or damaged/);
  });

  it('refuses a truncated file and a missing one', async () => {
    await run('damaged', 1);
    const opt = setFile('damaged', 'optimizer.safetensors');
    writeFileSync(opt, readFileSync(opt).subarray(0, 100));
    await expect(run('damaged', 2, { resume: true })).rejects.toThrow(/optimizer\.safetensors: does not match checkpoint\.json \(100 bytes, expected \d+\)/);
    rmSync(opt);
    await expect(run('damaged', 2, { resume: true })).rejects.toThrow(/optimizer\.safetensors: missing from the checkpoint set/);
  });

  it('refuses a train-state.json that breaks the schema, naming the field (even with a matching hash)', async () => {
    await run('schema', 1);
    const path = setFile('schema', 'train-state.json');
    const state = JSON.parse(readFileSync(path, 'utf8'));
    const text = JSON.stringify({ ...state, epoch: 'two' });
    writeFileSync(path, text);
    const m = JSON.parse(readFileSync(join(tmp, 'schema', MANIFEST), 'utf8'));
    m.files['train-state.json'] = { ...m.files['train-state.json'], size: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
    writeFileSync(join(tmp, 'schema', MANIFEST), JSON.stringify(m));
    await expect(run('schema', 2, { resume: true })).rejects.toThrow(/train-state\.json: 'epoch' must be a non-negative integer, got "two"/);
    expect(() => validateLoopState({ ...state, rng: { default: [1, 2] } }, 'x.json', 'toy')).toThrow(/'rng' must be an object of generator states/);
    expect(() => validateLoopState(state, 'x.json', 'classify')).toThrow(/made by the 'toy' task/);
  });

  it('a folder with no manifest has nothing to resume; temp files of a crashed write are cleaned up', async () => {
    await expect(run('empty', 1, { resume: true })).rejects.toThrow(DataError);
    await run('tmpfiles', 1);
    writeFileSync(join(tmp, 'tmpfiles', '.net.safetensors.1234.abcd.tmp'), 'half a file');
    await run('tmpfiles', 2, { resume: true });
    expect(readdirSync(join(tmp, 'tmpfiles')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the NaN guard stops the run at the first non-finite loss, naming the metric and step', async () => {
    class Diverging extends ToyTask {
      override step(idx: Int32Array): Record<string, Tensor> {
        const m = super.step(idx);
        return { ...m, loss: m.loss.mul(Number.POSITIVE_INFINITY) };
      }
    }
    const err = await fit(() => new Diverging(), { out: join(tmp, 'nan'), epochs: 1, seed: 3, progressEvery: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as NonFiniteError).message).toMatch(/^loss became infinite at epoch 1 step 2/);
  });
});
