// `zerograd predict`: the digit in a PNG of any size, with the model's class probabilities.

import { readFileSync, existsSync } from 'node:fs';
import { noGrad, tensor, tidy } from '../engine/index.js';
import { loadModel } from '../mnist/checkpoint.js';
import { MNIST_MEAN, MNIST_STD } from '../mnist/dataset.js';
import { pngToGray, toMnistDigit } from '../mnist/digit-image.js';
import { DataError } from '../mnist/idx.js';
import { INPUT_SHAPE } from '../mnist/models.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, printJson, say } from './output.js';

export const command: Command = {
  name: 'predict',
  summary: 'the digit in a PNG image',
  usage: '--checkpoint F image.png',
  description: [
    'Reads a PNG of any size and colour type, makes it look like MNIST (grayscale, white ink on black: a light',
    'background is inverted; the digit scaled into 20×20 and centred in 28×28), and prints the digit the',
    'model sees with every class probability.',
  ].join('\n'),
  flags: [
    { name: 'checkpoint', value: 'F', help: 'the model.safetensors that zerograd train wrote (required)' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd predict --checkpoint runs/cnn/model.safetensors digit.png', 'zerograd predict --checkpoint runs/cnn/model.safetensors digit.png --json'],
  positionals: { min: 1, max: 1 },
  run,
};

async function run(args: Args): Promise<number> {
  const path = args.string('checkpoint');
  if (!path) throw new UsageError('--checkpoint F is required');
  const image = args.positionals[0];
  if (!existsSync(image)) throw new DataError(`${image}: no such image file`);
  await pickBackend(args);
  const digit = await toMnistDigit(pngToGray(new Uint8Array(readFileSync(image)), image));
  const { model } = loadModel(path);
  model.eval();
  const probs = tidy(() => noGrad(() => {
    const x = tensor(digit.map((v) => (v - MNIST_MEAN) / MNIST_STD), { shape: [1, ...INPUT_SHAPE] });
    return model.forward(x).softmax(1);
  }));
  const p = Array.from((await probs.data()) as Float32Array);
  probs.dispose();
  model.dispose();
  const prediction = p.indexOf(Math.max(...p));
  say(`prediction: ${prediction} (${percent(p[prediction], 1)})`);
  p.forEach((v, i) => say(`  ${i}  ${'█'.repeat(Math.round(v * 40)).padEnd(40)}  ${percent(v, 1)}`));
  if (args.flag('json')) printJson({ prediction, probabilities: p });
  return 0;
}
