// What a classifier makes of one drawn or photographed digit: the 28×28 input it actually sees
// (centred and scaled like MNIST), and its class probabilities. Shared by `zerograd predict` and the
// browser page (browser-safe: no files).

import type { Module, ModelCard } from '../nn/index.js';
import { predictProbabilities } from './analyze/predict.js';
import { toMnistDigit, type Gray } from './digit-image.js';
import type { Stats } from './image-data.js';

export interface DigitReading {
  /** The 28×28 image in [0, 1], white ink on black, as MNIST's digits are. */
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

export async function readDigit(model: Module, card: ModelCard, image: Gray): Promise<DigitReading> {
  const digit = await toMnistDigit(image);
  const { mean, std } = cardStats(card);
  const input = digit.map((v) => (v - mean) / std);
  const probabilities = await predictProbabilities(model, input, Int32Array.of(0), card.input_shape);
  let prediction = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[prediction]) prediction = c;
  return { digit, input, probabilities, prediction };
}
