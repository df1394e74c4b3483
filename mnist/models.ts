// The MNIST models by name, as the design fixes them; `buildModel('cnn')` is what train, eval,
// predict and summary all call, so a checkpoint always meets the architecture that made it.

import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../nn/index.js';

export const MODEL_NAMES = ['cnn', 'cnn-small', 'mlp'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** One MNIST image: [channels, rows, cols]. */
export const INPUT_SHAPE = [1, 28, 28] as const;

export function isModelName(s: string): s is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(s);
}

const BUILDERS: Record<ModelName, () => Module> = {
  /** Conv 32 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense 10: 13·13·32 = 5,408 features. */
  'cnn-small': () => new Sequential({
    conv1: new Conv2d(1, 32, 3), relu1: new ReLU(), pool1: new MaxPool2d(2),
    flatten: new Flatten(),
    fc1: new Linear(5408, 64), relu2: new ReLU(),
    fc2: new Linear(64, 10),
  }),
  /** Conv 32 3×3 relu, MaxPool 2, Conv 64 3×3 relu, MaxPool 2, Flatten (5·5·64 = 1,600), Dense 64 relu, Dense 10.
   *  The dropout has no parameters: it only regularises the dense layer. */
  cnn: () => new Sequential({
    conv1: new Conv2d(1, 32, 3), relu1: new ReLU(), pool1: new MaxPool2d(2),
    conv2: new Conv2d(32, 64, 3), relu2: new ReLU(), pool2: new MaxPool2d(2),
    flatten: new Flatten(),
    fc1: new Linear(1600, 64), relu3: new ReLU(), dropout: new Dropout(0.25),
    fc2: new Linear(64, 10),
  }),
  /** 784-256-128-10 with ReLU. */
  mlp: () => new Sequential({
    flatten: new Flatten(),
    fc1: new Linear(784, 256), relu1: new ReLU(),
    fc2: new Linear(256, 128), relu2: new ReLU(),
    fc3: new Linear(128, 10),
  }),
};

/** A fresh model with PyTorch's default init, drawn from the engine's default generator (seed it first). */
export function buildModel(name: ModelName): Module {
  return BUILDERS[name]();
}
