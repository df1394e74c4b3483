// Transformer-shaped kernels beside TensorFlow.js's `wasm` backend (XNNPACK, SIMD, one thread), in
// one process: batched matmuls of attention heads, layer norm, softmax over the last axis, GELU,
// and the embedding gather with its scatter-add backward, at the shapes of our two models (the G2P
// Transformer: batch 64, 4 heads, length 10, head dim 32, width 128/256; the GPT: batch 12,
// context 64, 4 heads, width 128, vocabularies 93 and 512). Each case runs forward, and forward +
// backward (a fixed random upstream gradient; tfjs through tf.grads) where tfjs can:
//  - GELU: tfjs has no exact-erf GELU op; its side is 0.5·x·(1 + erf(x/√2)) from its own ops.
//  - layerNorm: tfjs has no layer-norm op; its side is moments + the affine, as tf.layers does.
//  - embedding: tfjs-wasm has no UnsortedSegmentSum (gather's gradient), so the backward is timed
//    on its own: our scatterAdd beside tf.scatterND (which sums duplicate indices).
// Ours and theirs alternate in rounds (ours, theirs, ours, ...), each round a median of timed
// calls; the figure is the median of the rounds. ratio = tfjs / ours (above 1: we are faster).
//   npx tsx bench/ops.ts [--quick] [--rounds N] [--filter TEXT]

import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import {
  gelu, indexSelect, matmul, memory, randn, scatterAdd, setBackend, softmax, tensor, tidy, type Tensor,
} from '../engine/index.js';
import { layerNorm } from '../nn/index.js';
import { median, medianMs } from './train-step.js';
import { useWasm } from './transformer.js';

export interface OpsRow {
  name: string; direction: 'forward' | 'forward+backward' | 'backward';
  ours_ms: number; tfjs_wasm_ms: number; ratio: number;
  rounds_ours_ms: number[]; rounds_tfjs_ms: number[];
  note?: string;
}

interface Case {
  name: string;
  /** Builds the timed calls (inputs made once, outside the timing). */
  ours: (backward: boolean) => () => void;
  theirs: (backward: boolean) => () => void;
  /** Which directions to time (default both). */
  directions?: OpsRow['direction'][];
  note?: string;
}

/** Deterministic pseudo-random values in [-2, 2) (both sides get the same inputs). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return (s / 2 ** 32) * 4 - 2; });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A case of one float op f(inputs...) on both sides; gradients flow into every input. */
function unaryCase(name: string, shapes: number[][], outShape: number[],
  ours: (...x: Tensor[]) => Tensor, theirs: (...x: tf.Tensor[]) => tf.Tensor, note?: string): Case {
  return {
    name, note,
    ours: (backward) => {
      const xs = shapes.map((s, i) => tensor(values(size(s), 11 + i), { shape: s, requiresGrad: backward }));
      const dy = tensor(values(size(outShape), 7), { shape: outShape });
      return () => tidy(() => {
        const y = ours(...xs);
        if (!backward) { y.dataSync(); return; }
        y.backward(dy);
        for (const x of xs) { x.grad!.dataSync(); x.grad!.dispose(); x.grad = null; }
      });
    },
    theirs: (backward) => {
      const xs = shapes.map((s, i) => tf.tensor(values(size(s), 11 + i), s));
      const dy = tf.tensor(values(size(outShape), 7), outShape);
      const grads = tf.grads((...x: tf.Tensor[]) => theirs(...x));
      return () => tf.tidy(() => {
        if (!backward) { theirs(...xs).dataSync(); return; }
        for (const g of grads(xs, dy)) g.dataSync();
      });
    },
  };
}

function tfLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

/** Exact GELU from tfjs ops (it has only the tanh form built in, in tf.layers). */
const tfGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

function embeddingCases(vocab: number, d: number, tokens: number): Case[] {
  const ids = Int32Array.from({ length: tokens }, (_, i) => (i * 7 + 3) % vocab);
  const gather: Case = {
    name: `embedding gather [${vocab},${d}] by ${tokens} ids`, directions: ['forward'],
    ours: () => {
      const w = tensor(values(vocab * d, 3), { shape: [vocab, d] }), idx = tensor(ids);
      return () => tidy(() => { indexSelect(w, 0, idx).dataSync(); });
    },
    theirs: () => {
      const w = tf.tensor(values(vocab * d, 3), [vocab, d]), idx = tf.tensor1d(ids, 'int32');
      return () => tf.tidy(() => { tf.gather(w, idx).dataSync(); });
    },
  };
  const scatter: Case = {
    name: `embedding scatter-add (gather's backward) [${tokens},${d}] into [${vocab},${d}]`, directions: ['backward'],
    note: 'tfjs: tf.scatterND (wasm has no UnsortedSegmentSum)',
    ours: () => {
      const g = tensor(values(tokens * d, 5), { shape: [tokens, d] }), idx = tensor(ids);
      return () => tidy(() => { scatterAdd(g, idx, 0, [vocab, d]).dataSync(); });
    },
    theirs: () => {
      const g = tf.tensor(values(tokens * d, 5), [tokens, d]), idx = tf.tensor2d(ids, [tokens, 1], 'int32');
      return () => tf.tidy(() => { tf.scatterND(idx, g, [vocab, d]).dataSync(); });
    },
  };
  return [gather, scatter];
}

export function opsCases(): Case[] {
  const bmm = (label: string, b: number, m: number, k: number, n: number) =>
    unaryCase(`bmm ${label} [${b},${m},${k}]×[${b},${k},${n}]`, [[b, m, k], [b, k, n]], [b, m, n], matmul, (x, y) => tf.matMul(x, y));
  const ln = (rows: number, d: number, label: string) =>
    unaryCase(`layerNorm [${rows},${d}] (${label})`, [[rows, d], [d], [d]], [rows, d],
      (x, g, b) => layerNorm(x, [d], g, b), tfLayerNorm, 'tfjs: moments + affine (no layer-norm op)');
  const sm = (shape: number[], label: string) =>
    unaryCase(`softmax [${shape.join(',')}] (${label})`, [shape], shape, (x) => softmax(x, -1), (x) => tf.softmax(x));
  const ge = (shape: number[], label: string) =>
    unaryCase(`gelu [${shape.join(',')}] (${label})`, [shape], shape, (x) => gelu(x), tfGelu, 'tfjs: 0.5·x·(1+erf(x/√2)) from its ops');
  return [
    bmm('q·kᵀ G2P', 256, 10, 32, 10),
    bmm('p·v G2P', 256, 10, 10, 32),
    bmm('q·kᵀ GPT', 48, 64, 32, 64),
    bmm('p·v GPT', 48, 64, 64, 32),
    ln(640, 128, 'G2P'),
    ln(640, 256, 'G2P wide'),
    ln(768, 128, 'GPT'),
    sm([256, 10, 10], 'G2P scores'),
    sm([48, 64, 64], 'GPT scores'),
    sm([768, 93], 'GPT logits, vocab 93'),
    sm([768, 512], 'GPT logits, vocab 512'),
    ge([640, 512], 'G2P MLP'),
    ge([768, 512], 'GPT MLP'),
    ...embeddingCases(93, 128, 768),
    ...embeddingCases(512, 128, 768),
  ];
}

export async function runOpsBench(opts: { quick: boolean; rounds?: number; filter?: string; onProgress?: (done: number, total: number, what: string) => void }): Promise<OpsRow[]> {
  const [warmup, iterations] = opts.quick ? [3, 10] : [5, 30];
  const rounds = opts.rounds ?? (opts.quick ? 1 : 3);
  setBackend('cpu');
  await useWasm();
  const before = memory();
  const cases = opsCases().filter((c) => !opts.filter || c.name.includes(opts.filter));
  const jobs = cases.flatMap((c) => (c.directions ?? ['forward', 'forward+backward'] as const).map((d) => ({ c, d })));
  const rows: OpsRow[] = [];
  for (const [i, { c, d }] of jobs.entries()) {
    opts.onProgress?.(i, jobs.length, `${c.name} ${d}`);
    const ours = c.ours(d !== 'forward'), theirs = c.theirs(d !== 'forward');
    const o: number[] = [], t: number[] = [];
    for (let r = 0; r < rounds; r++) {
      o.push(await medianMs(ours, warmup, iterations));
      t.push(await medianMs(theirs, warmup, iterations));
    }
    const om = median(o), tm = median(t);
    rows.push({ name: c.name, direction: d, ours_ms: om, tfjs_wasm_ms: tm, ratio: tm / om, rounds_ours_ms: o, rounds_tfjs_ms: t, ...(c.note ? { note: c.note } : {}) });
  }
  const after = memory();
  if (after.tensors > before.tensors + 200) throw new Error(`ops bench: ${after.tensors - before.tensors} tensors leaked`);
  return rows;
}

export function formatOpsRows(rows: OpsRow[]): string {
  const label = (r: OpsRow) => `${r.name} ${r.direction}`;
  const width = Math.max(...rows.map((r) => label(r).length));
  return [`${'case'.padEnd(width)}   ours ms  tfjs-wasm ms  wasm/ours`,
    ...rows.map((r) => `${label(r).padEnd(width)}  ${r.ours_ms.toFixed(3).padStart(8)}  ${r.tfjs_wasm_ms.toFixed(3).padStart(12)}  ${r.ratio.toFixed(2).padStart(9)}` +
      (r.note ? `  ${r.note}` : ''))].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => { const at = process.argv.indexOf(name); return at > 0 ? process.argv[at + 1] : undefined; };
  const rounds = arg('--rounds');
  const rows = await runOpsBench({ quick: process.argv.includes('--quick'), rounds: rounds ? Number(rounds) : undefined, filter: arg('--filter') });
  console.log(formatOpsRows(rows));
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
}
