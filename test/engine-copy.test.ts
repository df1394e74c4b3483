// Tensor.copy_ and the backend copy kernel under it: values land in the tensor's own buffer (so
// its views and the optimiser's references see them), in order with the kernels around it, with
// PyTorch's rules for tensors that take part in autograd. On the CPU backend and on WebGPU (the
// software adapter in CI; with no adapter at all, the WebGPU half fails rather than skips).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, noGrad, tensor, useBackend, type Backend, type Tensor } from '../engine/index.js';
import { CpuBackend } from '../engine/backend/cpu/index.js';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';

const vals = async (t: Tensor) => Array.from(await t.data());

function suite(name: string, backend: () => Backend) {
  describe(`copy_ on ${name}`, () => {
    beforeAll(() => useBackend(backend()));

    it('writes src into the buffer the tensor shares with its views, and returns the tensor', async () => {
      const p = tensor([[1, 2, 3], [4, 5, 6]]);
      expect(p.backend).toBe(backend());
      const view = p.reshape([3, 2]), alias = p.detach();
      const src = tensor([[-1, -2, -3], [-4, -5, -6]]);
      const before = memory();
      expect(p.copy_(src)).toBe(p);
      expect(memory()).toEqual(before);   // no new tensor, no new buffer
      expect(await vals(p)).toEqual([-1, -2, -3, -4, -5, -6]);
      expect(await vals(view)).toEqual([-1, -2, -3, -4, -5, -6]);
      expect(await vals(alias)).toEqual([-1, -2, -3, -4, -5, -6]);
      expect(await vals(src)).toEqual([-1, -2, -3, -4, -5, -6]);
      // Through a view, into the base; int32 too; a copy onto its own buffer is a no-op.
      view.copy_(tensor([[7, 8], [9, 10], [11, 12]]));
      expect(await vals(p)).toEqual([7, 8, 9, 10, 11, 12]);
      p.copy_(view.reshape([2, 3]));
      expect(await vals(p)).toEqual([7, 8, 9, 10, 11, 12]);
      const k = tensor([1, 2, 3], { dtype: 'int32' });
      k.copy_(tensor([4, 5, 6], { dtype: 'int32' }));
      expect(await vals(k)).toEqual([4, 5, 6]);
    });

    it('is ordered with the kernels around it', async () => {
      const x = tensor([0.5, -1, 2]);
      const p = tensor([0, 0, 0]);
      const y = x.neg();                   // a kernel writes y ...
      p.copy_(y);                          // ... the copy reads it ...
      const z = p.mul(2);                  // ... a kernel reads the copy
      y.dispose();
      const w = tensor([9, 9, 9]);         // may take y's recycled buffer: must not reach the copy
      expect(await vals(z)).toEqual([-1, 2, -4]);
      expect(await vals(p)).toEqual([-0.5, 1, -2]);
      expect(await vals(w)).toEqual([9, 9, 9]);
      p.copy_(w);
      p.copy_(x);                          // the last of two copies wins
      expect(await vals(p.add(0))).toEqual([0.5, -1, 2]);
    });

    it('an upload into a buffer a pending copy reads or writes waits for it', async () => {
      // Nothing but the copy touches these buffers before the uploads (a read just flushed).
      const src = tensor([1, 2, 3]), dst = tensor([0, 0, 0]);
      await vals(dst);
      dst.copy_(src);
      src.dispose();
      const a = tensor([7, 7, 7]);         // may reuse src's buffer: the copy must still read 1, 2, 3
      expect(await vals(dst)).toEqual([1, 2, 3]);
      expect(await vals(a)).toEqual([7, 7, 7]);
      const d2 = tensor([0, 0, 0]), s2 = tensor([4, 5, 6]);
      await vals(d2);
      d2.copy_(s2);
      d2.dispose();
      const b = tensor([8, 8, 8]);         // may reuse d2's buffer: the copy must not land after it
      expect(await vals(b)).toEqual([8, 8, 8]);
    });

    it('loads weights into a parameter under noGrad; the next backward uses them', async () => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      const x = tensor([1, 1, 1], { requiresGrad: true });
      expect(() => w.copy_(tensor([4, 5, 6]))).toThrow('copy_: a leaf tensor that requires grad (float32[3]) is being used in an in-place operation; copy under noGrad()');
      noGrad(() => w.copy_(tensor([4, 5, 6])));
      expect(w.requiresGrad).toBe(true);
      expect(w.isLeaf).toBe(true);
      w.mul(x).sum().backward();
      expect(await vals(x.grad!)).toEqual([4, 5, 6]);
      expect(await vals(w.grad!)).toEqual([1, 1, 1]);
    });

    it('refuses what autograd cannot follow when grad mode is on, and bad operands', () => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      const y = w.exp();                   // not a leaf: exp's backward reads y
      expect(() => y.copy_(tensor([0, 0, 0]))).toThrow("copy_: float32[3] was computed by a recorded op ('exp') and its graph may read it");
      const plain = tensor([0, 0, 0]);
      expect(() => plain.copy_(w)).toThrow('copy_: src float32[3] requires grad, and an in-place copy records no gradient');
      plain.copy_(w.detach());
      noGrad(() => plain.copy_(w));
      expect(() => plain.copy_(tensor([1, 2]))).toThrow('copy_: src has shape [2] but float32[3] has [3]');
      expect(() => plain.copy_(tensor([1, 2, 3], { dtype: 'int32' }))).toThrow('copy_: src is int32[3] but this tensor is float32[3]; convert with .float() or .int() first');
      expect(() => plain.copy_(null as unknown as Tensor)).toThrow('copy_: src must be a Tensor, got null');
      const gone = tensor([1, 2, 3]);
      gone.dispose();
      expect(() => plain.copy_(gone)).toThrow('copy_: src (float32[3]) was disposed');
    });
  });
}

const cpu = new CpuBackend();
suite('the CPU backend', () => cpu);

let gpu: Backend | null = null;
describe('webgpu', () => {
  beforeAll(async () => { gpu = await createWebGpuBackend(); }, 60_000);
  afterAll(() => useBackend(new CpuBackend()));
  it('has an adapter', () => expect(gpu).not.toBeNull());
  suite('WebGPU', () => gpu!);
});

describe('copy_ across backends', () => {
  it('names both', async () => {
    const a = new CpuBackend(), b = new CpuBackend();
    useBackend(a); const x = tensor([1, 2]);
    useBackend(b); const y = tensor([3, 4]);
    expect(() => x.copy_(y)).toThrow('copy_: inputs live on two different cpu backend instances');
  });
});
