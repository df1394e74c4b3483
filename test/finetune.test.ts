// Few-label fine-tuning: the label draw, and that freezing really freezes: after fine-tune steps
// the frozen weights and BatchNorm statistics are bit-identical to the loaded backbone's, while
// the head (and, in stage 2 of --freeze top, the top blocks) moved. Also SimCLR's NT-Xent loss.
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, tensor, type Tensor } from '../engine/index.js';
import { loadImageData } from '../mnist/data.js';
import { DEFAULT_CONFIG } from '../mnist/classify.js';
import { FinetuneTask, labelSubset, type FinetuneConfig } from '../mnist/finetune.js';
import { ntXent } from '../mnist/pretrain.js';
import { mobilenetV2Features } from '../models/index.js';

const data = loadImageData({ limit: 400, testLimit: 20 });
const config = (o: Partial<FinetuneConfig>): FinetuneConfig & Record<string, unknown> => ({
  ...DEFAULT_CONFIG, model: 'mobilenetv2', batchSize: 10, labelsPerClass: 2, freeze: 'all', frozenEpochs: 1, unfreeze: 2,
  backboneLr: 0.1, width: 0.25, backbone: 'test', lr: 1e-2, ...o,
});
const snapshot = async (entries: [string, Tensor][]) => new Map(await Promise.all(entries.map(async ([k, t]) => [k, Array.from(await t.data())] as const)));

/** A backbone whose BatchNorm statistics are not the defaults, so a moved statistic shows. */
function pretrained(): Map<string, Tensor> {
  manualSeed(3);
  const f = mobilenetV2Features(1, 0.25);
  for (const [k, t] of f.namedBuffers()) if (k.endsWith('running_mean')) t.copy_(randn(t.shape).mul(0.1));
  return f.stateDict();
}

describe('finetune', () => {
  it('draws exactly N labelled images per class, seeded', () => {
    const idx = labelSubset(data.train.labels, 10, 3, 0);
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[data.train.labels[i]]++;
    expect(counts).toEqual(new Array(10).fill(3));
    expect(Array.from(labelSubset(data.train.labels, 10, 3, 0))).toEqual(Array.from(idx));
    expect(Array.from(labelSubset(data.train.labels, 10, 3, 1))).not.toEqual(Array.from(idx));
    expect(() => labelSubset(data.train.labels, 10, 1000, 0)).toThrow(/class \d has only \d+ training images/);
  });

  it('--freeze all: backbone weights and BatchNorm statistics bit-identical after steps; the head moved', async () => {
    const state = pretrained();
    const task = new FinetuneTask(config({ freeze: 'all' }), data, state);
    const before = await snapshot([...task.backbone().stateDict()]);
    expect([...before.keys()].length).toBe(state.size);
    for (const [k, v] of before) expect(v, k).toEqual(Array.from(await state.get(k)!.data()));   // loaded
    const head = task.modules.model.stateDict().get('classifier.weight')!;
    const head0 = Array.from(await head.data());
    task.modules.model.train();   // what the loop does before each epoch
    for (let s = 0; s < 2; s++) task.step(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), { epoch: 1, step: s + 1, globalStep: s + 1 });
    const after = await snapshot([...task.backbone().stateDict()]);
    for (const [k, v] of before) expect(after.get(k), k).toEqual(v);
    expect(Array.from(await head.data())).not.toEqual(head0);
    expect(task.trainableParams()).toBe(1280 * 10 + 10);
  });

  it('--freeze top: stage 2 trains the top blocks (a second parameter group) and leaves the rest bit-identical', async () => {
    const task = new FinetuneTask(config({ freeze: 'top', unfreeze: 2 }), data, pretrained());
    expect(task.optimizers.optimizer.groups.map((g) => [g.name, g.lr])).toEqual([['head', 1e-2], ['backbone', 1e-3]]);
    const bb = task.backbone();
    const before = await snapshot([...bb.stateDict()]);
    task.modules.model.train();
    task.step(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), { epoch: 2, step: 1, globalStep: 3 });
    const after = await snapshot([...bb.stateDict()]);
    const moved = [...before.keys()].filter((k) => after.get(k)!.some((v, i) => v !== before.get(k)![i]));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((k) => k.startsWith('head.') || k.startsWith('block17.'))).toBe(true);
    expect(moved).toContain('head.bn.running_mean');   // unfrozen BatchNorm learns its statistics again
  });
});

describe('NT-Xent', () => {
  it('is low when each view is its partner, log(2B-1) when every vector is the same', async () => {
    const same = tensor(new Float32Array(8 * 4).fill(0.5), { shape: [8, 4] });
    expect((await ntXent(same, 1).data())[0]).toBeCloseTo(Math.log(7), 4);
    const e = new Float32Array(8 * 4);
    for (let i = 0; i < 8; i++) e[i * 4 + (i % 4)] = 1;   // rows i and i+4 equal, orthogonal to the rest
    expect((await ntXent(tensor(e, { shape: [8, 4] }), 0.1).data())[0]).toBeLessThan(1e-3);
  });
});
