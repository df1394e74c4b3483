// The layering of ARCHITECTURE.md, checked on every import in the tree: who may import whom, and
// which folders stay free of Node built-ins so the browser page can load them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every static import or export-from of a file (type-only ones too: they tie the layers as much). */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
}

/** The imports that stay in a bundle: type-only ones (`import type`, `export type`) are erased. */
function valueImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gms)].map((m) => m[2] ?? m[3]);
}

/** Every file a browser bundle of these entries holds (relative imports followed, .js to .ts). */
function reachable(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    const specs = valueImports(f);
    seen.set(f, specs);
    for (const s of specs) if (s.startsWith('.')) visit(target(f, s).replace(/\.js$/, existsSync(join(root, target(f, s))) ? '.js' : '.ts'));
  };
  for (const e of entries) visit(e);
  return seen;
}

const NODE_BUILTINS = ['fs', 'path', 'os', 'worker_threads', 'crypto', 'zlib', 'module', 'child_process', 'url'];
const isBuiltin = (s: string) => s.startsWith('node:') || NODE_BUILTINS.includes(s);

const top = (file: string) => file.split('/')[0];
const target = (file: string, spec: string) => relative(root, resolve(root, dirname(file), spec));

/** For each folder, the top-level folders its files may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  nn: ['engine'],
  models: ['nn', 'engine'],
  viz: [],
  io: [],
  train: ['nn', 'engine', 'viz', 'io'],
  mnist: ['train', 'models', 'viz', 'nn', 'engine', 'io'],
  text: ['train', 'models', 'viz', 'nn', 'engine', 'io'],
  // The page: the browser-safe parts of the tasks and the loop (the next test follows every import), and
  // the shared kernel parity cases its test page runs.
  web: ['mnist', 'train', 'models', 'viz', 'nn', 'engine', 'io', 'test'],
};
const BROWSER_SAFE = ['engine', 'nn', 'models', 'viz'];

describe('layering', () => {
  const files = Object.keys(ALLOWED).filter((d) => { try { readdirSync(join(root, d)); return true; } catch { return false; } }).flatMap(tsFiles);

  it('each folder imports only the layers below it', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const to = top(target(f, spec));
        if (to !== top(f) && !ALLOWED[top(f)].includes(to)) bad.push(`${f} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('nn uses the engine through its public API only', () => {
    const bad = files.filter((f) => top(f) === 'nn').flatMap((f) => imports(f)
      .filter((s) => s.startsWith('.') && top(target(f, s)) === 'engine' && target(f, s) !== 'engine/index.js')
      .map((s) => `${f} imports ${s}`));
    expect(bad).toEqual([]);
  });

  it('engine, nn, models and viz import no Node built-in (but the one platform module)', () => {
    const bad = files.filter((f) => BROWSER_SAFE.includes(top(f)) && f !== 'engine/platform.ts')
      .flatMap((f) => imports(f).filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'crypto'].includes(s)).map((s) => `${f} imports ${s}`));
    expect(bad).toEqual([]);
  });

  it('the browser page reaches no Node built-in, through any import', () => {
    const files = reachable(['web/main.ts', 'web/engine-worker.ts', 'web/kernels.ts', 'web/kernels-worker.ts']);
    const bad = [...files].flatMap(([f, specs]) => specs.filter(isBuiltin).map((s) => `${f} imports ${s}`));
    expect(bad).toEqual([]);
    // It does hold the shared task, loop and preprocessing (so this checks what matters).
    for (const f of ['mnist/classify.ts', 'train/core.ts', 'mnist/digit-image.ts', 'mnist/analyze/saliency.ts', 'engine/backend/cpu/threads.ts']) expect(files.has(f), f).toBe(true);
    expect(files.has('train/checkpoint.ts')).toBe(false);
  });

  it('sees the tree', () => {
    expect(files.length).toBeGreaterThan(60);
    expect(imports('train/loop.ts')).toContain('./checkpoint.js');
  });
});
