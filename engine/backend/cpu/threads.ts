// Runs the wasm kernels on both cores. The module is instantiated twice on one shared
// WebAssembly.Memory: here on the calling thread, and in one worker (wasm/worker.js). In Node the
// worker starts on the first large job; in a browser's Web Worker it must be started ahead, by
// awaiting startThreads() (a new worker there boots only once its creator's event loop runs). The memory
// is also the CPU backend's heap (heap.ts): tensors already live there, so a kernel call passes
// their addresses; an operand that does not (a plain typed array) is copied into a temporary
// block, freed when the call ends. A call writes one program of commands per thread, wakes the
// worker through Atomics, runs its own program, and waits for the worker's. Calls are
// synchronous, so one set of temporaries and one control block suffice.

import { canBlock, cpuCount, spawnWorker, workerBootsWhileBlocked } from '../../platform.js';
import { Heap } from './heap.js';
import { kernelsWasmBase64 } from './wasm/kernels.wasm.js';

/** One command of a wasm program: 16 ints, [opcode, args...] (see `run` in kernels.wat). */
export type Command = number[];

/** The opcodes `run` in kernels.wat dispatches on, by the name of the function each calls (its
 *  header comment lists them the same way; test/op-codes.test.ts checks the two agree). An
 *  opcode beyond these traps, so a command never silently does nothing. */
export const OPCODES = {
  gemm: 1, im2col: 2, col2im: 3, map: 4, zip: 5, rowsum: 6, maxpool: 7, maxpool_back: 8, adam: 9,
} as const;

export interface GemmCommand {
  m: number; n: number; k: number;
  /** Byte addresses; A(i,p) = a[i*rsA + p*csA], B(p,j) = b[p*rsB + j*csB] in elements. */
  a: number; rsA: number; csA: number;
  b: number; rsB: number; csB: number;
  c: number; ldc: number;
  accumulate: boolean;
  /** Byte address of the calling thread's private scratch (`scratchBytes` of them). */
  scratch: number;
}

export function gemmCommand(g: GemmCommand): Command {
  return [OPCODES.gemm, g.m, g.n, g.k, g.a, g.rsA, g.csA, g.b, g.rsB, g.csB, g.c, g.ldc, g.accumulate ? 1 : 0, g.scratch, 0, 0];
}

/** Geometry of one image and one channel group; x and col are byte addresses. */
export interface PatchGeometry {
  channels: number; h: number; w: number; kh: number; kw: number;
  strideH: number; strideW: number; padH: number; padW: number; dilationH: number; dilationW: number;
  oh: number; ow: number;
}

/** im2col: col[(c*kh+i)*kw+j][oh*ow] gathered from x; col2im: the reverse, adding into x. */
export function patchCommand(kind: 'im2col' | 'col2im', g: PatchGeometry, x: number, col: number): Command {
  return [OPCODES[kind], x, g.channels, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW,
    g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow, col];
}

/**
 * Below this many flops (a 100³ matmul, ~100 µs on one core) waking the worker does not pay.
 * From a sweep of square matmuls 48..160 on the 2-core dev machine: one and two threads were
 * within the noise of each other between 1 and 4 MFLOP (a shared, busy machine: worth
 * re-measuring on a quiet one); above that, two threads win clearly.
 */
const PARALLEL_MIN_FLOPS = 1 << 21;
/** The same break-even for memory-bound elementwise kernels, in elements (~30 µs of work). */
export const PARALLEL_MIN_ELEMENTS = 1 << 17;
/** Slots of the control block shared with the worker. */
const SLOTS = { SEQ: 0, DONE: 1, READY: 2, PROG: 3, FAILED: 4 };

interface Exports { run(program: number): void; gemmScratchFloats: WebAssembly.Global }

class WasmKernels {
  readonly memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
  readonly heap = new Heap(this.memory, 64);
  readonly scratchBytes: number;
  private readonly module: WebAssembly.Module;
  private readonly exports: Exports;
  // A page that is not cross-origin isolated has no SharedArrayBuffer (and no second thread).
  private readonly control = new Int32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(64) : new ArrayBuffer(64));
  private worker: 'none' | 'starting' | 'absent' | 'ready' = cpuCount >= 2 && canBlock ? 'none' : 'absent';
  /** Blocks alloc() handed out during the current call: [address, bytes]. */
  private temps: Array<[number, number]> = [];
  /** Each thread's gemm scratch, kept for the life of the process. */
  private readonly scratches: number[] = [];

  constructor() {
    this.module = new WebAssembly.Module(Uint8Array.from(atob(kernelsWasmBase64), (ch) => ch.charCodeAt(0)));
    this.exports = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.scratchBytes = this.exports.gemmScratchFloats.value * 4;
  }

  /** How many threads a job of this much work (flops, or see minWork) should use (1 or 2); starts the worker once. */
  threadsFor(work: number, minWork = PARALLEL_MIN_FLOPS): number {
    if (work < minWork || this.worker === 'absent') return 1;
    if (this.worker === 'none' && workerBootsWhileBlocked) this.startWorker();
    return this.worker === 'ready' ? 2 : 1;
  }

  /** How many threads the kernels run on now (1 or 2). */
  get threads(): number { return this.worker === 'ready' ? 2 : 1; }

  /** Start the worker now without blocking (the only way in a browser); resolves to the thread count. */
  async startThreads(): Promise<number> {
    if (this.worker !== 'none') return this.threads;
    // Node boots the worker while we block (and an Atomics.waitAsync alone would not keep its event loop alive).
    if (workerBootsWhileBlocked) { this.startWorker(); return this.threads; }
    const w = this.spawn();
    if (!w) return this.threads;
    this.worker = 'starting';
    // Atomics.waitAsync (ES2024) resolves when the worker stores READY; the event loop runs meanwhile.
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
    const r = waitAsync(this.control, SLOTS.READY, 0, 5_000);
    this.settle(w, (r.async ? await r.value : r.value) !== 'timed-out');
    return this.threads;
  }

  private spawn() {
    const w = spawnWorker(new URL('./wasm/worker.js', import.meta.url),
      { module: this.module, memory: this.memory, control: this.control.buffer, slots: SLOTS });
    if (!w) this.worker = 'absent';
    w?.unref();
    return w;
  }

  private settle(w: { terminate(): void }, ready: boolean): void {
    this.worker = ready ? 'ready' : 'absent';
    if (!ready) w.terminate();
  }

  private startWorker(): void {
    const w = this.spawn();
    // In Node the worker boots on its own thread; a blocked main thread does not delay it.
    if (w) this.settle(w, Atomics.wait(this.control, SLOTS.READY, 0, 5_000) !== 'timed-out');
  }

  /** Free every temporary alloc() handed out (each kernel call starts and ends with this). */
  reset(): void {
    for (const [ptr, bytes] of this.temps) this.heap.release(ptr, bytes);
    this.temps = [];
  }

  /** A temporary block of `floats` floats (64-byte aligned) until the next reset(); returns the byte address. */
  alloc(floats: number): number {
    const bytes = floats * 4;
    const ptr = this.heap.alloc(bytes);
    if (ptr < 0) throw new Error(`wasm kernels: a call needs ${(bytes / 2 ** 20).toFixed(0)} MiB more, beyond the module's 2 GiB memory`);
    this.temps.push([ptr, bytes]);
    return ptr;
  }

  /** Thread t's private gemm scratch (`scratchBytes`), allocated once. */
  scratch(t: number): number {
    while (this.scratches.length <= t) {
      const ptr = this.heap.alloc(this.scratchBytes);
      if (ptr < 0) throw new Error('wasm kernels: no room for the gemm scratch');
      this.scratches.push(ptr);
    }
    return this.scratches[t];
  }

  /** The address of `data`: where it already lives in the memory, else a temporary copy. */
  put(data: Float32Array | Int32Array): number {
    const at = this.heap.addressOf(data);
    if (at >= 0) return at;
    const ptr = this.alloc(data.length);
    new (data instanceof Int32Array ? Int32Array : Float32Array)(this.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  /** Where a kernel should write `out`: its own address if it lives in the memory, else a temporary (copy it back with `view`). */
  place(out: Float32Array | Int32Array): number {
    const at = this.heap.addressOf(out);
    return at >= 0 ? at : this.alloc(out.length);
  }

  /** A Float32Array over `floats` floats at byte address `ptr`. */
  view(ptr: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, floats);
  }

  /** Copy the result at `ptr` into `out` unless the kernel wrote it there in place. */
  finish(ptr: number, out: Float32Array | Int32Array): void {
    if (this.heap.addressOf(out) === ptr) return;
    out.set(out instanceof Int32Array ? new Int32Array(this.memory.buffer, ptr, out.length) : this.view(ptr, out.length));
  }

  /** Runs one program per thread (1 or 2 of them) and returns when all are done. */
  execute(programs: Command[][]): void {
    const ptrs = programs.map((cmds) => {
      const ptr = this.alloc(16 * (cmds.length + 1));
      const ints = new Int32Array(this.memory.buffer, ptr, 16 * (cmds.length + 1));
      cmds.forEach((cmd, i) => ints.set(cmd, 16 * i));
      ints[16 * cmds.length] = 0;
      return ptr;
    });
    if (ptrs.length > 2 || (ptrs.length === 2 && this.worker !== 'ready')) {
      throw new Error(`wasm kernels: ${ptrs.length} programs but ${this.worker === 'ready' ? 2 : 1} threads`);
    }
    if (ptrs.length === 1) {
      this.exports.run(ptrs[0]);
      return;
    }
    const c = this.control;
    Atomics.store(c, SLOTS.PROG, ptrs[1]);
    const seq = Atomics.add(c, SLOTS.SEQ, 1) + 1;
    Atomics.notify(c, SLOTS.SEQ);
    this.exports.run(ptrs[0]);
    for (let done = Atomics.load(c, SLOTS.DONE); done !== seq; done = Atomics.load(c, SLOTS.DONE)) {
      Atomics.wait(c, SLOTS.DONE, done);
    }
    if (Atomics.load(c, SLOTS.FAILED) === seq) throw new Error('wasm kernels: the worker thread failed (see stderr)');
  }
}

let instance: WasmKernels | null = null;

/** The process-wide kernels, created on first use. */
export function wasmKernels(): WasmKernels {
  return (instance ??= new WasmKernels());
}

/** Splits [0, count) into `parts` contiguous ranges, each boundary a multiple of `quantum`. */
export function splitRange(count: number, parts: number, quantum = 1): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let t = 0; t < parts; t++) {
    const end = t === parts - 1 ? count : Math.min(count, Math.round((count * (t + 1)) / parts / quantum) * quantum);
    if (end > start) ranges.push([start, end]);
    start = Math.max(start, end);
  }
  return ranges;
}
