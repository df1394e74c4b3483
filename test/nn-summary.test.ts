// summary(): the exact parameter counts of the named models.
import { describe, expect, it } from 'vitest';
import { buildModel as build } from '../models/index.js';
import type { Module } from '../nn/index.js';

const buildModel = (name: string) => build(name).model as Module;
const INPUT_SHAPE = [1, 28, 28];
import { summary } from '../nn/index.js';

const byName = (s: ReturnType<typeof summary>) => Object.fromEntries(s.layers.map((l) => [l.name, l]));

describe('summary', () => {
  it('cnn: 121,930 parameters, 1,600 features into the dense layer', () => {
    const s = summary(buildModel('cnn'), INPUT_SHAPE);
    const l = byName(s);
    expect([l.conv1.params, l.conv2.params, l.fc1.params, l.fc2.params]).toEqual([320, 18496, 102464, 650]);
    expect(l.flatten.outputShape).toEqual([1, 1600]);
    expect(l.pool2.outputShape).toEqual([1, 64, 5, 5]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([121930, 121930, 0]);
    expect(s.table).toContain('Total params: 121,930');
  });

  it('cnn-small: 5,408 features, 347,146 parameters', () => {
    const s = summary(buildModel('cnn-small'), INPUT_SHAPE);
    const l = byName(s);
    expect([l.conv1.params, l.fc1.params, l.fc2.params]).toEqual([320, 346176, 650]);
    expect(s.totalParams).toBe(347146);
  });

  it('frozen layers count as non-trainable', () => {
    const m = buildModel('mlp');
    (m as unknown as { fc1: { freeze(): void } }).fc1.freeze();
    const s = summary(m, INPUT_SHAPE);
    expect(s.totalParams).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(s.nonTrainableParams).toBe(784 * 256 + 256);
  });
});
