// zerograd's public engine API, PyTorch-flavoured.

import './methods.js';
import type { Backend } from './backend/backend.js';
import { CpuBackend } from './backend/cpu/index.js';
import { getBackend, registerBackend, setBackend, useBackend, type BackendName } from './backend/registry.js';
import { liveTensorCount } from './tensor.js';

registerBackend('cpu', async () => new CpuBackend());
// Imported lazily: the webgpu module (and Dawn) loads only when asked for.
registerBackend('webgpu', async () => (await import('./backend/webgpu/index.js')).createWebGpuBackend());
useBackend(new CpuBackend());

export type BackendChoice = 'auto' | BackendName;

/** What a probe of the WebGPU adapter found (made elsewhere, e.g. in a child process so Dawn's native warnings stay out of sight). */
export type AdapterProbe = { description: string } | { error: string };

/** Software adapters (Mesa's llvmpipe, SwiftShader) are named so by the device description. */
const isSoftware = (description: string) => /software\)/.test(description);

/** Pick a backend: 'webgpu', 'cpu', or 'auto'. Auto takes WebGPU on a real GPU; a software
 *  adapter (Mesa's llvmpipe on a machine without a GPU) is a correctness device a hundred times
 *  slower than the CPU backend, so auto passes it over (--backend webgpu still forces it).
 *  With `probe` (auto only), a probe that found no adapter or a software one goes straight to the
 *  CPU without loading WebGPU here. Returns the backend and one line saying which was picked and why
 *  (for the CPU, on how many threads its kernels run: they are started here). */
export async function initBackend(choice: BackendChoice = 'auto', o: { probe?: AdapterProbe } = {}): Promise<{ backend: Backend; description: string }> {
  const cpu = async (why = '') => {
    const backend = await setBackend('cpu');
    const n = await (backend as CpuBackend).startThreads();
    return { backend, description: `cpu: WebAssembly SIMD kernels on ${n} thread${n > 1 ? 's' : ''}${why}` };
  };
  const fallback = (why: string) => cpu(` (auto: ${why})`);
  const software = (d: string) => `the only WebGPU adapter is a software one: ${d.replace(/^webgpu: /, '')}`;
  if (choice === 'cpu') return cpu();
  if (choice === 'auto' && o.probe) {
    if ('error' in o.probe) return fallback(o.probe.error);
    if (isSoftware(o.probe.description)) return fallback(software(o.probe.description));
  }
  try {
    const b = await setBackend('webgpu');
    const description = (b as Backend & { description?: string }).description ?? 'webgpu';
    if (choice === 'webgpu' || !isSoftware(description)) return { backend: b, description };
    return fallback(software(description));
  } catch (e) {
    if (choice === 'webgpu') throw e;
    return fallback((e as Error).message);
  }
}

/** Which WebGPU adapter initBackend('webgpu') would find, described (throws when there is none); makes no device. */
export async function probeWebGpu(): Promise<string> {
  return (await import('./backend/webgpu/device.js')).probeAdapter();
}

/** Live tensors, and the current backend's live buffers and bytes. */
export function memory(): { tensors: number; buffers: number; bytes: number } {
  return { tensors: liveTensorCount(), ...getBackend().memory() };
}

export { Tensor, type GradNode } from './tensor.js';
export type { Backend, DType, TypedArray } from './backend/backend.js';
export { getBackend, setBackend, useBackend, type BackendName } from './backend/registry.js';
export { noGrad, enableGrad, isGradEnabled, backward, type BackwardOptions } from './autograd.js';
export { tidy, keep } from './scope.js';
export { manualSeed, Generator, defaultGenerator } from './random.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { profile, profileTable, type Profile, type ProfileRow, type Direction } from './profiler.js';
export { matmulFlops, convFlops } from './flops.js';
export { autogradGraph, toDot, toMermaid, type AutogradGraph, type GraphNode, type GraphOptions, type TensorNames } from './graph.js';
export { sizeOf, fmt as formatShape } from './shape.js';
export * from './ops/creation.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/normalization.js';
export * from './ops/shape.js';
export * from './ops/indexing.js';
export * from './ops/linalg.js';
export * from './ops/conv.js';
export * from './ops/batchnorm.js';
export type { Conv2dParams, Pool2dParams } from './conv-geometry.js';
// Argument checks for ops composed outside the engine (nn/functional), so their errors read alike.
export { requireFloat, requireRank } from './ops/kernel.js';
export { pairArg, show } from './ops/conv.js';
