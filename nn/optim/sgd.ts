// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay (PyTorch's
// update rule), in place through the backend's fused kernel.

import type { Tensor } from '../../engine/index.js';
import { Optimizer, type Hyper, type ParamGroup, type ParamGroupSpec, type ParamState } from './optimizer.js';

export interface SgdOptions { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }

export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  nesterov: boolean;

  /** params: tensors, or groups `{ params, lr?, weightDecay? }` that override the options' lr and weight decay. */
  constructor(params: Iterable<Tensor> | ParamGroupSpec[], o: SgdOptions) {
    super(params, { lr: o.lr, weightDecay: o.weightDecay ?? 0 });
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: Nesterov momentum needs momentum > 0 and dampening = 0');
  }

  protected update(p: Tensor, g: Tensor, st: ParamState, group: ParamGroup): void {
    const buf = this.momentum > 0 ? st.buffers.momentum_buffer.storage : null;
    p.backend.sgdStep(p.storage, g.storage, buf, {
      lr: group.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: group.weightDecay,
      nesterov: this.nesterov, first: st.step === 1,
    });
  }

  protected bufferNames(): string[] { return this.momentum > 0 ? ['momentum_buffer'] : []; }
  protected hyper(): Hyper { return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov }; }
  protected setHyper(h: Hyper): void {
    this.momentum = Number(h.momentum); this.dampening = Number(h.dampening); this.nesterov = Boolean(h.nesterov);
  }
}
