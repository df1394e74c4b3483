// One full training step of the `cnn` model at batch 64 (forward, cross-entropy, backward, Adam)
// on our CPU backend, beside TensorFlow.js's `wasm` backend training the same architecture
// (tf.sequential, Adam 1e-3, one optimizer.minimize per step), in one process, and PyTorch
// (bench/torch.ts, a python3 subprocess, same model, batch, optimiser, on as many threads as ours)
// when it is installed. Ours and PyTorch's run in interleaved rounds (PyTorch, then ours, and again),
// so that a busy machine slows both alike; each round is printed, and the figure is the median of
// the rounds' medians. Ratios are theirs' time / ours (above 1: we are faster).
//   npx tsx bench/train-step.ts [--quick] [--ours-only] [--rounds N]
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
import { TorchStep, TORCH_HINT } from './torch.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';

export interface Row {
  name: string;
  /** Median over the rounds of each round's median step; null where the peer could not run. */
  ms_per_step: number | null; samples_per_second: number | null;
  /** Each interleaved round's median step, in ms. */
  rounds_ms?: number[];
  ratio_vs_wasm?: number;
  /** PyTorch's ms per step / ours: above 1 we are faster. */
  ratio_vs_torch?: number;
  note?: string;
}

const BATCH = 64;

/** The time of each of `iterations` calls after `warmup` untimed ones, in ms. */
export async function timesMs(step: () => unknown, warmup: number, iterations: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  return times;
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Median of `iterations` timed calls after `warmup` untimed ones, in ms. */
export async function medianMs(step: () => unknown, warmup: number, iterations: number): Promise<number> {
  return median(await timesMs(step, warmup, iterations));
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

export interface TrainBenchOptions extends BenchOptions {
  oursOnly?: boolean;
  /** Interleaved rounds of ours and PyTorch's (default 3 quick, else 5). */
  rounds?: number;
  /** Called after each round with a line that gives it. */
  onRound?: (line: string) => void;
}

export async function runTrainStepBench(opts: TrainBenchOptions): Promise<Row[]> {
  const [warmup, iterations] = opts.quick ? [3, 10] : [5, 20];
  const rounds = opts.rounds ?? (opts.quick ? 3 : 5);
  const row = (name: string, ms: number, roundsMs?: number[]): Row =>
    ({ name, ms_per_step: ms, samples_per_second: (BATCH * 1000) / ms, ...(roundsMs ? { rounds_ms: roundsMs } : {}) });
  const before = memory();
  const total = opts.oursOnly ? rounds : rounds + 1;
  const step = oursStep();
  await timesMs(step, 1, 0); // starts the worker threads, so that the count below is the real one
  const threads = wasmKernels().threads;
  const torch = opts.oursOnly ? null : await TorchStep.start(threads);
  const oursRounds: number[] = [], torchRounds: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      opts.onProgress?.(r, total, `round ${r + 1}/${rounds}${torch ? ', PyTorch and ours' : ''}`);
      if (torch) torchRounds.push(median(await torch.round(warmup, iterations)));
      oursRounds.push(await medianMs(step, warmup, iterations));
      const fmtMs = (v: number) => `${v.toFixed(1)} ms`;
      opts.onRound?.(`round ${r + 1}/${rounds}: zerograd ${fmtMs(oursRounds[r])}` +
        (torch ? `, PyTorch ${fmtMs(torchRounds[r])}, PyTorch/ours ${(torchRounds[r] / oursRounds[r]).toFixed(2)}` : ''));
    }
  } finally {
    torch?.close();
  }
  const ours = row(`zerograd cpu (wasm SIMD, ${threads} thread${threads > 1 ? 's' : ''})`, median(oursRounds), oursRounds);
  const after = memory();
  if (after.tensors > before.tensors + 64) throw new Error(`train-step bench: ${after.tensors - before.tensors} tensors leaked`);
  if (opts.oursOnly) return [ours];
  const rows = [ours];
  if (torch) {
    const theirs = row(`PyTorch ${torch.version} (${torch.threads} thread${torch.threads > 1 ? 's' : ''})`, median(torchRounds), torchRounds);
    ours.ratio_vs_torch = theirs.ms_per_step! / ours.ms_per_step!;
    rows.push(theirs);
  } else {
    rows.push({ name: 'PyTorch', ms_per_step: null, samples_per_second: null, note: TORCH_HINT });
  }
  opts.onProgress?.(rounds, total, 'tfjs wasm');
  const tfjs = row('tfjs wasm (1 thread, conv filter grad stand-in)', await medianMs(await tfjsStep(), warmup, iterations));
  ours.ratio_vs_wasm = tfjs.ms_per_step! / ours.ms_per_step!;
  rows.push(tfjs);
  return rows;
}

export function formatTrainRows(rows: Row[], title = 'step (cnn, batch 64)'): string {
  const width = Math.max(title.length, ...rows.map((r) => r.name.length));
  const num = (v: number | null | undefined, digits: number, pad: number) => (v === null || v === undefined ? '' : v.toFixed(digits)).padStart(pad);
  const head = `${title.padEnd(width)}  ms/step  samples/s  wasm/ours  torch/ours`;
  return [head, ...rows.map((r) => `${r.name.padEnd(width)}  ${num(r.ms_per_step, 1, 7)}  ${num(r.samples_per_second, 0, 9)}  ${num(r.ratio_vs_wasm, 2, 9)}  ${num(r.ratio_vs_torch, 2, 10)}` +
    (r.note ? `  ${r.note}` : ''))].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--rounds');
  const rows = await runTrainStepBench({
    quick: process.argv.includes('--quick'), oursOnly: process.argv.includes('--ours-only'),
    rounds: at > 0 ? Number(process.argv[at + 1]) : undefined, onRound: (line) => console.log(line),
  });
  console.log(formatTrainRows(rows));
}
