// Weight initialisation with PyTorch's formulas (torch.nn.init), all drawn from a seeded Generator
// so the same seed gives the same network.

import { defaultGenerator, randn, tidy, uniform, type Generator, type Tensor } from '../engine/index.js';

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

export interface InitOptions { generator?: Generator }

/** fan_in and fan_out of a weight as stored: dim 1 and dim 0 times the receptive field (PyTorch's rule). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`init: fan in and fan out need a weight with at least 2 dimensions, got [${shape.join(',')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const a = param ?? 0.01; return Math.sqrt(2 / (1 + a * a)); }
    case 'selu': return 3 / 4;
  }
}

const gen = (o: InitOptions) => o.generator ?? defaultGenerator;

/** U(-bound, bound). */
export function uniformInit(shape: readonly number[], bound: number, o: InitOptions = {}): Tensor {
  return uniform(shape, -bound, bound, { generator: gen(o) });
}

/** N(0, std²). */
export function normalInit(shape: readonly number[], std: number, o: InitOptions = {}): Tensor {
  return tidy(() => randn(shape, { generator: gen(o) }).mul(std));
}

export interface KaimingOptions extends InitOptions { a?: number; mode?: FanMode; nonlinearity?: Nonlinearity }

function kaimingStd(shape: readonly number[], o: KaimingOptions): number {
  const { fanIn, fanOut } = fans(shape);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt(o.mode === 'fan_out' ? fanOut : fanIn);
}

/** He et al. 2015, uniform: bound = gain · √(3 / fan). */
export function kaimingUniform(shape: readonly number[], o: KaimingOptions = {}): Tensor {
  return uniformInit(shape, Math.sqrt(3) * kaimingStd(shape, o), o);
}

/** He et al. 2015, normal: std = gain / √fan. */
export function kaimingNormal(shape: readonly number[], o: KaimingOptions = {}): Tensor {
  return normalInit(shape, kaimingStd(shape, o), o);
}

export interface XavierOptions extends InitOptions { gain?: number }

/** Glorot & Bengio 2010, uniform: bound = gain · √(6 / (fan_in + fan_out)). */
export function xavierUniform(shape: readonly number[], o: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return uniformInit(shape, (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut)), o);
}

/** Glorot & Bengio 2010, normal: std = gain · √(2 / (fan_in + fan_out)). */
export function xavierNormal(shape: readonly number[], o: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return normalInit(shape, (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), o);
}

/** PyTorch's default for Linear and Conv weights: kaiming_uniform(a = √5), which is U(±1/√fan_in). */
export function defaultWeight(shape: readonly number[], o: InitOptions = {}): Tensor {
  return kaimingUniform(shape, { ...o, a: Math.sqrt(5) });
}

/** PyTorch's default for Linear and Conv biases: U(±1/√fan_in) with the weight's fan_in. */
export function defaultBias(size: number, weightShape: readonly number[], o: InitOptions = {}): Tensor {
  const { fanIn } = fans(weightShape);
  return uniformInit([size], fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0, o);
}
