// MobileNetV2: the exact parameter counts (against Keras's MobileNetV2(32×32×3, include_top=False):
// 2,257,984 in all, 34,112 of them BatchNorm's moving statistics), the block shapes, the width
// multiplier's channel rounding, and a training step that reaches every parameter.
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor } from '../engine/index.js';
import { buildModel, InvertedResidual, MOBILENET_BLOCKS, modelNames } from '../models/index.js';
import { crossEntropy, summary, type Module, type Sequential } from '../nn/index.js';
import { makeDivisible } from '../models/mobilenetv2.js';

const KERAS_BACKBONE = { total: 2_257_984, trainable: 2_223_872, nonTrainable: 34_112 };

describe('mobilenetv2', () => {
  it("counts exactly what Keras's MobileNetV2 at 32×32×3 counts, plus the dense head", () => {
    expect(modelNames('classification')).toContain('mobilenetv2');
    const { model, inputShape } = buildModel('mobilenetv2', { channels: 3, size: 32 });
    const s = summary(model as Module, inputShape);
    const head = 1280 * 10 + 10;
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams])
      .toEqual([KERAS_BACKBONE.total + head, KERAS_BACKBONE.trainable + head, KERAS_BACKBONE.nonTrainable]);
    const rows = Object.fromEntries(s.layers.map((l) => [l.name, l]));
    expect(rows['features.stem.conv'].outputShape).toEqual([1, 32, 16, 16]);
    expect(rows['features.block17'].outputShape).toEqual([1, 320, 1, 1]);
    expect(rows.pool.outputShape).toEqual([1, 1280]);
    expect(s.table).toContain('Non-trainable params: 34,112');
    (model as Module).dispose();
  });

  it('takes 28×28 digits with one channel (resized to 32×32); freezing the backbone moves its counts', () => {
    const { model, inputShape } = buildModel('mobilenetv2');
    expect(inputShape).toEqual([1, 28, 28]);
    const m = model as Sequential & { features: Module };
    m.features.freeze();
    const s = summary(m, inputShape);
    // The stem sees 1 channel: 3×3×1×32 weights instead of 3×3×3×32.
    expect(s.totalParams).toBe(KERAS_BACKBONE.total - 3 * 3 * 2 * 32 + 12810);
    expect(s.trainableParams).toBe(12810);
    expect(s.layers[0]).toMatchObject({ name: 'resize', outputShape: [1, 1, 32, 32] });
    m.dispose();
  });

  it('has residuals exactly where the shapes allow, and the 17 named blocks', () => {
    const { model } = buildModel('mobilenetv2', { size: 32 });
    const f = (model as unknown as { features: Sequential }).features;
    expect(f.layers().map(([n]) => n)).toEqual(MOBILENET_BLOCKS);
    const residual = f.layers().filter(([, b]) => b instanceof InvertedResidual && b.residual).map(([n]) => n);
    expect(residual).toEqual(['block3', 'block5', 'block6', 'block8', 'block9', 'block10', 'block12', 'block13', 'block15', 'block16']);
    (model as Module).dispose();
  });

  it('rounds channels like Keras (width 0.35: a 16-channel stem, 8-channel block 1)', () => {
    expect([makeDivisible(32 * 0.35), makeDivisible(16 * 0.35), makeDivisible(24 * 0.35), makeDivisible(320 * 0.35)]).toEqual([16, 8, 8, 112]);
    expect(() => buildModel('mobilenetv2', { channels: 2 })).toThrow(/channels must be 1 or 3/);
  });

  it('a training step reaches every parameter', () => {
    manualSeed(0);
    const { model } = buildModel('mobilenetv2', { width: 0.35 });
    const m = model as Module;
    const y = m.forward(randn([2, 1, 28, 28]));
    expect(y.shape).toEqual([2, 10]);
    crossEntropy(y, tensor(Int32Array.from([3, 7]))).backward();
    for (const [name, t] of m.namedParameters()) expect(t.grad, name).not.toBeNull();
    m.dispose();
  });
});
