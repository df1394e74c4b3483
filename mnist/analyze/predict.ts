// Class probabilities of chosen images under a model, in batches without a graph: for galleries and per-example losses.
import { noGrad, tensor, tidy } from '../../engine/index.js';
import type { Module } from '../../nn/index.js';
import { gather } from '../dataset.js';

/** softmax(model(x)) for the images at `indices` (each `shape`-sized, already normalised as the model expects); n × C row-major. */
export async function predictProbabilities(model: Module, images: Float32Array, indices: Int32Array, shape: readonly number[], batchSize = 500): Promise<Float32Array> {
  const size = shape.reduce((a, b) => a * b, 1);
  const chunks: Float32Array[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < indices.length; start += batchSize) {
      const idx = indices.subarray(start, start + batchSize);
      const probs = noGrad(() => tidy(() => model.forward(tensor(gather(images, idx, size), { shape: [idx.length, ...shape] })).softmax(1)));
      chunks.push(Float32Array.from(await probs.data()));
      probs.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  const classes = chunks.length ? chunks[0].length / Math.min(batchSize, indices.length) : 0;
  const out = new Float32Array(indices.length * classes);
  chunks.forEach((c, k) => out.set(c, k * batchSize * classes));
  return out;
}

/** The largest entry of row i of an n × C matrix and its column. */
export function rowArgmax(m: Float32Array, i: number, classes: number): { index: number; value: number } {
  let index = 0;
  for (let c = 1; c < classes; c++) if (m[i * classes + c] > m[i * classes + index]) index = c;
  return { index, value: m[i * classes + index] };
}
