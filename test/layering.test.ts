// The layering of ARCHITECTURE.md, checked on every import in the tree: who may import whom, and
// which folders stay free of Node built-ins so the browser page can load them.
import { readdirSync, readFileSync } from 'node:fs';
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

  it('sees the tree', () => {
    expect(files.length).toBeGreaterThan(60);
    expect(imports('train/loop.ts')).toContain('./checkpoint.js');
  });
});
