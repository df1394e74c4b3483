// Linear (fully connected) layer: y = x Wᵀ + b with W [out, in], as torch.nn.Linear.

import { linear, type Tensor } from '../engine/index.js';
import { defaultBias, defaultWeight, type InitOptions } from './init.js';
import { Module, Parameter } from './module.js';

export interface LinearOptions extends InitOptions { bias?: boolean }

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, o: LinearOptions = {}) {
    super();
    const shape = [outFeatures, inFeatures];
    this.weight = Parameter(defaultWeight(shape, o));
    this.bias = o.bias === false ? null : Parameter(defaultBias(outFeatures, shape, o));
  }

  forward(x: Tensor): Tensor { return linear(x, this.weight, this.bias); }
}
