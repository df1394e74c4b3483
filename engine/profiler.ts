// The profiler: where a run's time goes, per op and per direction (forward, backward), with the
// calls, total and median time, bytes allocated and FLOPs (matmul, conv) of each.
//
// How: for the duration of profile(fn), every kernel method of the backend is wrapped on the
// instance (own properties shadowing the class's methods, removed afterwards), so each kernel
// call is timed wherever it comes from — an op, autograd, an optimiser. Attribution needs three
// hooks, each a null check when no profile is running: backendOf() (engine/ops/kernel.ts) says an
// op has started, record() (autograd.ts) says which op it was, and backward() says whose backward
// closure is running. Kernels between an op's start and its record() belong to that op's forward;
// kernels inside a backward closure (including the sum-down of broadcast gradients and the
// accumulation into another) belong to that op's backward; a kernel outside any op (uploading a
// batch, an optimiser's fused update) is a row of its own, direction 'other'.
//
// Times are kernel times: on the CPU the kernels run to completion before they return, so the host
// clock times them. A backend whose kernels run asynchronously (WebGPU) provides KernelTiming:
// GPU timestamps where the adapter has them, else it submits each kernel on its own and the host
// clock times the submission (see the WebGPU backend for what that does and does not include).

import type { Backend, KernelTiming } from './backend/backend.js';
import { getBackend } from './backend/registry.js';
import { kernelFlops } from './flops.js';

export type Direction = 'forward' | 'backward' | 'other';

/** The Backend methods that run a kernel: all but reads, frees, memory() and sync(). */
const KERNELS = [
  'upload', 'fill', 'copy', 'unary', 'binary', 'where', 'cast', 'reduce', 'argReduce', 'softmax', 'strided', 'pad',
  'maskedSoftmax', 'softmaxBackward', 'layerNorm', 'layerNormBackward', 'gather', 'scatterAdd', 'matmul', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardFilter',
  'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward', 'adamStep', 'sgdStep',
  'batchNormStats', 'batchNormApply', 'batchNormBackward', 'clampBackward',
] as const satisfies readonly (keyof Backend)[];

interface KernelCall { name: string; hostMs: number; bytes: number; flops: number | null; tag: number }
interface Row { op: string; direction: Direction; calls: KernelCall[][] }

/** Collects kernel calls and attributes them to ops; driven by the hooks while profile() runs. */
export class ProfileRecorder {
  private rows = new Map<string, Row>();
  /** Kernels of the op that has started (backendOf) and not yet recorded. */
  private pending: KernelCall[] = [];
  private opOpen = false;
  /** Backward closures running, innermost last: their kernels go to the innermost. */
  private backwardStack: KernelCall[][] = [];
  private depth = 0;
  private nextTag = 0;
  kernelCount = 0;

  constructor(private readonly backend: Backend, private readonly timing: KernelTiming | null) {}

  private call(op: string, direction: Direction, kernels: KernelCall[]): KernelCall[] {
    const key = `${direction}\u0000${op}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { op, direction, calls: [] }));
    row.calls.push(kernels);
    return kernels;
  }

  /** Hook: an op is about to call its kernels (backendOf). */
  opStart(): void {
    if (!this.backwardStack.length) this.opOpen = true;
  }

  /** Hook: an op ran and was recorded under this name (record / recordNonDifferentiable). */
  op(name: string): void {
    if (this.backwardStack.length) return;   // an op inside a backward closure: part of that backward
    this.call(name, 'forward', this.pending);
    this.pending = [];
    this.opOpen = false;
  }

  /** Hook: a backward closure (or autograd's own work under `name`) starts; pair with exit(). */
  enter(name: string): void {
    this.backwardStack.push(this.call(name, 'backward', []));
  }

  exit(): void { this.backwardStack.pop(); }

  /** Run one kernel, timed and attributed. Kernels a kernel calls internally are part of it. */
  kernel<R>(name: string, args: unknown[], run: () => R): R {
    if (this.depth > 0) return run();
    const tag = this.nextTag++;
    this.timing?.tag(tag);
    this.depth++;
    const bytes0 = this.backend.memory().bytes;
    const t0 = performance.now();
    let out: R;
    try {
      out = run();
    } finally {
      this.depth--;
    }
    const hostMs = performance.now() - t0;
    const k: KernelCall = { name, hostMs, bytes: Math.max(0, this.backend.memory().bytes - bytes0), flops: kernelFlops(name, args), tag };
    this.kernelCount++;
    const inBackward = this.backwardStack[this.backwardStack.length - 1];
    if (inBackward) inBackward.push(k);
    else if (this.opOpen) this.pending.push(k);
    else this.call(typeof args[0] === 'string' ? `${name}(${args[0]})` : name, 'other', [k]);
    return out;
  }

  /** The rows, with device times where the backend measured them. */
  finish(device: Map<number, number> | null): ProfileRow[] {
    // An op that started but never recorded (it threw, or is not an op): its kernels stand alone.
    for (const k of this.pending) this.call(k.name, 'other', [k]);
    this.pending = [];
    const ms = (k: KernelCall) => (device ? device.get(k.tag) ?? 0 : k.hostMs);
    return [...this.rows.values()].map((r) => {
      const times = r.calls.map((ks) => ks.reduce((a, k) => a + ms(k), 0)).sort((a, b) => a - b);
      const all = r.calls.flat();
      const flops = all.some((k) => k.flops !== null) ? all.reduce((a, k) => a + (k.flops ?? 0), 0) : null;
      const mid = times.length >> 1;
      return {
        op: r.op, direction: r.direction, calls: r.calls.length, kernels: all.length,
        totalMs: times.reduce((a, b) => a + b, 0),
        medianMs: times.length === 0 ? 0 : times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2,
        bytes: all.reduce((a, k) => a + k.bytes, 0), flops,
      };
    }).sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || a.op.localeCompare(b.op));
  }
}

/** The running profile's recorder, or null (the hooks' null check). */
export let profiling: ProfileRecorder | null = null;

export interface ProfileRow {
  op: string;
  direction: Direction;
  /** Op calls (forward), backward closures run (backward), or kernel calls (other). */
  calls: number;
  /** Backend kernels those calls ran. */
  kernels: number;
  /** Kernel time over all calls, and the median of one call's, in milliseconds. */
  totalMs: number;
  medianMs: number;
  /** Bytes of the buffers the kernels allocated (from the backend's memory()). */
  bytes: number;
  /** Floating-point operations where defined (matmul, convolutions), else null. */
  flops: number | null;
}

export interface Profile<T = unknown> {
  result: T;
  backend: string;
  /** 'host clock', 'timestamp-query' or 'per-submit', and a line on what the times include. */
  timing: { method: string; note: string };
  /** fn's wall time, to the end of the device work it queued. */
  wallMs: number;
  /** The rows' total: time inside kernels (the rest of wallMs is the engine's JavaScript). */
  kernelMs: number;
  kernels: number;
  /** Sorted by total time, longest first. */
  rows: ProfileRow[];
}

/** Wrap the backend's kernel methods on the instance; returns the undo. */
function instrument(be: Backend, rec: ProfileRecorder): () => void {
  const target = be as unknown as Record<string, unknown>;
  const saved = KERNELS.map((name) => [name, Object.getOwnPropertyDescriptor(be, name)] as const);
  for (const name of KERNELS) {
    const original = target[name] as (...a: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) { return rec.kernel(name, args, () => original.apply(be, args)); };
  }
  return () => {
    for (const [name, d] of saved) {
      if (d) Object.defineProperty(be, name, d); else delete target[name];
    }
  };
}

const HOST = { method: 'host clock', note: 'kernels run to completion before they return, so the host clock times each one' };

/**
 * Run fn (sync or async) and record every kernel it makes the backend run: per op and direction,
 * the calls, total and median kernel time, bytes allocated and FLOPs. Profiles do not nest.
 */
export async function profile<T>(fn: () => T | Promise<T>, o: { backend?: Backend } = {}): Promise<Profile<Awaited<T>>> {
  if (profiling) throw new Error('profile: a profile is already running (profile() calls do not nest)');
  const be = o.backend ?? getBackend();
  const timing = be.kernelTiming?.() ?? null;
  const rec = new ProfileRecorder(be, timing);
  const undo = instrument(be, rec);
  profiling = rec;
  timing?.start();
  let result: Awaited<T>, wallMs: number, device: Map<number, number> | null = null;
  const t0 = performance.now();
  try {
    result = await fn();
    await be.sync();
    wallMs = performance.now() - t0;
  } finally {
    profiling = null;
    undo();
    if (timing) device = await timing.stop();
  }
  const rows = rec.finish(device);
  return {
    result, backend: be.name, timing: timing ? { method: timing.method, note: timing.note } : HOST,
    wallMs, kernelMs: rows.reduce((a, r) => a + r.totalMs, 0), kernels: rec.kernelCount, rows,
  };
}

const mb = (b: number) => (b / 2 ** 20).toFixed(1);

/** The profile as a text table; `steps` adds a per-step time column (a profile of several training steps). */
export function profileTable(p: Profile, o: { steps?: number; top?: number } = {}): string {
  const steps = o.steps ?? 0;
  const head = ['op', 'direction', 'calls', 'total ms', ...(steps ? ['ms/step'] : []), 'median ms', 'share', 'MB alloc', 'GFLOP', 'GFLOP/s'];
  const rows = (o.top ? p.rows.slice(0, o.top) : p.rows).map((r) => [
    r.op, r.direction, String(r.calls), r.totalMs.toFixed(2), ...(steps ? [(r.totalMs / steps).toFixed(2)] : []),
    r.medianMs.toFixed(3), `${((100 * r.totalMs) / (p.kernelMs || 1)).toFixed(1)} %`, mb(r.bytes),
    r.flops === null ? '' : (r.flops / 1e9).toFixed(3), r.flops === null || r.totalMs === 0 ? '' : (r.flops / 1e6 / r.totalMs).toFixed(1),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const shown = o.top && p.rows.length > o.top ? [`(${p.rows.length - o.top} more rows)`] : [];
  return [
    `backend ${p.backend}, timed by ${p.timing.method}: ${p.timing.note}`,
    `wall ${p.wallMs.toFixed(1)} ms, inside kernels ${p.kernelMs.toFixed(1)} ms (${((100 * p.kernelMs) / (p.wallMs || 1)).toFixed(0)} %), ${p.kernels} kernel calls`,
    line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line), ...shown,
  ].join('\n');
}
