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

/** Pick a backend: 'webgpu', 'cpu', or 'auto' (WebGPU if an adapter is found, else the CPU).
 *  Returns the backend and one line saying which was picked and why. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<{ backend: Backend; description: string }> {
  if (choice === 'cpu') return { backend: await setBackend('cpu'), description: 'cpu: WebAssembly SIMD kernels on worker threads' };
  try {
    const b = await setBackend('webgpu');
    return { backend: b, description: (b as Backend & { description?: string }).description ?? 'webgpu' };
  } catch (e) {
    if (choice === 'webgpu') throw e;
    const b = await setBackend('cpu');
    return { backend: b, description: `cpu (no WebGPU: ${(e as Error).message})` };
  }
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
export { sizeOf, fmt as formatShape } from './shape.js';
export * from './ops/creation.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/indexing.js';
export * from './ops/linalg.js';
export * from './ops/conv.js';
export * from './ops/norm.js';
export * from './ops/loss.js';
export type { Conv2dParams, Pool2dParams } from './conv-geometry.js';
