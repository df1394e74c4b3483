// The Vision Transformer: registered as a classifier, its shapes, its parameter count, and that
// every parameter (the class token and positions too) gets a gradient.
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor } from '../engine/index.js';
import { buildModel, modelNames } from '../models/index.js';
import { crossEntropy, type Module } from '../nn/index.js';

describe('vit', () => {
  it('is a classifier: [B,1,28,28] → [B,10], every parameter trained', () => {
    expect(modelNames('classification')).toContain('vit');
    manualSeed(0);
    const { model, config, inputShape } = buildModel('vit', { depth: 2 });
    expect(inputShape).toEqual([1, 28, 28]);
    expect(config.patch).toBe(7);
    const m = model as Module;
    const d = 64, p = 16;
    const perLayer = 4 * (d * d + d) + 2 * 2 * d + (d * 128 + 128) + (128 * d + d);
    expect(m.parameters().reduce((n, t) => n + t.size, 0)).toBe((49 * d + d) + d + (p + 1) * d + 2 * perLayer + 2 * d + (d * 10 + 10));
    const y = m.forward(randn([3, 1, 28, 28]));
    expect(y.shape).toEqual([3, 10]);
    crossEntropy(y, tensor(Int32Array.from([1, 2, 3]))).backward();
    for (const [name, t] of m.namedParameters()) expect(t.grad, name).not.toBeNull();
    expect(Array.from(m.stateDict().keys())).toContain('cls_token');
    m.dispose();
  });
  it('refuses a patch size that does not tile the image', () => {
    expect(() => buildModel('vit', { patch: 5 })).toThrow(/image size 28 is not a multiple of the patch size 5/);
  });
});
