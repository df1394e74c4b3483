// Test-set evaluation of a classifier: accuracy, mean cross-entropy and the confusion matrix, in
// batches without a graph, reading back only predictions and one loss sum per batch.

import { noGrad, tensor, tidy } from '../engine/index.js';
import { crossEntropy } from '../nn/index.js';
import type { Module } from '../nn/index.js';

export interface Evaluation {
  accuracy: number;
  loss: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  predictions: Int32Array;
  count: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  /** After each batch: images done of the total (a progress line for a wait of seconds). */
  onProgress?(done: number, total: number): void;
}

/** images: count × (channels·rows·cols) normalised floats; labels: class indices. The model is left in the mode it was in. */
export async function evaluate(model: Module, images: Float32Array, labels: Uint8Array, shape: readonly number[],
  numClasses = 10, o: EvaluateOptions = {}): Promise<Evaluation> {
  const batchSize = o.batchSize ?? 500;
  const count = labels.length, size = shape.reduce((a, b) => a * b, 1);
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const predictions = new Int32Array(count);
  let lossSum = 0, correct = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const [pred, loss] = tidy(() => noGrad(() => {
        const x = tensor(images.subarray(start * size, (start + n) * size), { shape: [n, ...shape] });
        const y = tensor(Int32Array.from(labels.subarray(start, start + n)));
        const logits = model.forward(x);
        return [logits.argmax(1), crossEntropy(logits, y, { reduction: 'sum' })];
      }));
      const p = (await pred.data()) as Int32Array;
      lossSum += (await loss.data())[0];
      pred.dispose(); loss.dispose();
      for (let i = 0; i < n; i++) {
        const t = labels[start + i];
        predictions[start + i] = p[i];
        confusion[t][p[i]]++;
        if (p[i] === t) correct++;
      }
      o.onProgress?.(start + n, count);
    }
  } finally {
    model.train(wasTraining);
  }
  return { accuracy: count ? correct / count : 0, loss: count ? lossSum / count : 0, confusion, predictions, count };
}
