// The one module of engine/ that may touch Node built-ins. Everything else in engine/ asks this
// module for threads, so the engine loads the same in Node and in a browser page:
// - Node: worker_threads; a new worker boots even while its creator blocks on Atomics.wait.
// - A browser's dedicated Web Worker on a cross-origin-isolated page (COOP/COEP headers, so
//   SharedArrayBuffer exists): nested module workers; Atomics.wait is allowed there, but a new
//   worker only boots once its creator's event loop runs, so it must be started asynchronously.
// - A page's main thread (which may not Atomics.wait), or a page that is not cross-origin
//   isolated: no workers; the engine runs on one thread.

/** The slice of a worker the engine uses. */
export interface PlatformWorker {
  /** Stop the worker from keeping the process alive. */
  unref(): void;
  terminate(): void;
}

interface NodeThreads {
  Worker: new (url: URL, options: { workerData: unknown }) => PlatformWorker;
}
interface NodeOs {
  availableParallelism(): number;
}
interface WebScope {
  WorkerGlobalScope?: new () => unknown;
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: URL, options: { type: 'module' }) => { postMessage(data: unknown): void; terminate(): void };
}

// process.getBuiltinModule (Node >= 20.16) loads built-ins synchronously, with no import
// statement for a browser bundler to trip on and no top-level await. Elsewhere: null.
const builtin = (name: string): unknown => globalThis.process?.getBuiltinModule?.(name) ?? null;
const nodeThreads = builtin('node:worker_threads') as NodeThreads | null;
const nodeOs = builtin('node:os') as NodeOs | null;

const web = globalThis as unknown as WebScope;
const inWebWorker = !nodeThreads && typeof web.WorkerGlobalScope === 'function' && globalThis instanceof web.WorkerGlobalScope;
const webThreads = inWebWorker && web.crossOriginIsolated === true && typeof web.Worker === 'function';

/** Cores this process may use (1 where we cannot tell). */
export const cpuCount: number = nodeOs?.availableParallelism() ?? web.navigator?.hardwareConcurrency ?? 1;

/**
 * How many threads the CPU kernels should use: $ZEROGRAD_THREADS where it is set (in Node), else
 * one a core. Throws, naming the variable, on a value that is not a whole number from 1 to 256.
 */
export function threadsWanted(): number {
  const env = (globalThis.process as { env?: Record<string, string | undefined> } | undefined)?.env?.ZEROGRAD_THREADS;
  if (env === undefined || env === '') return cpuCount;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`ZEROGRAD_THREADS must be a whole number from 1 to 256, got '${env}'`);
  return n;
}

/**
 * Whether this thread may block on Atomics.wait and start workers that share its memory. True in
 * Node (main thread and workers) and in a cross-origin-isolated page's Web Worker; false on a
 * page's main thread, and there we also spawn no workers.
 */
export const canBlock: boolean = nodeThreads !== null || webThreads;

/** Whether a worker spawned here boots while this thread blocks (Node); in a browser it needs this thread's event loop. */
export const workerBootsWhileBlocked: boolean = nodeThreads !== null;

/** Which environment the threads come from, for the one line that says where we compute. */
export const platformName: string = nodeThreads ? 'node' : inWebWorker ? 'web worker' : 'browser';

/**
 * Starts a worker running the plain-JS module at `url`, handing it `data` (structured-cloned;
 * SharedArrayBuffer, shared WebAssembly.Memory and WebAssembly.Module are shared, not copied):
 * as workerData in Node, as its first message in a browser. Returns null where this platform
 * has no workers we can block on.
 */
export function spawnWorker(url: URL, data: unknown): PlatformWorker | null {
  if (nodeThreads) return new nodeThreads.Worker(url, { workerData: data });
  if (!webThreads) return null;
  const w = new web.Worker!(url, { type: 'module' });
  w.postMessage(data);
  return { unref() {}, terminate: () => w.terminate() };
}
