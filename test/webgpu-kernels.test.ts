// Every WebGPU kernel against the CPU backend (the reference): the parity cases of
// test/shared/kernel-cases.ts (the browser page runs the same list on its own WebGPU), then the
// plumbing only Node checks. On a machine without a GPU this runs on Dawn's OpenGL backend over
// Mesa llvmpipe; if no adapter exists at all, beforeAll throws and every test fails with that
// message (they must not skip).

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Storage, TensorInfo, UnaryOp } from '../engine/backend/backend.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';
import { ARG_REDUCE_CODES, BINARY_CODES, REDUCE_CODES, UNARY_CODES } from '../engine/backend/webgpu/codes.js';
import { caseSeed, KERNEL_CASES, Parity } from './shared/kernel-cases.js';

const cpu = new CpuBackend();
let gpu: Backend & { description: string };
let baseline = { buffers: 0, bytes: 0 };

beforeAll(async () => {
  gpu = await createWebGpuBackend();
  console.log(gpu.description);
  baseline = gpu.memory();
}, 60_000);

afterAll(async () => {
  if (gpu) expect(gpu.memory().buffers).toBe(baseline.buffers);   // every test disposed what it made
});

for (const group of new Set(KERNEL_CASES.map((c) => c.group))) {
  describe(group, () => {
    for (const c of KERNEL_CASES.filter((k) => k.group === group)) it(c.name, () => c.run(new Parity(cpu, gpu, caseSeed(c))));
  });
}

describe('webgpu plumbing (Node only)', () => {
  it('upload/fill/read round trip; the pool reuses buffers and memory() returns to baseline', async () => {
    const before = gpu.memory();
    const a = gpu.fill(1000, 2.5, 'float32'), b = gpu.fill(3, -7, 'int32');
    expect(await gpu.read(a)).toEqual(new Float32Array(1000).fill(2.5));
    expect(await gpu.read(b)).toEqual(Int32Array.of(-7, -7, -7));
    expect(gpu.memory().buffers).toBe(before.buffers + 2);
    gpu.dispose(a); gpu.dispose(b);
    expect(gpu.memory()).toEqual(before);
    expect(() => gpu.dispose(a)).toThrow(/already disposed/);
    const e = gpu.upload(new Float32Array(0));
    expect((await gpu.read(e)).length).toBe(0);
    gpu.dispose(e);
  });

  it('errors name the kernel and the shapes', async () => {
    const a = gpu.upload(new Float32Array(6)), b = gpu.upload(new Float32Array(6));
    expect(() => gpu.matmul({ storage: a, shape: [1, 2, 3], dtype: 'float32' }, { storage: b, shape: [1, 2, 3], dtype: 'float32' }, false, false))
      .toThrow(/matmul: inner sizes differ, 3 vs 2 \(a \[1,2,3\], b \[1,2,3\]/);
    gpu.dispose(b);
    expect(() => gpu.unary('exp', { storage: b, shape: [6], dtype: 'float32' })).toThrow(/unary exp \(x \[6\]\): an operand was already disposed/);
    gpu.dispose(a);
    await gpu.sync();
  });

  it("a code the shader has no case for gives NaN (or index -1), never an op; a name outside the tables is an error", async () => {
    // Simulate a table that disagrees with its shader by pointing one entry at a code with no case.
    const swap = async <T,>(table: object, key: string, run: () => Promise<T>): Promise<T> => {
      const t = table as Record<string, number>, was = t[key];
      t[key] = 99;
      try { return await run(); } finally { t[key] = was; }
    };
    const info = (s: Storage, shape: number[]): TensorInfo => ({ storage: s, shape, dtype: s.dtype });
    const readOut = async (s: Storage) => { const v = await gpu.read(s); gpu.dispose(s); return Array.from(v); };
    const x = gpu.upload(Float32Array.of(1, -2, 3)), k = gpu.upload(Int32Array.of(4, 5, 6));
    const neg = await swap(UNARY_CODES, 'neg', async () => readOut(gpu.unary('neg', info(x, [3]))));
    expect(neg.every(Number.isNaN), `unary: ${neg}`).toBe(true);
    const sub = await swap(BINARY_CODES, 'sub', async () => readOut(gpu.binary('sub', info(x, [3]), info(x, [3]), [3], 'float32')));
    expect(sub.every(Number.isNaN), `binary: ${sub}`).toBe(true);
    const isub = await swap(BINARY_CODES, 'sub', async () => readOut(gpu.binary('sub', info(k, [3]), info(k, [3]), [3], 'int32')));
    expect(isub).toEqual([2143289344, 2143289344, 2143289344]);   // NaN's bits, as i32
    const red = await swap(REDUCE_CODES, 'max', async () => readOut(gpu.reduce('max', info(x, [3]), [0])));
    expect(red.every(Number.isNaN), `reduce: ${red}`).toBe(true);
    const arg = await swap(ARG_REDUCE_CODES, 'argmax', async () => readOut(gpu.argReduce('argmax', info(x, [3]), 0)));
    expect(arg).toEqual([-1]);
    expect(() => gpu.unary('swish' as UnaryOp, info(x, [3]))).toThrow("webgpu: no shader code for unary op 'swish'");
    gpu.dispose(x); gpu.dispose(k);
  });

  it('shaders.generated.ts matches shaders/*.wgsl', () => {
    const r = spawnSync(process.execPath, ['engine/backend/webgpu/build-shaders.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
