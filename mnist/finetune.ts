// Few-label fine-tuning of mobilenetv2 on the shared loop: a classification run (ClassifyTask)
// on N labelled images per class, whose backbone (`features`) starts from a checkpoint, either a
// self-supervised one (`zerograd pretrain`'s backbone.safetensors) or any mobilenetv2 classifier
// (e.g. trained with labels on Fashion-MNIST), and a fresh head. The freeze policy:
//   all   the backbone stays frozen (its BatchNorm in eval mode: its statistics do not move);
//   top   frozen for --frozen-epochs, then the top --unfreeze blocks train at lr × --backbone-lr
//         (a second parameter group; the frozen part keeps eval-mode BatchNorm throughout);
//   none  everything trains (with no checkpoint: the same backbone from scratch).

import { Generator } from '../engine/index.js';
import { DataError } from '../io/errors.js';
import type { Module, ParamGroupSpec, Sequential, StateDict } from '../nn/index.js';
import type { EpochContext, StepContext } from '../train/core.js';
import { ClassifyTask, type ClassifyConfig } from './classify.js';
import { subset } from './data.js';
import type { ImageData } from './image-data.js';

export type FreezePolicy = 'all' | 'top' | 'none';

export interface FinetuneConfig extends ClassifyConfig {
  /** Labelled training images per class (0: all of them). */
  labelsPerClass: number;
  freeze: FreezePolicy;
  /** Epochs with the whole backbone frozen before the top blocks train (policy 'top'). */
  frozenEpochs: number;
  /** Backbone blocks, counted from the top (head conv first), that policy 'top' unfreezes. */
  unfreeze: number;
  /** The unfrozen blocks' learning rate, as a fraction of --lr. */
  backboneLr: number;
  width: number;
  /** Where the backbone came from (a path, or 'scratch'): recorded, not read, here. */
  backbone: string;
  /** Evaluate on the test images every this many epochs (and after the last): with 10 labels per
   *  class an epoch is 5 steps, and testing on 10,000 images each time would cost far more than training. */
  evalEvery?: number;
}

/** The first `n` images of each class in a seeded shuffle of the training set (all when n is 0). */
export function labelSubset(labels: Uint8Array, numClasses: number, n: number, seed: number): Int32Array {
  if (n === 0) return Int32Array.from(labels.keys());
  const order = Int32Array.from(labels.keys());
  const g = new Generator(seed);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(g.random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const taken = new Array<number>(numClasses).fill(0), out: number[] = [];
  for (const i of order) if (taken[labels[i]] < n) { taken[labels[i]]++; out.push(i); }
  const short = taken.findIndex((t) => t < n);
  if (short >= 0) throw new DataError(`--labels-per-class ${n}: class ${short} has only ${taken[short]} training images`);
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** Keys of a backbone state: a pretrain backbone's own ('stem.conv.weight'), or a whole mobilenetv2's ('features.stem.conv.weight'). */
export function backboneState(state: StateDict): StateDict {
  const prefixed = [...state.keys()].some((k) => k.startsWith('features.'));
  return prefixed ? new Map([...state].filter(([k]) => k.startsWith('features.')).map(([k, v]) => [k.slice('features.'.length), v])) : state;
}

export class FinetuneTask extends ClassifyTask {
  private readonly features: Sequential;
  private readonly top: Module[];
  private readonly bottom: Module[];

  /** `state`: the backbone's weights (null: from scratch). */
  constructor(override readonly config: FinetuneConfig & Record<string, unknown>, data: ImageData, state: StateDict | null) {
    const picked = labelSubset(data.train.labels, data.numClasses, config.labelsPerClass, config.seed);
    const few = { ...data, train: subset(data.train, picked, data.channels * data.rows * data.cols) };
    let features!: Sequential, top: Module[] = [], bottom: Module[] = [];
    super(config, few, {
      overrides: { width: config.width },
      prepare: (model) => {
        features = (model as unknown as { features: Sequential }).features;
        if (state) features.loadStateDict(state);
        const blocks = features.layers();
        const k = config.freeze === 'top' ? Math.min(config.unfreeze, blocks.length) : config.freeze === 'none' ? blocks.length : 0;
        top = blocks.slice(blocks.length - k).map(([, m]) => m);
        bottom = blocks.slice(0, blocks.length - k).map(([, m]) => m);
        const head = model.parameters().filter((p) => !features.parameters().includes(p));
        const groups: ParamGroupSpec[] = [{ name: 'head', params: head }];
        const topParams = top.flatMap((m) => m.parameters());
        if (topParams.length) groups.push({ name: 'backbone', params: topParams, lr: config.freeze === 'none' ? config.lr : config.lr * config.backboneLr });
        return groups;
      },
    });
    this.features = features;
    this.top = top;
    this.bottom = bottom;
    this.applyStage(1);
  }

  /** Freeze what this epoch's stage keeps fixed: requiresGrad off, BatchNorm in eval mode. */
  private applyStage(epoch: number): void {
    const c = this.config;
    const topTrains = c.freeze === 'none' || (c.freeze === 'top' && epoch > c.frozenEpochs);
    for (const m of this.bottom) { m.freeze(); m.eval(); }
    for (const m of this.top) { if (topTrains) m.unfreeze().train(); else { m.freeze(); m.eval(); } }
  }

  override step(idx: Int32Array, ctx?: StepContext) {
    // The loop puts every module in training mode at the start; the frozen parts go back to eval here.
    this.applyStage(ctx?.epoch ?? 1);
    return super.step(idx);
  }

  override async evaluate(ctx: EpochContext): Promise<Record<string, number>> {
    const every = this.config.evalEvery ?? 1;
    if (ctx.epoch % every !== 0 && ctx.epoch !== ctx.epochs) return {};
    return super.evaluate(ctx);
  }

  /** Trainable parameters in the current stage. */
  trainableParams(): number { return this.modules.model.parameters().filter((p) => p.requiresGrad).reduce((n, p) => n + p.size, 0); }

  /** The backbone's parameters and buffers, for a test to see nothing frozen moved. */
  backbone(): Module { return this.features; }
}
