// What a classifier makes of one drawn or photographed image: the input frame it actually sees
// (for digits centred and scaled like MNIST, for other sets framed as the checkpoint's card says),
// and its class probabilities. Shared by `zerograd predict` and the browser page (browser-safe: no files).

import type { Module, ModelCard } from '../nn/index.js';
import { predictProbabilities } from './analyze/predict.js';
import { toModelInput, type Framing, type Gray, type Picture } from './digit-image.js';
import type { Stats } from './image-data.js';

export interface DigitReading {
  /** The model's input frame in [0, 1] (for MNIST the 28×28 image, white ink on black, as its digits are). */
  digit: Float32Array;
  /** That image standardised as the model's card says: what goes into the model. */
  input: Float32Array;
  probabilities: Float32Array;
  prediction: number;
}

/** The normalisation a classifier's card records (mean 0, std 1 when it records none). */
export function cardStats(card: ModelCard): Stats {
  return { mean: card.normalisation?.mean[0] ?? 0, std: card.normalisation?.std[0] ?? 1 };
}

/** How a classifier's card frames a picture: its input side, and MNIST's own preparation for a model trained on MNIST. */
export function cardFraming(card: ModelCard): Framing {
  return { size: card.input_shape[1], digits: card.dataset?.name === 'mnist' };
}

/** Read a gray drawing (the page's canvas) or a decoded picture (gray or RGB, as the model takes) with a classifier. */
export async function readDigit(model: Module, card: ModelCard, image: Gray | Picture): Promise<DigitReading> {
  const picture: Picture = 'channels' in image ? image : { ...image, channels: 1 };
  const digit = await toModelInput(picture, cardFraming(card));
  const { mean, std } = cardStats(card);
  const input = digit.map((v) => (v - mean) / std);
  const probabilities = await predictProbabilities(model, input, Int32Array.of(0), card.input_shape);
  let prediction = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[prediction]) prediction = c;
  return { digit, input, probabilities, prediction };
}
