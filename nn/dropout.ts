// Dropout: zeroes activations with probability p while training (seeded), identity in eval mode.

import { defaultGenerator, type Generator, type Tensor } from '../engine/index.js';
import { dropout } from './functional/dropout.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly generator: Generator = defaultGenerator) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training, this.generator); }
}
