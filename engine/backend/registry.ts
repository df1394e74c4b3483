// Which backend new tensors live on. Backends register a factory; ops never name one.

import type { Backend } from './backend.js';

export type BackendName = 'cpu' | 'webgpu';

const factories = new Map<BackendName, () => Promise<Backend>>();
const ready = new Map<BackendName, Backend>();
let current: Backend | null = null;

export function registerBackend(name: BackendName, factory: () => Promise<Backend>): void {
  factories.set(name, factory);
}

/** Create (once) and switch to a backend. */
export async function setBackend(name: BackendName): Promise<Backend> {
  let b = ready.get(name);
  if (!b) {
    const f = factories.get(name);
    if (!f) throw new Error(`setBackend: unknown backend '${name}' (known: ${[...factories.keys()].join(', ')})`);
    b = await f();
    ready.set(name, b);
  }
  current = b;
  return b;
}

/** Install an already-created backend instance (tests, or a backend made elsewhere). */
export function useBackend(b: Backend): void {
  ready.set(b.name, b);
  current = b;
}

export function getBackend(): Backend {
  if (!current) throw new Error('no backend selected: call setBackend("cpu") or initBackend() first');
  return current;
}

export function hasBackend(): boolean { return current !== null; }
