// `zerograd predict`: the class of each PNG (any size), with the model's class probabilities.

import { DataError, readBytes } from '../io/files.js';
import { loadClassifier } from '../mnist/classifier.js';
import { isBlank, type Picture } from '../mnist/digit-image.js';
import { checkPng, pngToPicture } from '../mnist/png.js';
import { readDigit } from '../mnist/read-digit.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { note, percent, printJson, say } from './output.js';

export const command: Command = {
  name: 'predict',
  summary: 'the class of PNG images',
  usage: '--checkpoint F image.png [image2.png ...]',
  description: [
    'Reads PNGs of any size and colour type, prepares each as the model\'s training images were (from the',
    'checkpoint\'s card), and prints the class the model sees with every class probability. For digits (MNIST):',
    'grayscale, white ink on black (a light background is inverted), the ink scaled into 20×20 and centred in',
    '28×28. Other grayscale sets: the object\'s box scaled to fill the frame. Colour sets: the picture resized.',
    'Every image is read and checked before any is predicted; a blank image (no ink) is predicted with a warning.',
  ].join('\n'),
  flags: [
    { name: 'checkpoint', value: 'F', help: 'the model.safetensors that zerograd train wrote, or its run folder (required)' },
    BACKEND_FLAG,
  ],
  examples: [
    'zerograd predict --checkpoint runs/cnn/model.safetensors digit.png',
    'zerograd predict --checkpoint runs/cnn one.png two.png three.png --json',
  ],
  positionals: { min: 1, max: Infinity },
  run,
};

interface Prediction { image: string; prediction: number; class_name: string; probabilities: number[]; blank: boolean }

async function run(args: Args): Promise<number> {
  const path = args.string('checkpoint');
  if (!path) throw new UsageError('--checkpoint F is required');
  const images = args.positionals;
  // Every file is read and checked first, so a bad one stops the command before anything is computed or printed.
  const bytes = images.map((f) => readBytes(f, 'PNG image'));
  bytes.forEach((b, k) => checkPng(b, images[k]));
  const backend = await pickBackend(args);
  const c = loadClassifier(path);
  try {
    const [channels] = c.card.input_shape;
    if (channels !== 1 && channels !== 3) throw new DataError(`${c.path}: takes ${channels}-channel images; predict reads gray or RGB pictures only`);
    const pictures: Picture[] = bytes.map((b, k) => pngToPicture(b, images[k], channels));
    const name = (i: number) => c.classes[i] ?? String(i);
    const results: Prediction[] = [];
    for (const [k, pic] of pictures.entries()) {
      // The preparation the page's drawing panel shares: framed as the card says, standardised, read.
      const reading = await readDigit(c.model, c.card, pic);
      const p = Array.from(reading.probabilities), prediction = reading.prediction;
      const blank = isBlank(pic);
      if (blank) note(`warning: ${images[k]}: the image is blank (${pic.width}×${pic.height}, no ink to see); its prediction means nothing`);
      results.push({ image: images[k], prediction, class_name: name(prediction), probabilities: p, blank });
    }
    const w = Math.max(...c.classes.map((n) => n.length), 1);
    for (const r of results) {
      say(`${images.length > 1 ? `${r.image}: ` : ''}prediction: ${r.class_name} (${percent(r.probabilities[r.prediction], 1)})${r.blank ? ' — blank image' : ''}`);
      if (images.length === 1) r.probabilities.forEach((v, i) => say(`  ${name(i).padStart(w)}  ${'█'.repeat(Math.round(v * 40)).padEnd(40)}  ${percent(v, 1)}`));
    }
    if (args.flag('json')) {
      const one = results.length === 1 ? { prediction: results[0].prediction, class_name: results[0].class_name, probabilities: results[0].probabilities } : {};
      printJson({ ...one, predictions: results, backend });
    }
    return 0;
  } finally {
    c.model.dispose();
  }
}
