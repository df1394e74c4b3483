// Pooling layers (NCHW): max, average, adaptive average and global average.

import { avgPool2d, maxPool2d, type Pool2dOptions, type Tensor } from '../engine/index.js';
import { adaptiveAvgPool2d } from './functional/resize.js';
import { Module } from './module.js';

type Pair = number | [number, number];

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Pool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.options); }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Pool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
}

/** [N, C, H, W] → [N, C]: the mean of each channel (Keras's GlobalAveragePooling2D). */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor { return x.mean([2, 3]); }
}
