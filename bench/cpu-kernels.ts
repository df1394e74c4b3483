// Our CPU kernels (wasm SIMD on both cores) beside TensorFlow.js's `cpu` (plain JS) and `wasm`
// (XNNPACK, one thread here) backends, in one process, on the same inputs: square matmuls and
// the two convolutions of the `cnn` model at batch 64, forward and both backward passes.
// Figures are GFLOP/s from tinybench's median latency; the ratio is ours / tfjs-wasm.
//   npx tsx bench/cpu-kernels.ts [--quick]
//
// tfjs-wasm has no Conv2DBackpropFilter kernel, so a stand-in is registered for it below (im2col
// from its Slice/Concat/Reshape kernels, then its BatchMatMul): that row is marked "(stand-in)".
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../engine/backend/cpu/conv.js';
import { sgemm } from '../engine/backend/cpu/gemm.js';
import type { Conv2dParams } from '../engine/conv-geometry.js';

export interface Row { name: string; ours_gflops: number; tfjs_cpu_gflops?: number; tfjs_wasm_gflops: number; ratio_vs_wasm: number }

type Backend = 'cpu' | 'wasm';

/** One benchmark case: its flops, our run, and a builder of tfjs's run on the current backend. */
interface Case { name: string; flops: number; ours: () => void; tfjs: () => () => void }

function random(size: number): Float32Array {
  return Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
}

function matmulCase(n: number): Case {
  const a = random(n * n), b = random(n * n), c = new Float32Array(n * n);
  return {
    name: `matmul ${n}`, flops: 2 * n ** 3,
    ours: () => sgemm({ transA: false, transB: false, m: n, n, k: n, a, b, c }),
    tfjs: () => {
      const ta = tf.tensor2d(a, [n, n]), tb = tf.tensor2d(b, [n, n]);
      return () => tf.tidy(() => { tf.matMul(ta, tb).dataSync(); });
    },
  };
}

const VALID: Conv2dParams = { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1 };

/** Forward, backward-input and backward-filter cases of a stride-1 unpadded conv (NCHW shapes). */
function convCases(label: string, [n, c, h, w]: number[], [o, , kh, kw]: number[]): Case[] {
  const xShape = [n, c, h, w], wShape = [o, c, kh, kw], oh = h - kh + 1, ow = w - kw + 1, yShape = [n, o, oh, ow];
  const x = random(n * c * h * w), wt = random(o * c * kh * kw), dy = random(n * o * oh * ow);
  const flops = 2 * n * o * oh * ow * c * kh * kw;
  // tfjs is NHWC with filters [KH, KW, C, O]; the layouts of our random data do not matter here.
  const tensors = () => ({
    tx: tf.tensor4d(x, [n, h, w, c]), tw: tf.tensor4d(wt, [kh, kw, c, o]), tdy: tf.tensor4d(dy, [n, oh, ow, o]),
  });
  const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined as unknown as string };
  const run = (kernel: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) => () => tf.tidy(() => {
    (tf.engine().runKernel(kernel, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync();
  });
  return [
    { name: `${label} forward`, flops, ours: () => conv2dForward(x, xShape, wt, wShape, VALID),
      tfjs: () => { const { tx, tw } = tensors(); return () => tf.tidy(() => { tf.conv2d(tx, tw, 1, 'valid').dataSync(); }); } },
    { name: `${label} backward input`, flops, ours: () => conv2dBackwardInput(dy, yShape, wt, wShape, xShape, VALID),
      tfjs: () => { const { tw, tdy } = tensors(); return run('Conv2DBackpropInput', { dy: tdy, filter: tw }, { inputShape: [n, h, w, c] }); } },
    { name: `${label} backward filter`, flops, ours: () => conv2dBackwardFilter(x, xShape, dy, yShape, wShape, VALID),
      tfjs: () => { const { tx, tdy } = tensors(); return run('Conv2DBackpropFilter', { x: tx, dy: tdy }, { filterShape: [kh, kw, c, o] }); } },
  ];
}

/**
 * tfjs-wasm lacks Conv2DBackpropFilter. Stand-in for stride 1, no padding, NHWC:
 * cols[N·OH·OW, KH·KW·C] = concat over (i, j) of x[:, i:i+OH, j:j+OW, :], then dW = colsᵀ · dy.
 */
export function registerWasmBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter', backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const [kh, kw, c, o] = (attrs as unknown as { filterShape: number[] }).filterShape;
      const [n, oh, ow] = dy.shape;
      return tf.tidy(() => {
        const patches: tf.Tensor[] = [];
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) patches.push(tf.reshape(tf.slice(x, [0, i, j, 0], [n, oh, ow, c]), [n * oh * ow, c]));
        }
        const cols = tf.concat(patches, 1);
        return tf.reshape(tf.matMul(cols, tf.reshape(dy, [n * oh * ow, o]), true, false), [kh, kw, c, o]);
      });
    },
  });
}

export async function medianMs(fn: () => void, quick: boolean, slow = false): Promise<number> {
  // tfjs-cpu takes seconds a call on the big shapes (its backward filter ~30 s on conv2): one run, no warmup.
  const opts = slow ? { time: 0, iterations: 1, warmup: false }
    : quick ? { time: 300, iterations: 5, warmupIterations: 3, warmupTime: 100 }
      : { time: 1500, iterations: 15, warmupIterations: 5, warmupTime: 300 };
  const bench = new Bench(opts);
  bench.add('task', fn);
  const [task] = await bench.run();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`benchmark task ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`);
  return r.latency.p50;
}

async function useBackend(name: Backend): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}

export async function runCpuKernelBench(opts: BenchOptions): Promise<Row[]> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  registerWasmBackpropFilter();
  const cases = [
    ...[128, 256, 512, 1024].map(matmulCase),
    ...convCases('conv1 [64,1,28,28]*[32,1,3,3]', [64, 1, 28, 28], [32, 1, 3, 3]),
    ...convCases('conv2 [64,32,13,13]*[64,32,3,3]', [64, 32, 13, 13], [64, 32, 3, 3]),
  ];
  const rows: Row[] = [];
  for (const [k, cs] of cases.entries()) {
    opts.onProgress?.(k, cases.length, cs.name);
    const gflops = (ms: number) => cs.flops / ms / 1e6;
    const ours = gflops(await medianMs(cs.ours, opts.quick));
    const tfjsOn = async (backend: Backend) => {
      await useBackend(backend);
      const fn = cs.tfjs(); // its input tensors live until the process ends: a few MB
      return gflops(await medianMs(fn, opts.quick, backend === 'cpu'));
    };
    const wasm = await tfjsOn('wasm');
    const cpu = opts.quick ? undefined : await tfjsOn('cpu');
    const name = cs.name.endsWith('backward filter') ? `${cs.name} (tfjs-wasm stand-in)` : cs.name;
    rows.push({ name, ours_gflops: ours, ...(cpu === undefined ? {} : { tfjs_cpu_gflops: cpu }), tfjs_wasm_gflops: wasm, ratio_vs_wasm: ours / wasm });
  }
  return rows;
}

/** What every suite takes: fewer iterations, and a callback before each case (a progress line for a wait of seconds). */
export interface BenchOptions { quick: boolean; onProgress?(done: number, total: number, what: string): void }

export function formatRows(rows: Row[]): string {
  const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
  const width = Math.max(...rows.map((r) => r.name.length));
  const head = `${'kernel'.padEnd(width)}  ours GFLOP/s  tfjs-cpu  tfjs-wasm  ours/wasm`;
  return [head, ...rows.map((r) => `${r.name.padEnd(width)}  ${f(r.ours_gflops).padStart(12)}  ${f(r.tfjs_cpu_gflops).padStart(8)}  ${f(r.tfjs_wasm_gflops).padStart(9)}  ${f(r.ratio_vs_wasm).padStart(9)}`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runCpuKernelBench({ quick: process.argv.includes('--quick') });
  console.log(formatRows(rows));
}
