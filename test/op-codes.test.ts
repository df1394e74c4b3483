// Op codes are shared between TypeScript and kernel code by number: the WebGPU tables in
// engine/backend/webgpu/codes.ts against the `switch OP` / `switch MODE` case lines of the WGSL
// shaders, and the CPU's wasm opcodes and kinds (threads.ts, simd.ts) against kernels.wat. Each
// case line names its op in a comment; these tests hold the numbers and the names together.
// The type tests at the end are checked by `tsc --noEmit` (test/ is in tsconfig.json): if an
// incomplete table stopped being a type error, the unused @ts-expect-error would fail it.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArgReduceOp, BinaryOp, ReduceOp, UnaryOp } from '../engine/backend/backend.js';
import {
  ARG_REDUCE_CODES, BINARY_CODES, CONV_MODES, IDENTITY_CODE, REDUCE_CODES, UNARY_CODES, type CodeTable,
} from '../engine/backend/webgpu/codes.js';
import { OPCODES, wasmKernels } from '../engine/backend/cpu/threads.js';
import { MAP_KINDS, ZIP_KINDS } from '../engine/backend/cpu/simd.js';
import { ACT_KINDS } from '../engine/backend/cpu/batchnorm.js';

const shaderDir = new URL('../shaders/', import.meta.url);
const shader = (name: string) => readFileSync(new URL(`${name}.wgsl`, shaderDir), 'utf8');

interface Case { code: number; name: string | null; line: string }
interface Switch { shader: string; fn: string; selector: string; cases: Case[]; defaults: string[] }

/** Every `switch X {` on an override constant X, with the function it is in and its case lines. */
function switches(name: string): Switch[] {
  const text = shader(name);
  const overrides = new Set([...text.matchAll(/^override\s+(\w+)/gm)].map((m) => m[1]));
  const out: Switch[] = [];
  for (const m of text.matchAll(/switch\s+(\w+)\s*\{/g)) {
    if (!overrides.has(m[1])) continue;
    const fn = [...text.slice(0, m.index).matchAll(/\bfn\s+(\w+)/g)].pop()?.[1] ?? '?';
    // The body: up to the brace that closes the switch's own.
    let depth = 0, end = m.index + m[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    const lines = text.slice(m.index + m[0].length, end).split('\n');
    const cases = lines.flatMap((line) => {
      const c = line.match(/^\s*case\s+(\d+)u\s*:/);
      return c ? [{ code: Number(c[1]), name: line.match(/\/\/\s*([A-Za-z]\w*)/)?.[1] ?? null, line: line.trim() }] : [];
    });
    out.push({ shader: name, fn, selector: m[1], cases, defaults: lines.filter((l) => /^\s*default\s*:/.test(l)).map((l) => l.trim()) });
  }
  return out;
}

// Which table each op switch follows. A new op switch must be added here (the first test says so).
const TABLES: Record<string, Readonly<Record<string, number>>> = {
  'elementwise/apply': { identity: IDENTITY_CODE, ...UNARY_CODES },
  'binary/apply': BINARY_CODES,
  'reduce/combine': REDUCE_CODES,
  'reduce/better': ARG_REDUCE_CODES,
  'conv/loadA': CONV_MODES,
  'conv/loadB': CONV_MODES,
  'conv/storeC': CONV_MODES,
};

const all = readdirSync(shaderDir).filter((f) => f.endsWith('.wgsl')).map((f) => f.replace(/\.wgsl$/, '')).flatMap(switches);

describe('WGSL op switches agree with codes.ts', () => {
  it('every switch on an override constant is one the tables cover', () => {
    expect(all.map((s) => `${s.shader}/${s.fn}`).sort()).toEqual(Object.keys(TABLES).sort());
  });

  for (const [where, table] of Object.entries(TABLES)) {
    it(`${where}: one case per op, with its code and its name, and a default that is no op`, () => {
      const sw = all.find((s) => `${s.shader}/${s.fn}` === where);
      expect(sw, `no switch in ${where}`).toBeDefined();
      for (const [op, code] of Object.entries(table)) {
        const hits = sw!.cases.filter((c) => c.code === code);
        expect(hits.length, `${where}: cases with code ${code}u (${op})`).toBe(1);
        expect(hits[0].name, `${where}: case ${code}u should name '${op}': ${hits[0].line}`).toBe(op);
      }
      // No case the table does not have (a stale or unnamed one).
      for (const c of sw!.cases) expect(table[c.name ?? ''], `${where}: ${c.line}`).toBe(c.code);
      expect(sw!.defaults.length, `${where}: default cases`).toBe(1);
      expect(sw!.defaults[0], `${where}: the default must say it is no op`).toMatch(/\/\/ no (op|mode)\b/);
    });
  }

  it('codes are unique within each table', () => {
    for (const [where, table] of Object.entries(TABLES)) {
      const codes = Object.values(table);
      expect(new Set(codes).size, where).toBe(codes.length);
    }
  });

  it('the parser reads case lines as written (a self-check on a known line)', () => {
    const un = all.find((s) => s.shader === 'elementwise')!;
    expect(un.cases.find((c) => c.code === 1)).toEqual({ code: 1, name: 'neg', line: 'case 1u: { return -v; } // neg' });
  });
});

// ---- the CPU backend's wasm codes ------------------------------------------------------------------

const wat = readFileSync(new URL('../engine/backend/cpu/wasm/kernels.wat', import.meta.url), 'utf8');

/** The `;;   kinds: 0 relu, 1 step, ...` line in the header comment of `(func $name`. */
function watKinds(func: string): Record<string, number> {
  const at = wat.indexOf(`(func $${func} `);
  const header = wat.slice(wat.lastIndexOf('\n\n', at), at);
  const line = header.match(/;;\s+kinds:\s*(.*)/);
  if (!line) throw new Error(`no 'kinds:' line above $${func}`);
  return Object.fromEntries(line[1].split(',').map((p) => p.trim().split(/\s+/)).map(([code, name]) => [name, Number(code)]));
}

describe('wasm opcodes and kinds agree with kernels.wat', () => {
  it("OPCODES match the `run` header, and each opcode's branch calls that function", () => {
    const at = wat.indexOf('(func (export "run")');
    const header = wat.slice(wat.lastIndexOf('\n\n', at), at);
    const listed = Object.fromEntries([...header.matchAll(/^\s*;;\s+(\d+)\s+(\w+)/gm)].map((m) => [m[2], Number(m[1])]));
    expect(listed).toEqual(OPCODES);
    const body = wat.slice(at);
    for (const [name, code] of Object.entries(OPCODES)) {
      // The first call after the opcode's test; col2im shares $im2col, with its last argument (op == 3) set.
      const branch = body.match(new RegExp(`\\(i32\\.eq \\(local\\.get \\$op\\) \\(i32\\.const ${code}\\)\\)[\\s\\S]*?\\(call \\$(\\w+)`));
      expect(branch?.[1], `opcode ${code}`).toBe(name === 'col2im' ? 'im2col' : name);
    }
    // The trap guard sits at the largest opcode.
    expect(body).toContain(`(if (i32.gt_u (local.get $op) (i32.const ${Math.max(...Object.values(OPCODES))})) (then unreachable))`);
  });
  it('MAP_KINDS and ZIP_KINDS match the kinds $map and $zip list, and larger kinds trap', () => {
    expect(watKinds('map')).toEqual(MAP_KINDS);
    expect(watKinds('zip')).toEqual(ZIP_KINDS);
    expect(wat).toMatch(/\(func \$map [^\n]*\n[^\n]*\n\s*\(if \(i32\.gt_u \(local\.get \$kind\) \(i32\.const 2\)\) \(then unreachable\)\)/);
    expect(wat).toMatch(/\(if \(i32\.gt_u \(local\.get \$kind\) \(i32\.const 3\)\) \(then unreachable\)\)/);
  });
  it('ACT_KINDS match the kinds $act lists, and larger kinds trap', () => {
    expect(watKinds('act')).toEqual(ACT_KINDS);
    expect(wat).toMatch(/\(func \$act [^\n]*\n[^\n]*\n\s*\(if \(i32\.gt_u \(local\.get \$kind\) \(i32\.const 2\)\) \(then unreachable\)\)/);
    const wk = wasmKernels();
    try {
      expect(() => wk.execute([[[OPCODES.act, 3, ...new Array<number>(14).fill(0)]]])).toThrow(/unreachable/);
    } finally { wk.reset(); }
  });
  it('the wasm traps on an opcode or kind it does not know (it never does nothing, or another op)', () => {
    const wk = wasmKernels();
    const command = (...head: number[]) => [...head, ...new Array<number>(16 - head.length).fill(0)];
    try {
      expect(() => wk.execute([[command(99)]])).toThrow(/unreachable/);
      expect(() => wk.execute([[command(OPCODES.map, 7)]])).toThrow(/unreachable/);
      expect(() => wk.execute([[command(OPCODES.zip, 4)]])).toThrow(/unreachable/);
    } finally { wk.reset(); }
  });
});

// ---- type tests (checked by tsc --noEmit) ------------------------------------------------------------

describe('a code table missing an op does not type-check', () => {
  it('the tables are typed by their op unions', () => {
    // @ts-expect-error: 'ge' is missing
    const binary: CodeTable<BinaryOp> = { add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11 };
    // @ts-expect-error: 'min' is missing (the form codes.ts uses: as const satisfies)
    const reduce = { sum: 0, max: 1 } as const satisfies CodeTable<ReduceOp>;
    // @ts-expect-error: 'mean' is not a ReduceOp
    const extra: CodeTable<ReduceOp> = { sum: 0, max: 1, min: 2, mean: 3 };
    // @ts-expect-error: an op added to the union without a code ('swish' here) is an error at the table
    const grown: CodeTable<UnaryOp | 'swish'> = UNARY_CODES;
    // And the complete tables are accepted as they are.
    const ok: [CodeTable<UnaryOp>, CodeTable<BinaryOp>, CodeTable<ReduceOp>, CodeTable<ArgReduceOp>] = [UNARY_CODES, BINARY_CODES, REDUCE_CODES, ARG_REDUCE_CODES];
    expect(Object.keys(binary)).not.toContain('ge');
    expect(Object.keys(reduce)).not.toContain('min');
    expect(Object.keys(extra)).toContain('mean');
    expect(Object.keys(grown)).not.toContain('swish');
    expect(ok.length).toBe(4);
  });
});
