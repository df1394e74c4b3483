// The CPU backend's float32/int32 buffers live in the wasm kernels' shared WebAssembly.Memory,
// so that matmul, convolution and the SIMD elementwise kernels read and write tensors in place,
// with no copy in or out, and the JS kernels keep working on the same bytes through typed-array
// views. (Views over a shared memory's buffer stay valid when the memory grows.)
//
// The allocator is a bump pointer plus free lists by size class: sizes round up to 64 bytes,
// and above 1 KiB to a quarter of their power of two (at most 25% slack). A freed block goes on
// its class's list and the next request of that class takes it back, so a training loop, which
// asks for the same sizes every step, stops growing the memory after its first step. The memory
// never shrinks (wasm memories cannot). When it reaches its maximum, alloc returns -1 and the
// caller falls back to an ordinary typed array.

const PAGE_BYTES = 65536;
const ALIGN = 64;

/** Bytes actually reserved for a request of `bytes`. */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 1024) return b;
  const quarter = 2 ** Math.floor(Math.log2(b)) / 4;
  return Math.ceil(b / quarter) * quarter;
}

export class Heap {
  private top: number;
  private readonly free = new Map<number, number[]>();
  /** Every ArrayBuffer the memory has had (it gets a new one each time it grows). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.buffers.add(memory.buffer);
  }

  /** Byte address of a fresh block of at least `bytes` (64-byte aligned), or -1 if the memory is full. */
  alloc(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    if (list && list.length) return list.pop()!;
    const ptr = this.top, end = ptr + cls;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE_BYTES));
      } catch {
        return -1;
      }
      this.buffers.add(this.memory.buffer);
    }
    this.top = end;
    return ptr;
  }

  /** Give back a block from alloc(bytes). */
  release(ptr: number, bytes: number): void {
    const cls = sizeClass(bytes);
    const list = this.free.get(cls);
    if (list) list.push(ptr);
    else this.free.set(cls, [ptr]);
  }

  f32(ptr: number, floats: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, floats); }
  i32(ptr: number, ints: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, ints); }

  /** The byte address of an array that is a view into this memory, else -1. */
  addressOf(arr: ArrayBufferView): number {
    if (this.buffers.has(arr.buffer)) return arr.byteOffset;
    if (arr.buffer === this.memory.buffer) { this.buffers.add(arr.buffer); return arr.byteOffset; }
    return -1;
  }
}
