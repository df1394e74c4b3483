// Explicit memory: every tensor is tracked by the innermost tidy() scope that saw it created, and
// freed when that scope ends unless it is returned or kept. This is what keeps a 1,000-step loop
// at a flat tensor count on a GPU, where garbage collection never sees the buffer pressure.

export interface Disposable { dispose(): void; readonly isDisposed: boolean }

const scopes: Set<Disposable>[] = [];

export function track<T extends Disposable>(t: T): T {
  if (scopes.length) scopes[scopes.length - 1].add(t);
  return t;
}

/** Take a tensor out of every scope: it lives until disposed by hand. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

type Result = void | Disposable | Result[] | { [k: string]: unknown } | number | string | boolean | null | undefined;

function collect(r: unknown, out: Set<Disposable>): void {
  if (r === null || r === undefined || typeof r !== 'object') return;
  if ('dispose' in r && 'isDisposed' in r) { out.add(r as Disposable); return; }
  if (Array.isArray(r)) { for (const x of r) collect(x, out); return; }
  if (Object.getPrototypeOf(r) === Object.prototype) for (const x of Object.values(r)) collect(x, out);
}

/** Run fn; dispose every tensor it created except those it returns (which move to the outer scope).
 *  fn must be synchronous: an await inside would let other work's tensors into this scope. */
export function tidy<T extends Result>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error('tidy: the function returned a Promise; tidy only tracks synchronous work');
  const kept = new Set<Disposable>();
  collect(result, kept);
  for (const t of scope) {
    if (kept.has(t)) { if (scopes.length) scopes[scopes.length - 1].add(t); }
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}
