// One full training step of the `cnn` model at batch 64 (forward, cross-entropy, backward, Adam)
// on our CPU backend, beside TensorFlow.js's `wasm` backend training the same architecture
// (tf.sequential, Adam 1e-3, one optimizer.minimize per step), in one process. Figures are samples/s from the
// median step time; the ratio is ours / tfjs-wasm.
//   npx tsx bench/train-step.ts [--quick] [--ours-only]
//
// tfjs-wasm has no Conv2DBackpropFilter kernel: the stand-in from bench/cpu-kernels.ts is
// registered first, so that row is marked "(stand-in)" there too.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manualSeed, memory, randn, setBackend, tensor, tidy } from '../engine/index.js';
import { crossEntropy, Adam } from '../nn/index.js';
import { buildModel as build } from '../models/index.js';
import type { Module } from '../nn/index.js';
import { registerWasmBackpropFilter, type BenchOptions } from './cpu-kernels.js';

export interface Row { name: string; ms_per_step: number; samples_per_second: number; ratio_vs_wasm?: number }

const BATCH = 64;

/** Median of `iterations` timed calls after `warmup` untimed ones, in ms. */
export async function medianMs(step: () => unknown, warmup: number, iterations: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Our step, exactly as mnist/train.ts runs it (one tidy per step). */
function oursStep(): () => void {
  setBackend('cpu');
  manualSeed(0);
  const model = build('cnn').model as Module;
  model.train();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([BATCH, 1, 28, 28]);
  const y = tensor(Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10));
  return () => {
    tidy(() => {
      optimizer.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
    });
  };
}

/** The same architecture on tfjs-wasm (NHWC), Adam 1e-3, one optimizer.minimize per step (measured
 *  here: ~30% faster for tfjs than model.trainOnBatch, so the fairer peer). */
async function tfjsStep(): Promise<() => void> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  registerWasmBackpropFilter();
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs backend wasm failed to initialise');
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const xs = tf.randomNormal([BATCH, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7) % 10), 'int32'), 10);
  // The wasm backend runs synchronously; reading the loss back makes that explicit.
  return () => tf.tidy(() => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.predict(xs) as tf.Tensor) as tf.Scalar, true);
    loss!.dataSync();
  });
}

export async function runTrainStepBench(opts: BenchOptions & { oursOnly?: boolean }): Promise<Row[]> {
  const [warmup, iterations] = opts.quick ? [3, 10] : [5, 30];
  const row = (name: string, ms: number): Row => ({ name, ms_per_step: ms, samples_per_second: (BATCH * 1000) / ms });
  const before = memory();
  const total = opts.oursOnly ? 1 : 2;
  opts.onProgress?.(0, total, 'zerograd cpu');
  const ours = row('zerograd cpu (wasm SIMD, 2 threads)', await medianMs(oursStep(), warmup, iterations));
  const after = memory();
  if (after.tensors > before.tensors + 64) throw new Error(`train-step bench: ${after.tensors - before.tensors} tensors leaked`);
  if (opts.oursOnly) return [ours];
  opts.onProgress?.(1, total, 'tfjs wasm');
  const theirs = row('tfjs wasm (1 thread, conv filter grad stand-in)', await medianMs(await tfjsStep(), warmup, iterations));
  ours.ratio_vs_wasm = theirs.ms_per_step / ours.ms_per_step;
  return [ours, theirs];
}

export function formatTrainRows(rows: Row[], title = 'step (cnn, batch 64)'): string {
  const width = Math.max(title.length, ...rows.map((r) => r.name.length));
  const head = `${title.padEnd(width)}  ms/step  samples/s  ours/wasm`;
  return [head, ...rows.map((r) => `${r.name.padEnd(width)}  ${r.ms_per_step.toFixed(1).padStart(7)}  ${r.samples_per_second.toFixed(0).padStart(9)}  ${(r.ratio_vs_wasm === undefined ? '' : r.ratio_vs_wasm.toFixed(2)).padStart(9)}`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runTrainStepBench({ quick: process.argv.includes('--quick'), oursOnly: process.argv.includes('--ours-only') });
  console.log(formatTrainRows(rows));
}
