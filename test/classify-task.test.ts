// The MNIST classifier as a task on the shared loop: it learns on a small subset with a flat tensor
// count, its checkpoint carries a model card that rebuilds it, and resume is exact (with
// augmentation and warm-up on, so the RNG states and the schedule clock must be restored too).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memory } from '../engine/index.js';
import { loadClassifier } from '../mnist/classifier.js';
import { ClassifyTask, DEFAULT_CONFIG, type ClassifyConfig } from '../mnist/classify.js';
import { loadImageData } from '../mnist/data.js';
import { readCard, saveSafetensors, decodeSafetensors } from '../nn/index.js';
import { fit, type FitResult } from '../train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-classify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const train = (c: ClassifyConfig, dir: string, extra: Partial<Parameters<typeof fit>[1]> = {}) => {
  const data = loadImageData({ limit: c.limit, testLimit: c.testLimit, valSplit: c.valSplit, seed: c.seed });
  let task: ClassifyTask | null = null;
  return fit(() => (task = new ClassifyTask({ ...c }, data)), { out: join(tmp, dir), epochs: c.epochs, seed: c.seed, progressEvery: 5, ...extra })
    .then((r) => ({ ...r, task: task! }));
};

describe('classification on the shared loop', () => {
  it('an mlp on 3,200 images for one epoch scores well above chance, with a flat tensor count', async () => {
    const live: Record<number, number> = {};
    const r = await train({ ...DEFAULT_CONFIG, model: 'mlp', epochs: 1, lr: 3e-3, schedule: 'none', limit: 3200, testLimit: 1000 }, 'learn', {
      hooks: { onProgress: (p) => { live[p.step] = memory().tensors; } },
    });
    expect(live[50]).toBe(live[5]);
    expect(r.task.last!.count).toBe(1000);
    expect(r.task.last!.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(r.history[0].test_accuracy).toBe(r.task.last!.accuracy);
    expect(JSON.parse(readFileSync(join(tmp, 'learn', 'history.json'), 'utf8'))).toHaveLength(1);
    for (const f of ['confusion.svg', 'loss.svg', 'accuracy.svg']) expect(readFileSync(join(tmp, 'learn', f), 'utf8')).toContain('<svg');
  });

  it('the checkpoint carries a card that rebuilds the model; weights round-trip bit for bit', async () => {
    const path = join(tmp, 'learn', 'model.safetensors');
    const bytes = new Uint8Array(readFileSync(path));
    const { metadata } = decodeSafetensors(bytes);
    const card = readCard(metadata, path);
    expect(card).toMatchObject({ architecture: 'mlp', task: 'classification', input_shape: [1, 28, 28], config: { channels: 1, size: 28, classes: 10 } });
    expect(card.dataset).toMatchObject({ name: 'mnist', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], fingerprint: 'ddeff807876a9661', train_count: 3200 });
    expect(card.normalisation).toEqual({ mean: [0.1307], std: [0.3081] });
    expect(card.metrics!.test_accuracy).toBeGreaterThan(0.8);
    const c = loadClassifier(join(tmp, 'learn'));
    const again = await saveSafetensors(c.model.stateDict(), metadata);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    c.model.dispose();
  });

  it('2 epochs straight = interrupted at the boundary + resume = interrupted mid-epoch + resume', async () => {
    // Dropout (cnn has it; the mlp does not) and augmentation draw random numbers: augmentation is on
    // here, so the RNG states must be restored too.
    const config: ClassifyConfig = { ...DEFAULT_CONFIG, model: 'mlp', epochs: 2, limit: 640, testLimit: 200, augment: true, warmupSteps: 3 };
    const interrupted = async (dir: string, stopAt: number): Promise<FitResult> => {
      let steps = 0;
      const first = await train(config, dir, { hooks: { shouldStop: () => steps++ === stopAt } });
      expect(first.stopped).toBe(true);
      return train(config, dir, { resume: true });
    };
    const straight = await train(config, 'a');
    const atEpoch = await interrupted('b', 10);   // 10 steps per epoch: stops at the boundary
    const midEpoch = await interrupted('c', 13);
    const weights = (d: string) => readFileSync(join(tmp, d, 'model.safetensors'));
    expect(weights('b').equals(weights('a'))).toBe(true);
    expect(weights('c').equals(weights('a'))).toBe(true);
    const losses = (h: FitResult['history']) => h.map((e) => [e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy]);
    expect(losses(atEpoch.history)).toEqual(losses(straight.history));
    expect(losses(midEpoch.history)).toEqual(losses(straight.history));
  });
});
