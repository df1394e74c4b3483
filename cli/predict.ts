// `zerograd predict`: the class of a PNG of any size, with the model's class probabilities.

import { readBytes } from '../io/files.js';
import { loadClassifier } from '../mnist/classifier.js';
import { pngToGray } from '../mnist/digit-image.js';
import { readDigit } from '../mnist/read-digit.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, printJson, say } from './output.js';

export const command: Command = {
  name: 'predict',
  summary: 'the class of a PNG image',
  usage: '--checkpoint F image.png',
  description: [
    'Reads a PNG of any size and colour type, makes it look like MNIST (grayscale, white ink on black: a light',
    'background is inverted; the ink scaled into 20×20 and centred in 28×28), and prints the class the',
    'model sees with every class probability.',
  ].join('\n'),
  flags: [
    { name: 'checkpoint', value: 'F', help: 'the model.safetensors that zerograd train wrote, or its run folder (required)' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd predict --checkpoint runs/cnn/model.safetensors digit.png', 'zerograd predict --checkpoint runs/cnn digit.png --json'],
  positionals: { min: 1, max: 1 },
  run,
};

async function run(args: Args): Promise<number> {
  const path = args.string('checkpoint');
  if (!path) throw new UsageError('--checkpoint F is required');
  const image = args.positionals[0];
  const bytes = readBytes(image, 'PNG image');
  await pickBackend(args);
  const c = loadClassifier(path);
  try {
    const reading = await readDigit(c.model, c.card, pngToGray(bytes, image));
    const p = Array.from(reading.probabilities), prediction = reading.prediction;
    const name = (i: number) => c.classes[i] ?? String(i);
    const w = Math.max(...p.map((_, i) => name(i).length));
    say(`prediction: ${name(prediction)} (${percent(p[prediction], 1)})`);
    p.forEach((v, i) => say(`  ${name(i).padStart(w)}  ${'█'.repeat(Math.round(v * 40)).padEnd(40)}  ${percent(v, 1)}`));
    if (args.flag('json')) printJson({ prediction, class_name: name(prediction), probabilities: p });
    return 0;
  } finally {
    c.model.dispose();
  }
}
