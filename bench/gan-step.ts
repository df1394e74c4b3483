// One DCGAN training step at batch 64 (the discriminator's update on real and generated images,
// then the generator's through it; Adam 2e-4, β1 0.5 on both) with the default nets of `gan train`,
// on our CPU backend (mnist/gan.ts's ganUpdate, exactly what the task runs) beside the same nets
// on TensorFlow.js's `wasm` backend (tf.layers, two optimizer.minimize calls), in one process.
// Figures are images/s from the median step time; the ratio is ours / tfjs-wasm.
//   npx tsx bench/gan-step.ts [--quick]
//
// tfjs-wasm has no Conv2DBackpropFilter kernel (the discriminator's and the transposed convolutions'
// filter gradients need it): the stand-in from bench/cpu-kernels.ts is registered first.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manualSeed, memory, randn, setBackend, tidy } from '../engine/index.js';
import { GAN_DEFAULTS, ganUpdate } from '../mnist/gan.js';
import { buildModel, type GanModule } from '../models/index.js';
import { Adam } from '../nn/index.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { registerWasmBackpropFilter, type BenchOptions } from './cpu-kernels.js';
import { medianMs, type Row } from './train-step.js';

const BATCH = 64;
const { latent: LATENT, width: W, lr: LR, beta1: BETA1, realTarget: REAL, dropout: DROPOUT } = GAN_DEFAULTS;

function oursStep(): () => void {
  setBackend('cpu');
  manualSeed(0);
  const G = buildModel('dcgan-generator', { latent: LATENT, width: W }).model as GanModule;
  const D = buildModel('dcgan-discriminator', { width: W, dropout: DROPOUT }).model as GanModule;
  const betas: [number, number] = [BETA1, 0.999];
  const nets = { G, D, optG: new Adam(G.parameters(), { lr: LR, betas }), optD: new Adam(D.parameters(), { lr: LR, betas }) };
  const real = randn([BATCH, 1, 28, 28]).tanh();
  return () => { tidy(() => { ganUpdate(nets, real, randn([BATCH, LATENT]), { realTarget: REAL }); }); };
}

/** The same two nets in tf.layers (NHWC, 'same' padding gives the same 14×14 and 7×7 maps as our padding 1). */
async function tfjsStep(): Promise<() => void> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  registerWasmBackpropFilter();
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs backend wasm failed to initialise');
  await tf.ready();
  const G = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [LATENT], units: 2 * W * 49, useBias: false }), tf.layers.batchNormalization(), tf.layers.reLU(),
      tf.layers.reshape({ targetShape: [7, 7, 2 * W] }),
      tf.layers.conv2dTranspose({ filters: W, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), tf.layers.batchNormalization(), tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
  const D = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: W, kernelSize: 4, strides: 2, padding: 'same' }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({ rate: DROPOUT }),
      tf.layers.conv2d({ filters: 2 * W, kernelSize: 4, strides: 2, padding: 'same' }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({ rate: DROPOUT }),
      tf.layers.flatten(), tf.layers.dense({ units: 1 }),
    ],
  });
  const optG = tf.train.adam(LR, BETA1), optD = tf.train.adam(LR, BETA1);
  const real = tf.tanh(tf.randomNormal([BATCH, 28, 28, 1]));
  const ones = tf.ones([BATCH, 1]), zeros = tf.zeros([BATCH, 1]), realTargets = tf.fill([BATCH, 1], REAL);
  const gVars = G.trainableWeights.map((w) => w.read() as tf.Variable), dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  const bce = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
  const fwd = (m: tf.Sequential, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor;
  // tfjs recomputes G(z) inside the generator's minimize (its tape does not span two optimisers); varList keeps the
  // discriminator's update off G's weights (it has no stopGradient).
  return () => tf.tidy(() => {
    const z = tf.randomNormal([BATCH, LATENT]);
    const lossD = optD.minimize(() => bce(realTargets, fwd(D, real)).add(bce(zeros, fwd(D, fwd(G, z)))) as tf.Scalar, true, dVars);
    const lossG = optG.minimize(() => bce(ones, fwd(D, fwd(G, z))), true, gVars);
    lossD!.dataSync(); lossG!.dataSync();
  });
}

export async function runGanStepBench(opts: BenchOptions & { oursOnly?: boolean }): Promise<Row[]> {
  // Fewer rounds than the cnn step's: a tfjs-wasm GAN step takes seconds here.
  const [warmup, iterations] = opts.quick ? [3, 10] : [3, 15];
  const row = (name: string, ms: number): Row => ({ name, ms_per_step: ms, samples_per_second: (BATCH * 1000) / ms });
  const before = memory();
  const total = opts.oursOnly ? 1 : 2;
  opts.onProgress?.(0, total, 'zerograd cpu');
  const oursMs = await medianMs(oursStep(), warmup, iterations);
  // The pool has one thread a core (or ZEROGRAD_THREADS): name the count it ran on.
  const ours = row(`zerograd cpu (wasm SIMD, ${wasmKernels().threads} threads)`, oursMs);
  const after = memory();
  if (after.tensors > before.tensors + 64) throw new Error(`gan-step bench: ${after.tensors - before.tensors} tensors leaked`);
  if (opts.oursOnly) return [ours];
  opts.onProgress?.(1, total, 'tfjs wasm');
  const theirs = row('tfjs wasm (1 thread, conv filter grad stand-in)', await medianMs(await tfjsStep(), warmup, iterations));
  if (theirs.ms_per_step !== null && ours.ms_per_step !== null) ours.ratio_vs_wasm = theirs.ms_per_step / ours.ms_per_step;
  return [ours, theirs];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { formatTrainRows } = await import('./train-step.js');
  console.log(formatTrainRows(await runGanStepBench({ quick: process.argv.includes('--quick') }), 'step (dcgan, batch 64)'));
}
