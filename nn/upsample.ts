// Upsample: F.interpolate as a layer (PyTorch's nn.Upsample), e.g. 28×28 digits to a 32×32 backbone.

import type { Tensor } from '../engine/index.js';
import { interpolate, type InterpolateOptions } from './functional/resize.js';
import { Module } from './module.js';

export class Upsample extends Module {
  constructor(readonly options: InterpolateOptions) { super(); }
  forward(x: Tensor): Tensor { return interpolate(x, this.options); }
}
