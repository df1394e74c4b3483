// A Node script that creates the WebGPU backend, runs a kernel, reads back and ends must exit by
// itself (no process.exit): Dawn must not hold the event loop open, and teardown must not crash.
// Also run under --expose-gc with forced collections, which once exposed a dawn.node abort when
// the GPU object behind a live device was collected (see engine/backend/webgpu/device.ts).

import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const script = `
import { createWebGpuBackend } from './engine/backend/webgpu/index.ts';
const be = await createWebGpuBackend();
for (let i = 0; i < 20; i++) {
  const x = be.upload(Float32Array.of(1, -2, 3));
  const y = be.unary('relu', { storage: x, shape: [3], dtype: 'float32' });
  const v = await be.read(y);
  if (v[1] !== 0 || v[2] !== 3) throw new Error('wrong result ' + v);
  be.dispose(x); be.dispose(y);
  globalThis.gc?.();
}
console.log('done');
`;

it('a script using the WebGPU backend exits on its own, cleanly', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 60_000, cwd: process.cwd(),
  });
  expect(r.error, 'the process did not exit within 60 s').toBeUndefined();
  expect(r.stderr.split('\n').filter((l) => /error|abort|terminate/i.test(l) && !/^Warning/.test(l)).join('\n')).toBe('');
  expect(r.stdout.trim()).toBe('done');
  expect(r.status).toBe(0);
});
