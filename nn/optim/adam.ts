// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), updated in place by the backend's
// fused kernel: one pass over parameter, gradient and both moments.

import type { Tensor } from '../../engine/index.js';
import { Optimizer, type Hyper, type ParamGroup, type ParamGroupSpec, type ParamState } from './optimizer.js';

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  protected readonly decoupled: boolean = false;

  /** params: tensors, or groups `{ params, lr?, weightDecay? }` that override the options' lr and weight decay. */
  constructor(params: Iterable<Tensor> | ParamGroupSpec[], o: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay ?? defaultWeightDecay });
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
  }

  protected update(p: Tensor, g: Tensor, st: ParamState, group: ParamGroup): void {
    const { exp_avg: m, exp_avg_sq: v } = st.buffers;
    p.backend.adamStep(p.storage, g.storage, m.storage, v.storage, {
      lr: group.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps,
      weightDecay: group.weightDecay, decoupled: this.decoupled, step: st.step,
    });
  }

  protected bufferNames(): string[] { return ['exp_avg', 'exp_avg_sq']; }
  protected hyper(): Hyper { return { beta1: this.beta1, beta2: this.beta2, eps: this.eps }; }
  protected setHyper(h: Hyper): void {
    this.beta1 = Number(h.beta1); this.beta2 = Number(h.beta2); this.eps = Number(h.eps);
  }
}

/** Adam with decoupled weight decay: p ← p·(1 − lr·wd) before the Adam step; wd defaults to 0.01 as in PyTorch. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: Iterable<Tensor> | ParamGroupSpec[], o: AdamOptions = {}) { super(params, o, 0.01); }
}
