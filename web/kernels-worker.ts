// Runs the shared kernel parity cases in a Web Worker: this browser's WebGPU against the CPU
// backend (two threads when the page is cross-origin isolated), reporting each case as it ends.
import type { Backend } from '../engine/backend/backend.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import { runKernelCases } from '../test/shared/kernel-cases.js';

const scope = self as unknown as { postMessage(m: unknown): void };

(async () => {
  const cpu = new CpuBackend();
  const threads = await cpu.startThreads();
  const gpu = await createWebGpuBackend();
  const description = (gpu as Backend & { description: string }).description;
  scope.postMessage({ kind: 'start', description, threads });
  const baseline = gpu.memory().buffers;
  const results = await runKernelCases(cpu, gpu, { onResult: (r) => scope.postMessage({ kind: 'result', result: r }) });
  await gpu.sync();
  scope.postMessage({ kind: 'done', results, leakedBuffers: gpu.memory().buffers - baseline });
})().catch((e) => scope.postMessage({ kind: 'error', error: (e as Error).message ?? String(e) }));
