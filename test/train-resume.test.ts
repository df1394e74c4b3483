// --resume continues with exactly the same numbers, from an epoch boundary or from the middle of an epoch.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../mnist/train.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Dropout (cnn has it; the mlp does not) and augmentation draw random numbers: both are on here
// through the augment flag, so the RNG states must be restored too.
const config: TrainConfig = { ...DEFAULT_CONFIG, model: 'mlp', epochs: 2, limit: 640, testLimit: 200, augment: true, warmupSteps: 3 };

/** Train, stopping (as Ctrl-C does) before the given global step; then resume to the end. */
async function interrupted(dir: string, stopAtStep: number) {
  let steps = 0;
  const first = await train(config, dir, { shouldStop: () => steps++ === stopAtStep });
  expect(first.stopped).toBe(true);
  return train(config, dir, {}, true);
}

describe('resume', () => {
  it('2 epochs straight = 1 epoch + resume = interrupted mid-epoch + resume', async () => {
    const straight = await train(config, join(tmp, 'a'));
    const atEpoch = await interrupted(join(tmp, 'b'), 10);   // 10 steps per epoch: stops at the boundary
    const midEpoch = await interrupted(join(tmp, 'c'), 13);
    const weights = (d: string) => readFileSync(join(tmp, d, 'model.safetensors'));
    expect(weights('b').equals(weights('a'))).toBe(true);
    expect(weights('c').equals(weights('a'))).toBe(true);
    const losses = (h: typeof straight.history) => h.map((e) => [e.train_loss, e.train_accuracy, e.test_loss, e.test_accuracy]);
    expect(losses(atEpoch.history)).toEqual(losses(straight.history));
    expect(losses(midEpoch.history)).toEqual(losses(straight.history));
  });
});
