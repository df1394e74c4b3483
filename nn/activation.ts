// Activation layers: parameter-free modules around the engine's elementwise nonlinearities.

import type { Tensor } from '../engine/index.js';
import { Module } from './module.js';

export class ReLU extends Module { forward(x: Tensor): Tensor { return x.relu(); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return x.tanh(); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return x.sigmoid(); } }

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return x.gelu(this.approximate); }
}

/** min(max(x, 0), 6): MobileNet's activation, bounded so it survives low-precision inference. */
export class ReLU6 extends Module { forward(x: Tensor): Tensor { return x.clamp(0, 6); } }
