// Training-mode BatchNorm (batch statistics, weight and bias), forward + backward, at
// mobilenetv2's shapes (batch 128, 32×32 input) and the DCGAN generator's BatchNorm1d: the fused
// op (engine/ops/batchnorm.ts) beside the composed formula nn/functional/normalization.ts used
// before it (mean, variance, sub, mul, rsqrt, add through autograd) and TensorFlow.js `wasm`
// (tf.moments + tf.batchNorm: a FusedBatchNorm kernel forward, a gradient tfjs composes from ops).
// Figures: median ms of forward + backward, and the ratios.
//   npx tsx bench/batchnorm.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { add, clamp, mean, mul, randn, rsqrt, setBackend, sub, tidy, variance, type Tensor } from '../engine/index.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { batchNorm } from '../nn/index.js';
import { medianMs } from './train-step.js';

export interface BatchNormRow { name: string; fused_ms: number; composed_ms: number; tfjs_wasm_ms: number; composed_over_fused: number; tfjs_over_fused: number }

/** [N, C, H, W] (or [N, C]) of mobilenetv2's BatchNorms at batch 128, and DCGAN's BatchNorm1d at 64. */
export const BATCHNORM_SHAPES: number[][] = [
  [128, 32, 16, 16], [128, 96, 16, 16], [128, 144, 8, 8], [128, 192, 4, 4], [128, 384, 2, 2], [128, 960, 1, 1], [64, 3136],
];

/** The formula batchNorm was composed of before the fused op. */
function composed(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1), cs = x.shape.map((d, i) => (i === 1 ? d : 1));
  const y = mul(sub(x, mean(x, axes, true)), rsqrt(add(variance(x, axes, true, 0), 1e-5)));
  return add(mul(y, w.reshape(cs)), b.reshape(cs));
}

export async function runBatchNormBench(opts: { quick: boolean; relu6?: boolean }): Promise<BatchNormRow[]> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  await setBackend('cpu');
  const [warmup, iterations] = opts.quick ? [2, 5] : [3, 15];
  const rows: BatchNormRow[] = [];
  for (const shape of opts.quick ? BATCHNORM_SHAPES.filter((_, i) => i % 2 === 0) : BATCHNORM_SHAPES) {
    const c = shape[1];
    const x = randn(shape), w = randn([c]), b = randn([c]), r = randn(shape);
    for (const t of [x, w, b]) t.requiresGrad = true;
    const ours = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => () => {
      tidy(() => {
        let y = f(x, w, b);
        if (opts.relu6) y = clamp(y, 0, 6);
        y.mul(r).sum().backward();
      });
      for (const t of [x, w, b]) { t.grad?.dispose(); t.grad = null; }
    };
    const fusedMs = await medianMs(ours((a, s, o) => batchNorm(a, { training: true, weight: s, bias: o })), warmup, iterations);
    const composedMs = await medianMs(ours(composed), warmup, iterations);

    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs backend wasm failed to initialise');
    await tf.ready();
    // NHWC (or [N, C]): statistics over every axis but the last.
    const nhwc = shape.length === 4 ? [shape[0], shape[2], shape[3], c] : shape;
    const axes = nhwc.slice(0, -1).map((_, i) => i);
    const tx = tf.tensor(x.dataSync(), nhwc), tw = tf.tensor(w.dataSync()), tb = tf.tensor(b.dataSync()), tr = tf.tensor(r.dataSync(), nhwc);
    const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const m = tf.moments(a, axes);
      let y = tf.batchNorm(a, m.mean, m.variance, o, s, 1e-5);
      if (opts.relu6) y = tf.clipByValue(y, 0, 6);
      return tf.sum(tf.mul(y, tr));
    });
    const tfjsMs = await medianMs(() => tf.tidy(() => { for (const g of grads([tx, tw, tb])) g.dataSync(); }), warmup, iterations);
    tf.dispose([tx, tw, tb, tr]);
    for (const t of [x, w, b, r]) t.dispose();

    rows.push({ name: `batchNorm [${shape.join(',')}]${opts.relu6 ? ' + ReLU6' : ''} fwd+bwd`, fused_ms: fusedMs, composed_ms: composedMs, tfjs_wasm_ms: tfjsMs,
      composed_over_fused: composedMs / fusedMs, tfjs_over_fused: tfjsMs / fusedMs });
  }
  return rows;
}

export function formatBatchNormRows(rows: BatchNormRow[]): string {
  const f = (v: number) => v.toFixed(2);
  const width = Math.max(...rows.map((r) => r.name.length));
  const head = `${'case'.padEnd(width)}  fused ms  composed ms  tfjs wasm ms  composed/fused  tfjs/fused`;
  return [`(ours on ${wasmKernels().threads} threads, tfjs wasm on 1)`, head, ...rows.map((r) => `${r.name.padEnd(width)}  ${f(r.fused_ms).padStart(8)}  ${f(r.composed_ms).padStart(11)}  ${f(r.tfjs_wasm_ms).padStart(12)}  ${f(r.composed_over_fused).padStart(14)}  ${f(r.tfjs_over_fused).padStart(10)}`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatBatchNormRows(await runBatchNormBench({ quick: process.argv.includes('--quick'), relu6: process.argv.includes('--relu6') })));
}
