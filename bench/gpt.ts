// The GPT recipe's training step beside TensorFlow.js's `wasm` backend, in one process: nanoGPT's
// CPU configuration (4 layers, 4 heads, width 128, context 64, batch 12) on a character
// vocabulary of 93, forward, cross-entropy, backward and the optimiser step. tfjs has no such
// model, so its side is the same pre-norm decoder written with its ops (bench/transformer.ts's
// attention; GELU in its tanh form, tfjs having no erf GELU; embeddings as one-hot products, wasm
// lacking gather's gradient) trained by optimizer.minimize with Adam. Times are medians; ratio =
// tfjs / ours; `its_2000_s` is what 2,000 iterations would take at that median.
//   npx tsx bench/gpt.ts [--quick]

import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { manualSeed, memory, setBackend, tensor, tidy } from '../engine/index.js';
import { buildModel, type GPT } from '../models/index.js';
import { AdamW, crossEntropy } from '../nn/index.js';
import { medianMs } from './train-step.js';
import { causalBias, tfAttention, useWasm } from './transformer.js';

export interface GptRow { name: string; ours_ms: number; tfjs_wasm_ms: number; ratio: number; tokens_per_second: number; tfjs_tokens_per_second: number; its_2000_s: number; tfjs_its_2000_s: number }

const R = { vocab: 93, block: 64, layers: 4, heads: 4, d: 128, batch: 12 };

function batch() {
  const n = R.batch * R.block;
  return { x: Int32Array.from({ length: n }, (_, i) => 4 + ((i * 7) % (R.vocab - 4))), y: Int32Array.from({ length: n }, (_, i) => 4 + ((i * 5 + 3) % (R.vocab - 4))) };
}

function oursStep(): () => void {
  manualSeed(0);
  const model = buildModel('gpt', { vocabSize: R.vocab, blockSize: R.block, nLayer: R.layers, nHead: R.heads, nEmbd: R.d }).model as GPT;
  model.train();
  const opt = new AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.99], weightDecay: 0.1 });
  const d = batch();
  const x = tensor(d.x, { shape: [R.batch, R.block] }), y = tensor(d.y);
  return () => tidy(() => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x).reshape([R.batch * R.block, R.vocab]), y);
    loss.backward();
    opt.step();
    loss.dataSync();
  });
}

/** The same decoder-only model in tfjs ops (weights as tf.variables). */
function tfjsStep(): () => void {
  const { vocab, block: t, layers, heads, d, batch: b } = R;
  const vars: tf.Variable[] = [];
  const v = (x: tf.Tensor) => { const y = tf.variable(x); vars.push(y); return y; };
  const lin = (i: number, o: number) => ({ w: v(tf.randomNormal([i, o], 0, 1 / Math.sqrt(i))), b: v(tf.zeros([o])) });
  const norm = () => ({ g: v(tf.ones([d])), b: v(tf.zeros([d])) });
  const wte = v(tf.randomNormal([vocab, d], 0, 0.02)), wpe = v(tf.randomNormal([t, d], 0, 0.02));
  const blocks = Array.from({ length: layers }, () => ({ n1: norm(), q: lin(d, d), k: lin(d, d), vv: lin(d, d), o: lin(d, d), n2: norm(), f1: lin(d, 4 * d), f2: lin(4 * d, d) }));
  const lnF = norm();
  const dense = (x: tf.Tensor, l: { w: tf.Tensor; b: tf.Tensor }) => tf.add(tf.matMul(x.reshape([-1, x.shape[2]!]), l.w), l.b).reshape([x.shape[0]!, x.shape[1]!, -1]);
  const ln = (x: tf.Tensor, n: { g: tf.Tensor; b: tf.Tensor }) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.g), n.b);
  };
  const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
  const split = (x: tf.Tensor) => x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
  const causal = causalBias(t);
  const data = batch();
  const ids = tf.tensor1d(data.x, 'int32'), target = tf.oneHot(tf.tensor1d(data.y, 'int32'), vocab);
  const opt = tf.train.adam(1e-3, 0.9, 0.99);
  const loss = () => {
    let x = tf.add(tf.matMul(tf.oneHot(ids, vocab), wte).reshape([b, t, d]), wpe);
    for (const l of blocks) {
      const h = ln(x, l.n1);
      const a = tfAttention(split(dense(h, l.q)), split(dense(h, l.k)), split(dense(h, l.vv)), causal);
      x = tf.add(x, dense(a.transpose([0, 2, 1, 3]).reshape([b, t, d]), l.o));
      x = tf.add(x, dense(gelu(dense(ln(x, l.n2), l.f1)), l.f2));
    }
    const logits = tf.matMul(ln(x, lnF).reshape([b * t, d]), wte, false, true);
    return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
  };
  return () => tf.tidy(() => { opt.minimize(loss, true, vars)!.dataSync(); });
}

export async function runGptBench(opts: { quick: boolean }): Promise<GptRow[]> {
  const [warmup, iterations] = opts.quick ? [2, 5] : [3, 20];
  setBackend('cpu');
  await useWasm();
  const before = memory();
  const ours = await medianMs(oursStep(), warmup, iterations);
  const theirs = await medianMs(tfjsStep(), warmup, iterations);
  const tokens = R.batch * R.block;
  const after = memory();
  if (after.tensors > before.tensors + 400) throw new Error(`gpt bench: ${after.tensors - before.tensors} tensors leaked`);
  return [{
    name: 'gpt step (nanoGPT CPU recipe: 4×4×128, ctx 64, batch 12)', ours_ms: ours, tfjs_wasm_ms: theirs, ratio: theirs / ours,
    tokens_per_second: (tokens * 1000) / ours, tfjs_tokens_per_second: (tokens * 1000) / theirs, its_2000_s: (2000 * ours) / 1000, tfjs_its_2000_s: (2000 * theirs) / 1000,
  }];
}

export function formatGptRows(rows: GptRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  return [`${'case'.padEnd(width)}   ours ms  tfjs-wasm ms  wasm/ours  ours tokens/s  2,000 its (ours / tfjs)`,
    ...rows.map((r) => `${r.name.padEnd(width)}  ${r.ours_ms.toFixed(1).padStart(8)}  ${r.tfjs_wasm_ms.toFixed(1).padStart(12)}  ${r.ratio.toFixed(2).padStart(9)}`
      + `  ${Math.round(r.tokens_per_second).toLocaleString('en').padStart(13)}  ${r.its_2000_s.toFixed(0)} s / ${r.tfjs_its_2000_s.toFixed(0)} s`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatGptRows(await runGptBench({ quick: process.argv.includes('--quick') })));
}
