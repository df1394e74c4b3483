// Convolution layers (NCHW): Conv2d and ConvTranspose2d with PyTorch's weight layouts and init.

import { conv2d, convTranspose2d, type Tensor } from '../engine/index.js';
import { defaultBias, defaultWeight, type InitOptions } from './init.js';
import { Module, Parameter } from './module.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

export interface Conv2dOptions extends InitOptions {
  stride?: Pair; padding?: Pair | 'valid' | 'same'; dilation?: Pair; groups?: number; bias?: boolean;
}

/** weight [out, in/groups, kh, kw], bias [out]. */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly options: Conv2dOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, o: Conv2dOptions = {}) {
    super();
    const groups = o.groups ?? 1;
    if (inChannels % groups || outChannels % groups) throw new Error(`Conv2d: ${inChannels} in and ${outChannels} out channels must both divide by groups = ${groups}`);
    const shape = [outChannels, inChannels / groups, ...pair(kernelSize)];
    this.weight = Parameter(defaultWeight(shape, o));
    this.bias = o.bias === false ? null : Parameter(defaultBias(outChannels, shape, o));
    this.options = { stride: o.stride, padding: o.padding, dilation: o.dilation, groups };
  }

  forward(x: Tensor): Tensor { return conv2d(x, this.weight, this.bias, this.options); }
}

export interface ConvTranspose2dOptions extends Conv2dOptions { outputPadding?: Pair; padding?: Pair }

/** weight [in, out/groups, kh, kw] (PyTorch's layout), bias [out]. */
export class ConvTranspose2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly options: ConvTranspose2dOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, o: ConvTranspose2dOptions = {}) {
    super();
    const groups = o.groups ?? 1;
    if (inChannels % groups || outChannels % groups) throw new Error(`ConvTranspose2d: ${inChannels} in and ${outChannels} out channels must both divide by groups = ${groups}`);
    const shape = [inChannels, outChannels / groups, ...pair(kernelSize)];
    this.weight = Parameter(defaultWeight(shape, o));
    this.bias = o.bias === false ? null : Parameter(defaultBias(outChannels, shape, o));
    this.options = { stride: o.stride, padding: o.padding, dilation: o.dilation, groups, outputPadding: o.outputPadding };
  }

  forward(x: Tensor): Tensor { return convTranspose2d(x, this.weight, this.bias, this.options); }
}
