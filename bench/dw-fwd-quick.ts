// scratch: forward-only ours vs tfjs wasm on every backbone shape (not committed)
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { depthwiseForwardSimd, depthwiseBackwardInputSimd, depthwiseBackwardFilterSimd } from '../engine/backend/cpu/depthwise.js';
import { wasmKernels } from '../engine/backend/cpu/threads.js';
import { conv2dOutShape, type Conv2dParams } from '../engine/conv-geometry.js';
import { medianMs } from './cpu-kernels.js';
import { BACKBONE_DEPTHWISE } from './depthwise.js';
setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.ready();
const random = (size: number) => Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
function inWasm(a: Float32Array): Float32Array { const heap = wasmKernels().heap, ptr = heap.alloc(a.length * 4); const v = heap.f32(ptr, a.length); v.set(a); return v; }
const n = 64;
const which = process.argv[2] ?? 'f';
for (const [c, s, stride] of BACKBONE_DEPTHWISE) {
  const p: Conv2dParams = { strideH: stride, strideW: stride, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: c };
  const xs = [n, c, s, s], ws = [c, 1, 3, 3], ys = conv2dOutShape(xs, ws, p), [, , oh, ow] = ys;
  const x = inWasm(random(n * c * s * s)), w = inWasm(random(c * 9)), y = inWasm(new Float32Array(n * c * oh * ow)), dw = inWasm(new Float32Array(c*9)), dx = inWasm(new Float32Array(x.length));
  const flops = 2 * n * c * oh * ow * 9;
  const g = (ms: number) => (flops / ms / 1e6).toFixed(2);
  const res: string[] = [];
  for (const t of [1, 2]) {
    wasmKernels().setThreads(t);
    const fn = which === 'f' ? () => depthwiseForwardSimd(x, xs, w, ws, p, y) : which === 'i' ? () => depthwiseBackwardInputSimd(y, w, ws, xs, p, dx) : () => depthwiseBackwardFilterSimd(x, xs, y, ws, p, dw);
    res.push(`${t}t ${g(await medianMs(fn, true))}`);
  }
  const tx = tf.tensor4d(x, [n, s, s, c]), tw = tf.tensor4d(w, [3, 3, c, 1]);
  const attrs = { strides: [stride, stride], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
  const tfn = () => tf.tidy(() => { (tf.engine().runKernel('DepthwiseConv2dNative', { x: tx, filter: tw }, attrs) as tf.Tensor).dataSync(); });
  res.push(`tfjs ${g(await medianMs(tfn, true))}`);
  console.log(`[${n},${c},${s},${s}] s${stride}`, res.join('  '));
}
