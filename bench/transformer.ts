// The Transformer beside TensorFlow.js's `wasm` backend, in one process: scaled dot-product
// attention forward and forward+backward at two shapes, and one training step of the G2P-sized
// encoder–decoder (d_model 128, 4 heads, 2+2 pre-norm layers, MLP 512, vocabularies 31 → 43) at
// batch 64 with 10-token sources and targets: forward, label-smoothed cross-entropy, backward, Adam.
// tfjs has no attention layer, so its side is the same model written with its ops (gather,
// matMul, softmax, moments; embeddings as one-hot products, wasm lacking gather's gradient) and
// trained by optimizer.minimize. Times are medians; ratio = tfjs / ours.
//   npx tsx bench/transformer.ts [--quick]

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manualSeed, memory, randn, setBackend, tensor, tidy } from '../engine/index.js';
import { buildModel, type Seq2SeqTransformer } from '../models/index.js';
import { Adam, crossEntropy, scaledDotProductAttention, sinusoidTable } from '../nn/index.js';
import { medianMs } from './train-step.js';

export interface Row { name: string; ours_ms: number; tfjs_wasm_ms: number; ratio: number; samples_per_second?: number; tfjs_samples_per_second?: number }

const G2P = { d: 128, heads: 4, layers: 2, ff: 512, srcVocab: 31, tgtVocab: 43, batch: 64, s: 10, t: 10 };

export async function useWasm(): Promise<void> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs backend wasm failed to initialise');
  await tf.ready();
}

// ---- attention ---------------------------------------------------------------------------------

function oursAttention(shape: number[], backward: boolean): () => void {
  const [q, k, v] = [1, 2, 3].map(() => randn(shape, { requiresGrad: backward }));
  return () => tidy(() => {
    const out = scaledDotProductAttention(q, k, v, { isCausal: true });
    if (backward) { out.sum().backward(); for (const x of [q, k, v]) { x.grad!.dispose(); x.grad = null; } } else out.dataSync();
  });
}

/** softmax(q kᵀ/√d + causal) v in tfjs ops. */
export function tfAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, causal: tf.Tensor | null): tf.Tensor {
  const d = q.shape[q.shape.length - 1]!;
  let s = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  if (causal) s = tf.add(s, causal);
  return tf.matMul(tf.softmax(s), v);
}

export function causalBias(t: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9));
}

function tfjsAttention(shape: number[], backward: boolean): () => void {
  const [q, k, v] = [1, 2, 3].map(() => tf.randomNormal(shape));
  const bias = causalBias(shape[2]);
  const grad = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tfAttention(a, b, c, bias)));
  return () => tf.tidy(() => {
    if (backward) for (const g of grad([q, k, v])) g.dataSync();
    else tfAttention(q, k, v, bias).dataSync();
  });
}

// ---- the training step -------------------------------------------------------------------------

function batch() {
  const { batch: b, s, t, srcVocab, tgtVocab } = G2P;
  return {
    src: Int32Array.from({ length: b * s }, (_, i) => 4 + ((i * 7) % (srcVocab - 4))),
    tin: Int32Array.from({ length: b * t }, (_, i) => (i % t === 0 ? 1 : 4 + ((i * 5) % (tgtVocab - 4)))),
    tout: Int32Array.from({ length: b * t }, (_, i) => 4 + ((i * 3) % (tgtVocab - 4))),
  };
}

function oursStep(): () => void {
  manualSeed(0);
  const model = buildModel('transformer', {
    srcVocab: G2P.srcVocab, tgtVocab: G2P.tgtVocab, dModel: G2P.d, nHead: G2P.heads, encoderLayers: G2P.layers, decoderLayers: G2P.layers,
    dimFeedforward: G2P.ff, dropout: 0, activation: 'relu', maxLen: 32,
  }).model as Seq2SeqTransformer;
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const d = batch();
  const src = tensor(d.src, { shape: [G2P.batch, G2P.s] }), tin = tensor(d.tin, { shape: [G2P.batch, G2P.t] }), tout = tensor(d.tout);
  return () => tidy(() => {
    opt.zeroGrad();
    const logits = model.forward(src, tin).reshape([G2P.batch * G2P.t, G2P.tgtVocab]);
    const loss = crossEntropy(logits, tout, { labelSmoothing: 0.1, ignoreIndex: 0 });
    loss.backward();
    opt.step();
    loss.dataSync();
  });
}

/** The same pre-norm encoder–decoder in tfjs ops (weights as tf.variables). */
function tfjsStep(): () => void {
  const { d, heads, layers, ff, srcVocab, tgtVocab, batch: b, s, t } = G2P;
  const vars: tf.Variable[] = [];
  const w = (shape: number[], std: number) => { const v = tf.variable(tf.randomNormal(shape, 0, std)); vars.push(v); return v; };
  const zeros = (n: number) => { const v = tf.variable(tf.zeros([n])); vars.push(v); return v; };
  const onesV = (n: number) => { const v = tf.variable(tf.ones([n])); vars.push(v); return v; };
  const lin = (i: number, o: number) => ({ w: w([i, o], 1 / Math.sqrt(i)), b: zeros(o) });
  const attn = () => ({ q: lin(d, d), k: lin(d, d), v: lin(d, d), o: lin(d, d) });
  const norm = () => ({ g: onesV(d), b: zeros(d) });
  const srcEmb = w([srcVocab, d], 1 / Math.sqrt(d)), tgtEmb = w([tgtVocab, d], 1 / Math.sqrt(d));
  const enc = Array.from({ length: layers }, () => ({ n1: norm(), a: attn(), n2: norm(), f1: lin(d, ff), f2: lin(ff, d) }));
  const dec = Array.from({ length: layers }, () => ({ n1: norm(), a: attn(), n2: norm(), c: attn(), n3: norm(), f1: lin(d, ff), f2: lin(ff, d) }));
  const encNorm = norm(), decNorm = norm();
  const pe = tf.tensor2d(sinusoidTable(32, d), [32, d]);
  const dense = (x: tf.Tensor, l: { w: tf.Tensor; b: tf.Tensor }) => tf.add(tf.matMul(x.reshape([-1, x.shape[2]!]), l.w), l.b).reshape([x.shape[0]!, x.shape[1]!, -1]);
  const ln = (x: tf.Tensor, n: { g: tf.Tensor; b: tf.Tensor }) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.g), n.b);
  };
  const split = (x: tf.Tensor) => x.reshape([x.shape[0]!, x.shape[1]!, heads, d / heads]).transpose([0, 2, 1, 3]);
  const mha = (x: tf.Tensor, m: tf.Tensor, a: ReturnType<typeof attn>, bias: tf.Tensor | null) => {
    const o = tfAttention(split(dense(x, a.q)), split(dense(m, a.k)), split(dense(m, a.v)), bias);
    return dense(o.transpose([0, 2, 1, 3]).reshape([x.shape[0]!, x.shape[1]!, d]), a.o);
  };
  const mlp = (x: tf.Tensor, l: { f1: { w: tf.Tensor; b: tf.Tensor }; f2: { w: tf.Tensor; b: tf.Tensor } }) => dense(tf.relu(dense(x, l.f1)), l.f2);
  // tfjs-wasm has no UnsortedSegmentSum (gather's gradient): the lookup is a one-hot product instead.
  const embed = (ids: tf.Tensor, e: tf.Tensor, n: number) =>
    tf.add(tf.mul(tf.matMul(tf.oneHot(ids.reshape([-1]), e.shape[0]), e).reshape([ids.shape[0]!, n, d]), Math.sqrt(d)), pe.slice([0, 0], [n, d]));
  const data = batch();
  const src = tf.tensor2d(data.src, [b, s], 'int32'), tin = tf.tensor2d(data.tin, [b, t], 'int32');
  const target = tf.oneHot(tf.tensor1d(data.tout, 'int32'), tgtVocab);
  const causal = causalBias(t);
  const opt = tf.train.adam(1e-3);
  const loss = () => {
    let x = embed(src, srcEmb, s);
    for (const l of enc) { x = tf.add(x, mha(ln(x, l.n1), ln(x, l.n1), l.a, null)); x = tf.add(x, mlp(ln(x, l.n2), l)); }
    const memory = ln(x, encNorm);
    let y = embed(tin, tgtEmb, t);
    for (const l of dec) {
      const h = ln(y, l.n1);
      y = tf.add(y, mha(h, h, l.a, causal));
      y = tf.add(y, mha(ln(y, l.n2), memory, l.c, null));
      y = tf.add(y, mlp(ln(y, l.n3), l));
    }
    const logits = tf.matMul(ln(y, decNorm).reshape([b * t, d]), tgtEmb, false, true);
    return tf.losses.softmaxCrossEntropy(target, logits, undefined, 0.1) as tf.Scalar;
  };
  return () => tf.tidy(() => { opt.minimize(loss, true, vars)!.dataSync(); });
}

export async function runTransformerBench(opts: { quick: boolean }): Promise<Row[]> {
  const [warmup, iterations] = opts.quick ? [2, 5] : [3, 15];
  setBackend('cpu');
  await useWasm();
  const rows: Row[] = [];
  const before = memory();
  for (const shape of [[64, 4, 10, 32], [8, 8, 128, 64]]) {
    for (const backward of [false, true]) {
      const name = `attention [${shape.join(',')}] causal ${backward ? 'forward+backward' : 'forward'}`;
      // At least ten untimed calls: the first case ran on cold kernels (wasm tier-up, JIT), and
      // three warm-up calls left its median several times the steady state.
      const ours = await medianMs(oursAttention(shape, backward), Math.max(warmup, 10), iterations);
      const theirs = await medianMs(tfjsAttention(shape, backward), Math.max(warmup, 10), iterations);
      rows.push({ name, ours_ms: ours, tfjs_wasm_ms: theirs, ratio: theirs / ours });
    }
  }
  const ours = await medianMs(oursStep(), warmup, iterations);
  const theirs = await medianMs(tfjsStep(), warmup, iterations);
  rows.push({
    name: 'transformer step (G2P size, batch 64)', ours_ms: ours, tfjs_wasm_ms: theirs, ratio: theirs / ours,
    samples_per_second: (G2P.batch * 1000) / ours, tfjs_samples_per_second: (G2P.batch * 1000) / theirs,
  });
  const after = memory();
  if (after.tensors > before.tensors + 400) throw new Error(`transformer bench: ${after.tensors - before.tensors} tensors leaked`);
  return rows;
}

export function formatTransformerRows(rows: Row[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  return [`${'case'.padEnd(width)}   ours ms  tfjs-wasm ms  wasm/ours`,
    ...rows.map((r) => `${r.name.padEnd(width)}  ${r.ours_ms.toFixed(2).padStart(8)}  ${r.tfjs_wasm_ms.toFixed(2).padStart(12)}  ${r.ratio.toFixed(2).padStart(9)}`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTransformerRows(await runTransformerBench({ quick: process.argv.includes('--quick') })));
}
