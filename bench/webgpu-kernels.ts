// Our WebGPU kernels beside TensorFlow.js's WebGPU backend, in one process, on the same Dawn
// adapter (a real GPU if Dawn's default backend finds one, else the OpenGL backend over Mesa
// llvmpipe, where both run as compute shaders on the CPU): square matmuls and the forward
// convolutions of the `cnn` model at batch 64. Every timed iteration reads the result back, so
// the GPU work is really finished and measured (both sides pay the same readback).
// Figures are GFLOP/s from tinybench's mean latency; ratio = ours / tfjs-webgpu.
//   npx tsx bench/webgpu-kernels.ts [--quick]   (zerograd bench --suite webgpu --matmul-max 4096: up to 4096³)
import { Bench } from 'tinybench';
import type { BenchOptions } from './cpu-kernels.js';
import type { Backend, Storage, TensorInfo } from '../engine/backend/backend.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import type { Conv2dParams } from '../engine/conv-geometry.js';

export interface Row { name: string; ours_gflops: number; tfjs_webgpu_gflops: number; ratio: number }

type Tf = typeof import('@tensorflow/tfjs');
interface Case { name: string; flops: number; ours: (be: Backend) => () => Promise<void>; tfjs: (tf: Tf) => () => Promise<void> }

const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const conv = (o: Partial<Conv2dParams> = {}): Conv2dParams => ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...o });

/** Upload inputs once; each iteration runs the kernel, reads the output back, frees it. */
function oursRun(be: Backend, inputs: [Float32Array, number[]][], kernel: (t: TensorInfo[]) => Storage) {
  const t = inputs.map(([data, shape]) => ({ storage: be.upload(data), shape, dtype: 'float32' as const }));
  return async () => { const out = kernel(t); await be.read(out); be.dispose(out); };
}

function tfjsRun(tf: Tf, inputs: [Float32Array, number[]][], kernel: (t: import('@tensorflow/tfjs').Tensor[]) => import('@tensorflow/tfjs').Tensor) {
  const t = inputs.map(([data, shape]) => tf.tensor(data, shape));
  return async () => { const out = kernel(t); await out.data(); out.dispose(); };
}

function matmulCase(n: number): Case {
  const a = random(n * n), b = random(n * n);
  return {
    name: `matmul ${n}`, flops: 2 * n ** 3,
    ours: (be) => oursRun(be, [[a, [1, n, n]], [b, [1, n, n]]], ([x, y]) => be.matmul(x, y, false, false)),
    tfjs: (tf) => tfjsRun(tf, [[a, [n, n]], [b, [n, n]]], ([x, y]) => tf.matMul(x as import('@tensorflow/tfjs').Tensor2D, y as import('@tensorflow/tfjs').Tensor2D)),
  };
}

function convCase(xs: number[], ws: number[]): Case {
  const [n, c, h, w] = xs, [o, , kh, kw] = ws, oh = h - kh + 1, ow = w - kw + 1;
  const x = random(n * c * h * w), wt = random(o * c * kh * kw);
  // tfjs wants NHWC and HWIO; layout conversion happens once, outside the timed loop.
  const xNhwc = new Float32Array(x.length), wHwio = new Float32Array(wt.length);
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) xNhwc[(b * h * w + i) * c + ci] = x[(b * c + ci) * h * w + i];
  for (let oc = 0; oc < o; oc++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < kh * kw; i++) wHwio[(i * c + ci) * o + oc] = wt[(oc * c + ci) * kh * kw + i];
  return {
    name: `conv2d fwd x[${xs}] w[${ws}]`, flops: 2 * n * o * oh * ow * c * kh * kw,
    ours: (be) => oursRun(be, [[x, xs], [wt, ws]], ([a, b]) => be.conv2d(a, b, conv())),
    tfjs: (tf) => tfjsRun(tf, [[xNhwc, [n, h, w, c]], [wHwio, [kh, kw, c, o]]],
      ([a, b]) => tf.conv2d(a as import('@tensorflow/tfjs').Tensor4D, b as import('@tensorflow/tfjs').Tensor4D, 1, 'valid')),
  };
}

/** Give tfjs-webgpu (which reads navigator.gpu) a Dawn GPU object on the adapter we use. */
async function installNavigatorGpu(compat: boolean): Promise<void> {
  const { create } = await import('webgpu');
  const gpu = create(compat ? ['backend=opengl'] : []);
  (globalThis as { keepGpu?: unknown }).keepGpu = gpu;   // dawn.node aborts if a live GPU object is collected
  const shim = {
    requestAdapter: (o?: GPURequestAdapterOptions) => gpu.requestAdapter(compat ? { ...o, featureLevel: 'compatibility' } : o),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
  g.navigator!.gpu = shim;
}

export async function runWebGpuKernelBench(opts: BenchOptions & { matmulMax?: number }): Promise<Row[]> {
  const be = await createWebGpuBackend();
  const compat = be.description.includes('compatibility');
  await installNavigatorGpu(compat);
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not initialise on this adapter');
  await tf.ready();
  process.stderr.write(`ours: ${be.description}; tfjs: ${tf.getBackend()}\n`);

  const cases = [
    ...[128, 256, 512, 1024, 2048, 4096].filter((n) => n <= (opts.matmulMax ?? (opts.quick ? 512 : 1024))).map(matmulCase),
    convCase([64, 1, 28, 28], [32, 1, 3, 3]),
    convCase([64, 32, 13, 13], [64, 32, 3, 3]),
  ];
  const rows: Row[] = [];
  for (const [k, c] of cases.entries()) {
    opts.onProgress?.(k, cases.length, c.name);
    const bench = new Bench({ iterations: opts.quick ? 3 : 5, time: 0, warmupIterations: 1, warmupTime: 0 });
    bench.add('ours', c.ours(be));
    bench.add('tfjs', c.tfjs(tf));
    await bench.run();
    const gflops = (name: string) => {
      const r = bench.getTask(name)!.result as { latency?: { mean: number }; error?: Error };
      if (!r.latency) throw new Error(`${c.name} (${name}): ${r.error?.message ?? 'no result'}`);
      return c.flops / (r.latency.mean / 1000) / 1e9;
    };
    const ours = gflops('ours'), theirs = gflops('tfjs');
    rows.push({ name: c.name, ours_gflops: +ours.toFixed(3), tfjs_webgpu_gflops: +theirs.toFixed(3), ratio: +(ours / theirs).toFixed(2) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runWebGpuKernelBench({ quick: process.argv.includes('--quick') });
  console.table(rows);
}
