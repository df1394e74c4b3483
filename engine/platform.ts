// The one module of engine/ that may touch Node built-ins. Everything else in engine/ asks this
// module for threads, so the engine still loads in a browser page, where it degrades to what the
// page allows: for now a single thread there (a Web Worker version of spawnWorker would need the
// page to be cross-origin isolated for SharedArrayBuffer, and the main thread of a page may not
// Atomics.wait, so it is left for later).

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

// process.getBuiltinModule (Node >= 20.16) loads built-ins synchronously, with no import
// statement for a browser bundler to trip on and no top-level await. Elsewhere: null.
const builtin = (name: string): unknown => globalThis.process?.getBuiltinModule?.(name) ?? null;
const nodeThreads = builtin('node:worker_threads') as NodeThreads | null;
const nodeOs = builtin('node:os') as NodeOs | null;

/** Cores this process may use (1 where we cannot tell). */
export const cpuCount: number = nodeOs?.availableParallelism() ?? 1;

/**
 * Whether a thread may block on Atomics.wait. True in Node (main thread and workers); false on a
 * page's main thread, and there we also spawn no workers.
 */
export const canBlock: boolean = nodeThreads !== null;

/**
 * Starts a worker running the plain-JS module at `url`, handing it `data` (structured-cloned;
 * SharedArrayBuffer, shared WebAssembly.Memory and WebAssembly.Module are shared, not copied).
 * Returns null where this platform has no workers we can block on.
 */
export function spawnWorker(url: URL, data: unknown): PlatformWorker | null {
  return nodeThreads ? new nodeThreads.Worker(url, { workerData: data }) : null;
}
