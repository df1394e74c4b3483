// Launch planning for the shared GEMM core (gemm.wgsl): tile size, split-K and batching, used by
// matmul and all three convolutions so the plan is written once.

import { Uniforms, type Launch } from './runtime.js';
import type { GpuStorage } from './buffers.js';

const TK = 16;
const MAX_Z = 65535;

export interface GemmProblem {
  kernel: string; shapes: string;
  shader: 'matmul' | 'conv';
  constants: Record<string, number | boolean>;
  a: GpuStorage; b: GpuStorage; out: GpuStorage;
  M: number; N: number; K: number; nBatch: number; splits: number;
  /** The kernel file's own parameters, from word 6 on. */
  extra: (u: Uniforms) => void;
}

export const tileM = (M: number) => (M <= 32 ? 32 : 64);
export const TILE_N = 64;

/** How many K slices: enough workgroups to fill a GPU when M x N alone gives few, each slice at
 *  least 256 deep. Returns 1 for ordinary shapes. */
export function chooseSplits(M: number, N: number, K: number, nBatch: number): number {
  const tiles = Math.ceil(M / tileM(M)) * Math.ceil(N / TILE_N) * nBatch;
  if (tiles >= 32 || K < 1024) return 1;
  const splits = Math.min(Math.ceil(64 / tiles), Math.floor(K / 256), 64);
  return Math.max(1, Math.ceil(K / (Math.ceil(K / splits / TK) * TK)));
}

export function runGemm(run: (l: Launch) => void, g: GemmProblem): void {
  const TM = tileM(g.M);
  const kChunk = Math.ceil(g.K / g.splits / TK) * TK;
  const zTotal = g.nBatch * g.splits;
  for (let zBase = 0; zBase < zTotal; zBase += MAX_Z) {
    const params = new Uniforms().u(g.M, g.N, g.K, kChunk, g.nBatch, zBase);
    g.extra(params.at(6));
    const launch: Launch = {
      kernel: g.kernel, shapes: g.shapes, shader: g.shader, entry: 'gemm_main',
      constants: { ...g.constants, TM, TN: TILE_N },
      bindings: [g.a, g.b, g.out], params,
      groups: [Math.ceil(g.N / TILE_N), Math.ceil(g.M / TM), Math.min(MAX_Z, zTotal - zBase)],
    };
    run(launch);
  }
}
