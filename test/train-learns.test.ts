// Training on a small subset learns, keeps a flat count of live tensors, and saves a loadable checkpoint.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memory } from '../engine/index.js';
import { loadModel } from '../mnist/checkpoint.js';
import { DEFAULT_CONFIG, train } from '../mnist/train.js';
import { saveSafetensors } from '../nn/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('train', () => {
  it('an mlp on 3,200 images for one epoch scores well above chance, with a flat tensor count', async () => {
    const live: Record<number, number> = {};
    const r = await train({ ...DEFAULT_CONFIG, model: 'mlp', epochs: 1, lr: 3e-3, schedule: 'none', limit: 3200, testLimit: 1000 }, tmp, {
      progressEvery: 5,
      onProgress: (p) => { live[p.step] = memory().tensors; },
    });
    expect(live[50]).toBe(live[5]);
    expect(r.test!.count).toBe(1000);
    expect(r.test!.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(r.history[0].test_accuracy).toBe(r.test!.accuracy);
    expect(JSON.parse(readFileSync(join(tmp, 'history.json'), 'utf8'))).toHaveLength(1);
    expect(readFileSync(join(tmp, 'confusion.svg'), 'utf8')).toContain('<svg');
  });

  it('the checkpoint round-trips bit for bit', async () => {
    const bytes = new Uint8Array(readFileSync(join(tmp, 'model.safetensors')));
    const { model, modelName, metadata } = loadModel(join(tmp, 'model.safetensors'));
    expect(modelName).toBe('mlp');
    const again = await saveSafetensors(model.stateDict(), metadata);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    model.dispose();
  });
});
