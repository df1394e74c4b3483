// Runs the wasm kernels on both cores. The module is instantiated twice on one shared
// WebAssembly.Memory: here on the calling thread, and in one worker (wasm/worker.js). A kernel
// call copies its operands into the memory (an arena reset on every call), writes one program of
// commands per thread, wakes the worker through Atomics, runs its own program, and waits for the
// worker's. Calls are synchronous, so one arena and one control block suffice.

import { canBlock, cpuCount, spawnWorker } from '../../platform.js';
import { kernelsWasmBase64 } from './wasm/kernels.wasm.js';

/** One command of a wasm program: 16 ints, [opcode, args...] (see `run` in kernels.wat). */
export type Command = number[];

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
  return [1, g.m, g.n, g.k, g.a, g.rsA, g.csA, g.b, g.rsB, g.csB, g.c, g.ldc, g.accumulate ? 1 : 0, g.scratch, 0, 0];
}

/** Geometry of one image and one channel group; x and col are byte addresses. */
export interface PatchGeometry {
  channels: number; h: number; w: number; kh: number; kw: number;
  strideH: number; strideW: number; padH: number; padW: number; dilationH: number; dilationW: number;
  oh: number; ow: number;
}

/** im2col: col[(c*kh+i)*kw+j][oh*ow] gathered from x; col2im: the reverse, adding into x. */
export function patchCommand(kind: 'im2col' | 'col2im', g: PatchGeometry, x: number, col: number): Command {
  return [kind === 'im2col' ? 2 : 3, x, g.channels, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW,
    g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow, col];
}

/**
 * Below this many flops (a 100³ matmul, ~100 µs on one core) waking the worker does not pay.
 * From a sweep of square matmuls 48..160 on the 2-core dev machine: one and two threads were
 * within the noise of each other between 1 and 4 MFLOP (a shared, busy machine: worth
 * re-measuring on a quiet one); above that, two threads win clearly.
 */
const PARALLEL_MIN_FLOPS = 1 << 21;
const PAGE_BYTES = 65536;
const ALIGN = 64;
/** Slots of the control block shared with the worker. */
const SLOTS = { SEQ: 0, DONE: 1, READY: 2, PROG: 3, FAILED: 4 };

interface Exports { run(program: number): void; gemmScratchFloats: WebAssembly.Global }

class WasmKernels {
  readonly memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
  readonly scratchBytes: number;
  private readonly module: WebAssembly.Module;
  private readonly exports: Exports;
  private readonly control = new Int32Array(new SharedArrayBuffer(64));
  private worker: 'none' | 'absent' | 'ready' = cpuCount >= 2 && canBlock ? 'none' : 'absent';
  private top = ALIGN;

  constructor() {
    this.module = new WebAssembly.Module(Uint8Array.from(atob(kernelsWasmBase64), (ch) => ch.charCodeAt(0)));
    this.exports = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.scratchBytes = this.exports.gemmScratchFloats.value * 4;
  }

  /** How many threads a job of this many flops should use (1 or 2); starts the worker once. */
  threadsFor(flops: number): number {
    if (flops < PARALLEL_MIN_FLOPS || this.worker === 'absent') return 1;
    if (this.worker === 'none') this.startWorker();
    return this.worker === 'ready' ? 2 : 1;
  }

  private startWorker(): void {
    const w = spawnWorker(new URL('./wasm/worker.js', import.meta.url),
      { module: this.module, memory: this.memory, control: this.control.buffer, slots: SLOTS });
    if (w) {
      w.unref();
      // The worker boots on its own thread; a blocked main thread does not delay it.
      if (Atomics.wait(this.control, SLOTS.READY, 0, 5_000) !== 'timed-out') {
        this.worker = 'ready';
        return;
      }
      w.terminate();
    }
    this.worker = 'absent';
  }

  /** Forget everything allocated by the previous kernel call. */
  reset(): void { this.top = ALIGN; }

  /** Reserves `floats` floats (64-byte aligned), growing the memory if needed; returns the byte address. */
  alloc(floats: number): number {
    const ptr = this.top;
    this.top += Math.ceil((floats * 4) / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE_BYTES);
      try {
        this.memory.grow(pages);
      } catch {
        throw new Error(`wasm kernels: a call needs ${(this.top / 2 ** 20).toFixed(0)} MiB, more than the module's 2 GiB memory`);
      }
    }
    return ptr;
  }

  /** Allocates room for `data` and copies it in. */
  put(data: Float32Array): number {
    const ptr = this.alloc(data.length);
    this.view(ptr, data.length).set(data);
    return ptr;
  }

  /** A fresh copy (in the JS heap) of `floats` floats at byte address `ptr`. */
  read(ptr: number, floats: number): Float32Array {
    return new Float32Array(this.view(ptr, floats));
  }

  /** A Float32Array over `floats` floats at byte address `ptr` (valid until the memory grows). */
  view(ptr: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, floats);
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
