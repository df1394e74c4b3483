// What the first layer learned: its filters (or, for an MLP, its weight templates) and its feature maps on one digit.
import { tensor, noGrad, tidy, type Tensor } from '../../engine/index.js';
import { Conv2d, Linear, Sequential, type Module } from '../../nn/index.js';

const ACTIVATIONS = new Set(['ReLU', 'LeakyReLU', 'GELU', 'Tanh', 'Sigmoid', 'ELU']);

export interface FirstLayer {
  name: string; // dotted path, e.g. 'conv1'
  kind: 'conv' | 'linear';
  /** Weights as 2-D tiles: conv [out × in·kh·kw] shown per (out, in) as kh×kw; linear rows reshaped to the image. */
  weights: Float32Array;
  shape: readonly number[];
}

/** The first Conv2d or Linear in the model, in module order. */
export async function firstLayer(model: Module): Promise<FirstLayer | null> {
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Conv2d || m instanceof Linear) {
      return { name, kind: m instanceof Conv2d ? 'conv' : 'linear', weights: Float32Array.from(await m.weight.data()), shape: m.weight.shape };
    }
  }
  return null;
}

/**
 * Activations after the first convolution and the activation that follows it, for one input [1, ...shape]:
 * [channels, h, w]. Only for a Sequential whose first parametrised layer is a Conv2d; otherwise null.
 */
export async function firstFeatureMaps(model: Module, image: Float32Array, shape: readonly number[]): Promise<{ maps: Float32Array; channels: number; h: number; w: number } | null> {
  if (!(model instanceof Sequential)) return null;
  const layers = model.layers();
  const at = layers.findIndex(([, m]) => m instanceof Conv2d);
  if (at < 0 || layers.slice(0, at).some(([, m]) => m.parameters().length > 0)) return null;
  const end = at + 1 < layers.length && ACTIVATIONS.has(layers[at + 1][1].typeName) ? at + 2 : at + 1;
  const wasTraining = model.training;
  model.eval();
  try {
    const out: Tensor = noGrad(() => tidy(() => layers.slice(0, end).reduce((x, [, m]) => m.forward(x), tensor(image, { shape: [1, ...shape] }))));
    const [, channels, h, w] = out.shape;
    const maps = Float32Array.from(await out.data());
    out.dispose();
    return { maps, channels, h, w };
  } finally {
    model.train(wasTraining);
  }
}
