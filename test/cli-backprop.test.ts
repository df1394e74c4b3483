// `zerograd graph` and `zerograd profile` through a real child process: the files they write, the
// figures in their JSON, Graphviz's absence handled with a hint, bad flags as usage errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convFlops, matmulFlops } from '../engine/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-backprop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['cli/zerograd.js', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('zerograd graph', () => {
  it('without Graphviz writes the .dot file and says how to draw it', () => {
    // An empty PATH: no dot on it (node is started by its full path).
    mkdirSync(join(tmp, 'no-bin'));
    const r = cli(['graph', '--model', 'cnn', '--out', join(tmp, 'g.svg'), '--json'], { PATH: join(tmp, 'no-bin') });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Graphviz's dot is not installed .*apt-get install graphviz.* dot -Tsvg .*g\.dot -o .*g\.svg/);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ model: 'cnn', rendered: false, out: join(tmp, 'g.dot'), parameters: 8 });
    expect(j.ops).toMatchObject({ conv2d: 2, maxPool2d: 2, matmul: 2, relu: 3, logSoftmax: 1 });
    const dot = readFileSync(join(tmp, 'g.dot'), 'utf8');
    expect(dot).toContain('[label="conv1.weight\\n[32,1,3,3]", fillcolor="#b7e1a1"]');
    expect(dot).toContain('[label="loss = affine\\n[]", fillcolor="#cfe2f3", penwidth=2]');
    expect(dot.match(/->/g)).toHaveLength(j.edges);
    expect(existsSync(join(tmp, 'g.svg'))).toBe(false);
  });

  it.skipIf(!hasDot)('with Graphviz draws the SVG (and keeps the .dot)', () => {
    const r = cli(['graph', '--model', 'cnn-small', '--out', join(tmp, 'small.svg'), '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ rendered: true, out: join(tmp, 'small.svg'), dot: join(tmp, 'small.dot'), parameters: 6 });
    expect(readFileSync(join(tmp, 'small.svg'), 'utf8')).toMatch(/<svg[\s\S]*fc1\.weight/);
  });

  it('--backward draws the gradients\' graph, Mermaid by the file name', () => {
    const r = cli(['graph', '--model', 'mlp', '--backward', '--out', join(tmp, 'b.mmd'), '--json']);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ backward: true, parameters: 6 });
    // The backward of each Linear is two matmuls; the forward's three run too, as the gradients read them.
    expect(j.ops.matmul).toBeGreaterThanOrEqual(3);
    const text = readFileSync(join(tmp, 'b.mmd'), 'utf8');
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).toMatch(/∂loss\/∂fc1\.weight = \w+/);
  });

  it('a file name it cannot write is a usage error', () => {
    const r = cli(['graph', '--out', join(tmp, 'g.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zerograd: error: graph: --out must end in .svg, .png, .pdf, .dot, .mmd or .md/);
  });
});

describe('zerograd profile', () => {
  it('profiles training steps: the table sorted by time, FLOPs by the formulas, a chart', () => {
    const svg = join(tmp, 'p.svg');
    const r = cli(['profile', '--model', 'cnn-small', '--steps', '2', '--warmup', '1', '--batch', '8', '--backend', 'cpu', '--out', svg, '--json']);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ model: 'cnn-small', steps: 2, batch: 8, backend: 'cpu', timing: 'host clock', svg });
    type Row = { op: string; direction: string; calls: number; total_ms: number; flops: number | null };
    const rows = j.rows as Row[];
    const find = (op: string, d: string) => rows.find((x) => x.op === op && x.direction === d)!;
    // cnn-small: one conv (1→32, 3×3 on 28×28) and two Linear layers, two steps.
    expect(find('conv2d', 'forward')).toMatchObject({ calls: 2, flops: 2 * convFlops([8, 32, 26, 26], [32, 1, 3, 3]) });
    expect(find('matmul', 'forward')).toMatchObject({ calls: 4, flops: 2 * (matmulFlops([1, 8, 5408], [1, 64, 5408], false, true) + matmulFlops([1, 8, 64], [1, 10, 64], false, true)) });
    expect(find('adamStep', 'other').calls).toBe(2 * 6);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].total_ms).toBeGreaterThanOrEqual(rows[i].total_ms);
    expect(r.stdout).toMatch(/\nconv2d\s+(forward|backward)\s+2\s/);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*conv2d[\s\S]*backward/);
  });
});
