// A lost device (here: destroyed, the one loss a test can cause) gives a clear error naming the
// reason on the next call, and a read that was waiting when it happened does not hang.

import { expect, it } from 'vitest';
import { createWebGpuBackend } from '../engine/backend/webgpu/index.js';

it('after device.destroy(), ops and reads fail with a clear error instead of hanging', async () => {
  const be = await createWebGpuBackend();   // its own device: the other test files keep theirs
  const x = be.upload(Float32Array.of(1, -2, 3));
  const y = be.unary('relu', { storage: x, shape: [3], dtype: 'float32' });
  expect(await be.read(y)).toEqual(Float32Array.of(1, 0, 3));
  const z = be.unary('neg', { storage: x, shape: [3], dtype: 'float32' });   // recorded, not yet submitted
  (be as unknown as { device: GPUDevice }).device.destroy();
  await expect(be.read(z)).rejects.toThrow(/webgpu: .*(destroyed|lost)/);
  expect(() => be.unary('exp', { storage: x, shape: [3], dtype: 'float32' })).toThrow(/webgpu: unary exp \(x \[3\]\): the device was destroyed/);
  await expect(be.sync()).rejects.toThrow(/the device was destroyed/);
}, 60_000);
