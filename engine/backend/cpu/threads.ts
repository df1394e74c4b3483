// Runs the wasm kernels on every core. The module is instantiated on one shared
// WebAssembly.Memory: here on the calling thread, and in each of a pool of workers (wasm/worker.js),
// one thread a core (os.availableParallelism() in Node, navigator.hardwareConcurrency in a
// browser) or $ZEROGRAD_THREADS, or setThreads(n). In Node the workers start on the first large
// job; in a browser's Web Worker they must be started ahead, by awaiting startThreads() (a new
// worker there boots only once its creator's event loop runs). The memory is also the CPU
// backend's heap (heap.ts): tensors already live there, so a kernel call passes their addresses;
// an operand that does not (a plain typed array) is copied into a temporary block, freed when the
// call ends. A call writes one program of commands per thread, wakes the workers through Atomics
// (each has its own control block), runs its own program, and waits for theirs. Calls are
// synchronous, so one set of temporaries suffices.
//
// Results do not depend on the thread count: every kernel splits its output (rows, columns,
// batches, planes), never a sum, so each value is computed by the same instructions in the same
// order on whichever thread gets it. test/cpu-threads.test.ts checks training losses for 1-3.

import { canBlock, spawnWorker, threadsWanted, workerBootsWhileBlocked, type PlatformWorker } from '../../platform.js';
import { Heap } from './heap.js';
import { kernelsWasmBase64 } from './wasm/kernels.wasm.js';

/** One command of a wasm program: 16 ints, [opcode, args...] (see `run` in kernels.wat). */
export type Command = number[];

/** The opcodes `run` in kernels.wat dispatches on, by the name of the function each calls (its
 *  header comment lists them the same way; test/op-codes.test.ts checks the two agree). An
 *  opcode beyond these traps, so a command never silently does nothing. */
export const OPCODES = {
  gemm: 1, im2col: 2, col2im: 3, map: 4, zip: 5, rowsum: 6, maxpool: 7, maxpool_back: 8, adam: 9, gather: 10,
  bn_stats: 11, bn_apply: 12, bn_back: 13, act: 14,
  dw_forward: 15, dw_backward_input: 16, dw_backward_filter: 17,
  softmax_rows: 18, softmax_back_rows: 19, layernorm: 20, gelu: 21, scatter_add: 22, masked_softmax_rows: 23,
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

/**
 * im2col: col[(c*kh+i)*kw+j][oh*ow] gathered from x, col rows `pitch` floats apart (oh*ow for one
 * image; N*oh*ow when each image fills its own columns of one batch-wide matrix); col2im: the
 * reverse, adding into x.
 */
export function patchCommand(kind: 'im2col' | 'col2im', g: PatchGeometry, x: number, col: number, pitch = g.oh * g.ow): Command {
  const pair = (lo: number, hi: number) => {
    if (lo > 0xffff || hi > 0xffff) throw new Error(`${kind}: stride, padding and dilation must be below 65536`);
    return lo | (hi << 16);
  };
  return [OPCODES[kind], x, g.channels, g.h, g.w, g.kh, g.kw, pair(g.strideH, g.strideW),
    pair(g.padH, g.padW), pair(g.dilationH, g.dilationW), g.oh, g.ow, col, pitch, 0, 0];
}

/** A d0 x d1 x d2 box of floats from byte address a (element strides s0, s1; rows contiguous) to out (t0, t1). */
export function gatherCommand(a: number, s0: number, s1: number, out: number, t0: number, t1: number, d0: number, d1: number, d2: number): Command {
  return [OPCODES.gather, a, s0, s1, out, t0, t1, d0, d1, d2, 0, 0, 0, 0, 0, 0];
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
/** Slots of the control block shared with each worker. */
const SLOTS = { SEQ: 0, DONE: 1, READY: 2, PROG: 3, FAILED: 4 };

interface PoolWorker { worker: PlatformWorker; control: Int32Array }

interface Exports { run(program: number): void; gemmScratchFloats: WebAssembly.Global }

class WasmKernels {
  readonly memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
  readonly heap = new Heap(this.memory, 64);
  readonly scratchBytes: number;
  private readonly module: WebAssembly.Module;
  private readonly exports: Exports;
  // A page that is not cross-origin isolated has no SharedArrayBuffer (and no second thread).
  private readonly shared = typeof SharedArrayBuffer === 'function';
  /** The workers that answered; thread t > 0 is workers[t - 1]. */
  private readonly workers: PoolWorker[] = [];
  /** Threads wanted in all, the calling one included (null: not yet read from the platform). */
  private wanted: number | null = null;
  /** Set once a worker failed to start: we stop trying and run on the threads we have. */
  private spawnFailed = !canBlock;
  /** Blocks alloc() handed out during the current call: [address, bytes]. */
  private temps: Array<[number, number]> = [];
  /** Each thread's gemm scratch, kept for the life of the process. */
  private readonly scratches: number[] = [];

  constructor() {
    this.module = new WebAssembly.Module(Uint8Array.from(atob(kernelsWasmBase64), (ch) => ch.charCodeAt(0)));
    this.exports = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.scratchBytes = this.exports.gemmScratchFloats.value * 4;
  }

  private get target(): number {
    return (this.wanted ??= threadsWanted());
  }

  private get missing(): number {
    return this.spawnFailed || !this.shared ? 0 : Math.max(0, this.target - 1 - this.workers.length);
  }

  /** How many threads a job of this much work (flops, or see minWork) should use; starts the workers once. */
  threadsFor(work: number, minWork = PARALLEL_MIN_FLOPS): number {
    if (work < minWork) return 1;
    if (this.missing > 0 && workerBootsWhileBlocked) this.startWorkers();
    return this.threads;
  }

  /** How many threads the kernels run on now. */
  get threads(): number { return Math.min(this.target, 1 + this.workers.length); }

  /**
   * Run on `n` threads from now on (the calling one included): stops workers beyond n - 1, and
   * the next large job (or startThreads) starts any missing. Returns the count it will use.
   */
  setThreads(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`setThreads: a whole number from 1 to 256, got ${n}`);
    this.wanted = n;
    while (this.workers.length > n - 1) this.workers.pop()!.worker.terminate();
    return n;
  }

  /** Start the workers now without blocking (the only way in a browser); resolves to the thread count. */
  async startThreads(): Promise<number> {
    // Node boots a worker while we block (and an Atomics.waitAsync alone would not keep its event loop alive).
    if (workerBootsWhileBlocked) { this.startWorkers(); return this.threads; }
    // Atomics.waitAsync (ES2024) resolves when a worker stores READY; the event loop runs meanwhile.
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } }).waitAsync;
    const starting = Array.from({ length: this.missing }, () => this.spawn()).filter((w) => w !== null);
    for (const w of starting) {
      const r = waitAsync(w.control, SLOTS.READY, 0, 5_000);
      this.settle(w, (r.async ? await r.value : r.value) !== 'timed-out');
    }
    return this.threads;
  }

  private spawn(): PoolWorker | null {
    const control = new Int32Array(new SharedArrayBuffer(64));
    const worker = spawnWorker(new URL('./wasm/worker.js', import.meta.url),
      { module: this.module, memory: this.memory, control: control.buffer, slots: SLOTS });
    if (!worker) { this.spawnFailed = true; return null; }
    worker.unref();
    return { worker, control };
  }

  private settle(w: PoolWorker, ready: boolean): void {
    if (ready && this.workers.length < this.target - 1) this.workers.push(w);
    else w.worker.terminate();
    if (!ready) this.spawnFailed = true;
  }

  private startWorkers(): void {
    // In Node a worker boots on its own thread; a blocked main thread does not delay it.
    const starting = Array.from({ length: this.missing }, () => this.spawn()).filter((w) => w !== null);
    for (const w of starting) this.settle(w, Atomics.wait(w.control, SLOTS.READY, 0, 5_000) !== 'timed-out');
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

  /** Runs one program per thread (at most `threads` of them) and returns when all are done. */
  execute(programs: Command[][]): void {
    const ptrs = programs.map((cmds) => {
      const ptr = this.alloc(16 * (cmds.length + 1));
      const ints = new Int32Array(this.memory.buffer, ptr, 16 * (cmds.length + 1));
      cmds.forEach((cmd, i) => ints.set(cmd, 16 * i));
      ints[16 * cmds.length] = 0;
      return ptr;
    });
    if (ptrs.length > this.threads) throw new Error(`wasm kernels: ${ptrs.length} programs but ${this.threads} threads`);
    const seqs = ptrs.slice(1).map((ptr, i) => {
      const c = this.workers[i].control;
      Atomics.store(c, SLOTS.PROG, ptr);
      const seq = Atomics.add(c, SLOTS.SEQ, 1) + 1;
      Atomics.notify(c, SLOTS.SEQ);
      return seq;
    });
    if (ptrs.length > 0) this.exports.run(ptrs[0]);
    seqs.forEach((seq, i) => {
      const c = this.workers[i].control;
      for (let done = Atomics.load(c, SLOTS.DONE); done !== seq; done = Atomics.load(c, SLOTS.DONE)) {
        Atomics.wait(c, SLOTS.DONE, done);
      }
      if (Atomics.load(c, SLOTS.FAILED) === seq) throw new Error(`wasm kernels: worker thread ${i + 1} failed (see stderr)`);
    });
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
