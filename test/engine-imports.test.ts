// The engine's modules form a DAG: no import cycle between any two files under engine/.
// A cycle among ES modules means one of them runs its top level before the other has finished
// (a `const` read too early is a TDZ error, a class extended too early is undefined), and it is
// the sign of a layering that has stopped being one (the ops once went autograd → elementwise →
// reduce → shape → indexing → elementwise).
//
// Edges counted: static `import ... from './x.js'`, `import './x.js'` and `export ... from './x.js'`
// whose target is a file under engine/. Ignored: type-only imports (`import type`, or braces
// holding only `type` specifiers), which TypeScript erases, and dynamic `import()`, which runs
// after every module has loaded (index.ts loads the WebGPU backend that way).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = join(root, 'engine');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

// import|export, then a default name, `* as x`, `{ ... }` (possibly over several lines), or `*`.
const STATIC = /^[ \t]*(import|export)\s+(type\s+)?((?:\w+\s*,\s*)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})|\w+)\s+from\s+['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s+['"]([^'"]+)['"]/gm;

function typeOnly(typeKeyword: string | undefined, clause: string): boolean {
  if (typeKeyword) return true;
  const braces = clause.match(/^\{([^}]*)\}$/);
  if (!braces) return false;
  const specs = braces[1].split(',').map((x) => x.trim()).filter(Boolean);
  return specs.length > 0 && specs.every((x) => x.startsWith('type '));
}

/** file -> the engine files it imports at run time. */
function importGraph(): Map<string, string[]> {
  const files = tsFiles(engine);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(STATIC)) if (!typeOnly(m[2], m[3].trim())) targets.push(m[4]);
    for (const m of text.matchAll(SIDE_EFFECT)) targets.push(m[1]);
    const edges = new Set<string>();
    for (const spec of targets) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      if (known.has(target)) edges.add(target);
    }
    graph.set(f, [...edges]);
  }
  return graph;
}

/** Every cycle a depth-first search closes (each as a path that starts and ends on one file). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    path.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push([...path.slice(path.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

const show = (cycle: string[]) => cycle.map((f) => relative(engine, f)).join(' -> ');

describe('engine import graph', () => {
  const graph = importGraph();

  it('sees the engine files and their imports', () => {
    const rel = (f: string) => relative(engine, f);
    const edges = new Map([...graph].map(([f, ts]) => [rel(f), ts.map(rel)]));
    expect(edges.size).toBeGreaterThan(30);
    // A multi-line import and an export-from are both edges; an `import type` is not.
    expect(edges.get('backend/webgpu/index.ts')).toContain('backend/webgpu/runtime.ts');
    expect(edges.get('index.ts')).toContain('ops/linalg.ts');
    expect(edges.get('backend/webgpu/index.ts')).not.toContain('backend/backend.ts');
    expect(edges.get('ops/conv.ts')).toContain('ops/indexing.ts');
  });

  it('has no cycle', () => {
    const cycles = findCycles(graph);
    expect(cycles.map(show), `import cycles:\n${cycles.map(show).join('\n')}`).toEqual([]);
  });

  it('finds a cycle when there is one (the check bites)', () => {
    const g = new Map(graph);
    const a = join(engine, 'ops/elementwise.ts'), b = join(engine, 'ops/reduce.ts');
    g.set(a, [...(g.get(a) ?? []), b]);
    expect(findCycles(g).map(show)).toContainEqual('ops/elementwise.ts -> ops/reduce.ts -> ops/elementwise.ts');
  });

  it('keeps autograd free of op modules, and the ops layered creation → elementwise → shape → reduce → indexing', () => {
    const rel = (f: string) => relative(engine, f);
    const deps = (f: string) => (graph.get(join(engine, f)) ?? []).map(rel);
    expect(deps('autograd.ts').filter((d) => d.startsWith('ops/'))).toEqual([]);
    const order = ['ops/kernel.ts', 'ops/creation.ts', 'ops/elementwise.ts', 'ops/shape.ts', 'ops/reduce.ts', 'ops/indexing.ts', 'ops/linalg.ts'];
    order.forEach((f, i) => {
      const above = deps(f).filter((d) => order.indexOf(d) > i);
      expect(above, `${f} imports a module above it`).toEqual([]);
    });
  });
});
