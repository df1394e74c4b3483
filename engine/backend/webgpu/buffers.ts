// GPU memory: tensors' storages and the pool that recycles their GPUBuffers. Creating a
// GPUBuffer is a driver round trip, and a training step frees and re-makes the same sizes every
// iteration, so a disposed buffer goes back to a free list keyed by its power-of-two size class
// and the next request of that class takes it. The price is up to 2x over-allocation per buffer.
// memory() counts live storages and their class bytes; pooled free buffers are not "live".

import type { DType, MemoryInfo, Storage } from '../backend.js';
import type { Pool2dParams } from '../../conv-geometry.js';

const MIN_CLASS = 256;
const USAGE_STORAGE = 0x80, USAGE_COPY_SRC = 0x04, USAGE_COPY_DST = 0x08;   // GPUBufferUsage, without the global

export class GpuStorage implements Storage {
  disposed = false;
  /** max-pool argmax only: the window geometry, so the backward pass can gather (see pool.wgsl). */
  pool?: { params: Pool2dParams; xShape: readonly number[] };
  constructor(readonly buffer: GPUBuffer, readonly size: number, readonly dtype: DType) {}
  /** Bytes to bind: at least 4, since a zero-size binding is invalid. */
  get bindBytes(): number { return Math.max(4, this.size * 4); }
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private live = 0;
  private liveBytes = 0;

  constructor(private device: GPUDevice) {}

  static sizeClass(bytes: number): number {
    return Math.max(MIN_CLASS, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
  }

  alloc(size: number, dtype: DType): GpuStorage {
    const cls = BufferPool.sizeClass(size * 4);
    const max = this.device.limits.maxBufferSize;
    if (cls > max) throw new Error(`webgpu: a ${dtype} tensor of ${size} elements needs a ${cls}-byte buffer, over this device's maxBufferSize ${max}`);
    const buffer = this.free.get(cls)?.pop()
      ?? this.device.createBuffer({ size: cls, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    this.live++;
    this.liveBytes += cls;
    return new GpuStorage(buffer, size, dtype);
  }

  release(s: GpuStorage): void {
    if (s.disposed) throw new Error(`webgpu: dispose of an already disposed ${s.dtype} storage of ${s.size} elements`);
    s.disposed = true;
    this.live--;
    this.liveBytes -= s.buffer.size;
    let list = this.free.get(s.buffer.size);
    if (!list) this.free.set(s.buffer.size, (list = []));
    list.push(s.buffer);
  }

  memory(): MemoryInfo { return { buffers: this.live, bytes: this.liveBytes }; }
}
