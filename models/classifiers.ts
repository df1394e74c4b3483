// The image classifiers of the design: `cnn-small`, `cnn` and `mlp`. Their config is the input
// (channels, size) and the class count, so the same architectures serve MNIST, Fashion-MNIST and
// other IDX sets; at the defaults they are exactly the design's MNIST models.

import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, type ModelConfig } from '../nn/index.js';
import { registerModel } from './registry.js';

export interface ClassifierConfig extends ModelConfig { channels: number; size: number; classes: number }

const MNIST_INPUT: ClassifierConfig = { channels: 1, size: 28, classes: 10 };
const CIFAR_INPUT: ClassifierConfig = { channels: 3, size: 32, classes: 10 };
const imageShape = (c: ClassifierConfig) => [c.channels, c.size, c.size];
/** A valid 3×3 convolution, then a 2×2 max-pool. */
const convPool = (s: number) => Math.floor((s - 2) / 2);

/** Bounds that keep a classifier buildable and of a sane size (a damaged card must not ask for gigabytes). */
const LIMITS = { channels: [1, 4], size: [1, 256], classes: [1, 1000] } as const;

/** A check for an architecture whose last feature map, for an input of side `size`, is `side(size)` pixels on a side. */
function checkImage(name: string, side: (size: number) => number) {
  return (c: ClassifierConfig) => {
    for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
      const v = c[k as keyof typeof LIMITS];
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name}: ${k} must be an integer from ${lo} to ${hi}, got ${v}`);
    }
    if (side(c.size) < 1) {
      let min = c.size;
      while (side(min) < 1) min++;
      throw new Error(`${name} needs images of at least ${min}×${min} pixels, got ${c.size}×${c.size}`);
    }
  };
}

export const cnn = registerModel<ClassifierConfig>({
  name: 'cnn',
  summary: 'Conv 32 3×3, MaxPool 2, Conv 64 3×3, MaxPool 2, Flatten, Dense 64, Dense 10 (121,930 parameters on MNIST)',
  task: 'classification',
  defaults: MNIST_INPUT,
  inputShape: imageShape,
  check: checkImage('cnn', (s) => convPool(convPool(s))),
  // The dropout has no parameters: it only regularises the dense layer.
  build: (c) => {
    const s = convPool(convPool(c.size));
    return new Sequential({
      conv1: new Conv2d(c.channels, 32, 3), relu1: new ReLU(), pool1: new MaxPool2d(2),
      conv2: new Conv2d(32, 64, 3), relu2: new ReLU(), pool2: new MaxPool2d(2),
      flatten: new Flatten(),
      fc1: new Linear(64 * s * s, 64), relu3: new ReLU(), dropout: new Dropout(0.25),
      fc2: new Linear(64, c.classes),
    });
  },
});

export const cnnSmall = registerModel<ClassifierConfig>({
  name: 'cnn-small',
  summary: 'Conv 32 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense 10 (347,146 parameters on MNIST)',
  task: 'classification',
  defaults: MNIST_INPUT,
  inputShape: imageShape,
  check: checkImage('cnn-small', convPool),
  build: (c) => {
    const s = convPool(c.size);
    return new Sequential({
      conv1: new Conv2d(c.channels, 32, 3), relu1: new ReLU(), pool1: new MaxPool2d(2),
      flatten: new Flatten(),
      fc1: new Linear(32 * s * s, 64), relu2: new ReLU(),
      fc2: new Linear(64, c.classes),
    });
  },
});

export const mlp = registerModel<ClassifierConfig>({
  name: 'mlp',
  summary: '784-256-128-10 with ReLU',
  task: 'classification',
  defaults: MNIST_INPUT,
  inputShape: imageShape,
  check: checkImage('mlp', (s) => s),
  build: (c) => new Sequential({
    flatten: new Flatten(),
    fc1: new Linear(c.channels * c.size * c.size, 256), relu1: new ReLU(),
    fc2: new Linear(256, 128), relu2: new ReLU(),
    fc3: new Linear(128, c.classes),
  }),
});

/** The seed's chapter 9.3 CNN for CIFAR-10's 32×32 colour images (Keras' tutorial model, 122,570 parameters). */
export const cifarCnn = registerModel<ClassifierConfig>({
  name: 'cifar-cnn',
  summary: 'Conv 32 3×3, MaxPool 2, Conv 64 3×3, MaxPool 2, Conv 64 3×3, Flatten, Dense 64, Dense 10 on 32×32×3 (122,570 parameters)',
  task: 'classification',
  defaults: CIFAR_INPUT,
  inputShape: imageShape,
  check: checkImage('cifar-cnn', (s) => convPool(convPool(s)) - 2),
  build: (c) => {
    const s = convPool(convPool(c.size)) - 2;
    return new Sequential({
      conv1: new Conv2d(c.channels, 32, 3), relu1: new ReLU(), pool1: new MaxPool2d(2),
      conv2: new Conv2d(32, 64, 3), relu2: new ReLU(), pool2: new MaxPool2d(2),
      conv3: new Conv2d(64, 64, 3), relu3: new ReLU(),
      flatten: new Flatten(),
      fc1: new Linear(64 * s * s, 64), relu4: new ReLU(),
      fc2: new Linear(64, c.classes),
    });
  },
});
