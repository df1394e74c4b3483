// MobileNetV2's depthwise convolutions (3×3, padding 1, width 1, 32×32 input) at batch 64: our
// direct kernels — the wasm SIMD ones float32 runs (depthwise.ts's *Simd, on the worker pool,
// operands in the wasm memory as the backend's tensors are), and the plain JS loops they
// replaced in float32 (now the float64 path) — beside the GEMM path (conv.ts, which conv2d used
// for groups = C before) and TensorFlow.js. tfjs-wasm (XNNPACK) has only the
// forward kernel (DepthwiseConv2dNative); it registers no depthwise backprop kernels, so the
// backward rows compare with tfjs `cpu`'s (plain JS), the only tfjs CPU implementation there is.
// GFLOP/s counts 2 flops per multiply-add of the real taps' work (N·C·OH·OW·9 MACs), from
// tinybench's median latency.
//   npx tsx bench/depthwise.ts [--quick]
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../engine/backend/cpu/conv.js';
import {
  depthwiseBackwardFilter, depthwiseBackwardFilterSimd, depthwiseBackwardInput, depthwiseBackwardInputSimd, depthwiseForward, depthwiseForwardSimd,
} from '../engine/backend/cpu/depthwise.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { conv2dOutShape, type Conv2dParams } from '../engine/conv-geometry.js';
import { medianMs, type BenchOptions } from './cpu-kernels.js';

export interface DepthwiseRow { name: string; ours_gflops: number; js_loops_gflops: number; gemm_path_gflops: number; tfjs_gflops: number; tfjs_backend: 'wasm' | 'cpu'; ratio_vs_tfjs: number; ratio_vs_gemm: number }

/** [channels, side, stride] of each distinct depthwise layer of mobilenetv2 (width 1) at 32×32. */
export const BACKBONE_DEPTHWISE: [number, number, number][] = [
  [32, 16, 1], [96, 16, 2], [144, 8, 1], [144, 8, 2], [192, 4, 1], [192, 4, 2], [384, 2, 1], [576, 2, 1], [576, 2, 2], [960, 1, 1],
];

const random = (size: number) => Float32Array.from({ length: size }, () => Math.random() * 2 - 1);

/** A copy of `a` in the wasm memory (where the CPU backend's tensors live), kept for the process. */
function inWasm(a: Float32Array): Float32Array {
  const heap = wasmKernels().heap, ptr = heap.alloc(a.length * 4);
  if (ptr < 0) return a;
  const v = heap.f32(ptr, a.length);
  v.set(a);
  return v;
}

export async function runDepthwiseBench(opts: BenchOptions & { batch?: number }): Promise<DepthwiseRow[]> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  const n = opts.batch ?? 64;
  const shapes = opts.quick ? BACKBONE_DEPTHWISE.filter((_, i) => i % 3 === 0) : BACKBONE_DEPTHWISE;
  const rows: DepthwiseRow[] = [];
  for (const [c, s, stride] of shapes) {
    const p: Conv2dParams = { strideH: stride, strideW: stride, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: c };
    const xs = [n, c, s, s], ws = [c, 1, 3, 3], ys = conv2dOutShape(xs, ws, p), [, , oh, ow] = ys;
    const x = random(n * c * s * s), w = random(c * 9), dy = random(n * c * oh * ow);
    const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
    const [hx, hw, hdy, hy, hdx, hdw] = [x, w, dy, y, dx, dw].map(inWasm);
    const flops = 2 * n * c * oh * ow * 9;
    // tfjs: NHWC, filter [3, 3, C, 1]; 'same' padding is Keras's (pads after for stride 2): same work.
    const tx = () => tf.tensor4d(x, [n, s, s, c]), tw = () => tf.tensor4d(w, [3, 3, c, 1]), tdy = () => tf.tensor4d(dy, [n, oh, ow, c]);
    const kernel = (name: string, inputs: () => tf.NamedTensorMap, extra: Record<string, unknown>) => {
      const ins = inputs();
      const attrs = { strides: [stride, stride], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined, ...extra } as unknown as tf.NamedAttrMap;
      return () => tf.tidy(() => { (tf.engine().runKernel(name, ins, attrs) as tf.Tensor).dataSync(); });
    };
    const label = `dw [${n},${c},${s},${s}] s${stride}`;
    const passes: [string, () => void, () => void, () => void, 'wasm' | 'cpu', () => () => void][] = [
      ['forward', () => depthwiseForwardSimd(hx, xs, hw, ws, p, hy), () => depthwiseForward(x, xs, w, ws, p, y), () => conv2dForward(x, xs, w, ws, p), 'wasm',
        () => kernel('DepthwiseConv2dNative', () => ({ x: tx(), filter: tw() }), {})],
      ['backward input', () => depthwiseBackwardInputSimd(hdy, hw, ws, xs, p, hdx), () => depthwiseBackwardInput(dy, w, ws, xs, p, dx),
        () => conv2dBackwardInput(dy, ys, w, ws, xs, p), 'cpu',
        () => kernel('DepthwiseConv2dNativeBackpropInput', () => ({ dy: tdy(), filter: tw() }), { inputShape: [n, s, s, c] })],
      ['backward filter', () => depthwiseBackwardFilterSimd(hx, xs, hdy, ws, p, hdw), () => depthwiseBackwardFilter(x, xs, dy, ws, p, dw),
        () => conv2dBackwardFilter(x, xs, dy, ys, ws, p), 'cpu',
        () => kernel('DepthwiseConv2dNativeBackpropFilter', () => ({ x: tx(), dy: tdy() }), { filterShape: [3, 3, c, 1] })],
    ];
    for (const [pass, ours, js, gemm, backend, tfjs] of passes) {
      opts.onProgress?.(rows.length, shapes.length * 3, `${label} ${pass}`);
      const g = (ms: number) => flops / ms / 1e6;
      const oursG = g(await medianMs(ours, opts.quick));
      const jsG = g(await medianMs(js, opts.quick));
      const gemmG = g(await medianMs(gemm, opts.quick));
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
      await tf.ready();
      const tfjsG = g(await medianMs(tfjs(), opts.quick));
      rows.push({ name: `${label} ${pass}`, ours_gflops: oursG, js_loops_gflops: jsG, gemm_path_gflops: gemmG, tfjs_gflops: tfjsG, tfjs_backend: backend, ratio_vs_tfjs: oursG / tfjsG, ratio_vs_gemm: oursG / gemmG });
    }
  }
  return rows;
}

export function formatDepthwiseRows(rows: DepthwiseRow[]): string {
  const f = (v: number) => v.toFixed(2);
  const width = Math.max(...rows.map((r) => r.name.length));
  const head = `${'kernel'.padEnd(width)}  ours GFLOP/s  old JS loops  old GEMM path  tfjs (backend)  ours/tfjs  ours/GEMM`;
  const threads = `(ours: wasm SIMD on ${wasmKernels().threads} thread${wasmKernels().threads === 1 ? '' : 's'}; tfjs wasm: one thread)`;
  return [head, ...rows.map((r) => `${r.name.padEnd(width)}  ${f(r.ours_gflops).padStart(12)}  ${f(r.js_loops_gflops).padStart(12)}  ${f(r.gemm_path_gflops).padStart(13)}  ${`${f(r.tfjs_gflops)} (${r.tfjs_backend})`.padStart(14)}  ${f(r.ratio_vs_tfjs).padStart(9)}  ${f(r.ratio_vs_gemm).padStart(9)}`), threads].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatDepthwiseRows(await runDepthwiseBench({ quick: process.argv.includes('--quick') })));
}
