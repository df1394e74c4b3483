// Flatten: [N, C, H, W] → [N, C·H·W] (dims startDim..endDim merged), as torch.nn.Flatten.

import type { Tensor } from '../engine/index.js';
import { Module } from './module.js';

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
}

/** Unflatten: one axis back into `sizes` (a dense layer's output into feature maps), as torch.nn.Unflatten. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: readonly number[]) { super(); }
  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? x.ndim + this.dim : this.dim;
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
}
