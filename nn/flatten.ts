// Flatten: [N, C, H, W] → [N, C·H·W] (dims startDim..endDim merged), as torch.nn.Flatten.

import type { Tensor } from '../engine/index.js';
import { Module } from './module.js';

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
}
