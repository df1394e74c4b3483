// The fine-tuning table of the README (issue 10): test accuracy with 10, 100, 1,000 labels per
// class and all labels, for (a) the backbone from scratch, (b) SimCLR-pretrained and frozen,
// (c) SimCLR-pretrained with the top blocks unfrozen, (d) Fashion-MNIST-supervised with the top
// blocks unfrozen; the same budget (steps, batch, augmentation, lr) in every cell of a row; each
// cell the median of the seeds. Every run is a real `zerograd finetune` process; its figures go to
// <out>/results.json as it finishes, so a stopped table resumes where it was (runs already done are
// skipped) and `--render` rebuilds table.md from whatever has been measured.
//   npx tsx bench/finetune-table.ts --ssl runs/pretrain/backbone.safetensors --fashion runs/fashion/model.safetensors --out runs/table
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    ssl: { type: 'string' }, fashion: { type: 'string' }, out: { type: 'string', default: 'runs/table' },
    seeds: { type: 'string', default: '0,1,2' }, rows: { type: 'string', default: '10,100,1000,0' },
    'test-limit': { type: 'string', default: '2000' }, render: { type: 'boolean', default: false },
    'first-seed-only': { type: 'string', default: '' }, columns: { type: 'string', default: 'scratch,ssl-frozen,ssl-top,fashion-top' },
    /** More results.json files (other runners' folders) to include in the table. */
    include: { type: 'string', multiple: true, default: [] },
  },
});

interface Row { lpc: number; batch: number; epochs: number }
/** The budget of a row: the same in all four columns. Frozen and unfrozen stages split it in halves. */
const ROWS: Record<number, Row> = {
  10: { lpc: 10, batch: 20, epochs: 20 },     // 100 images: 5 steps an epoch, 100 steps
  100: { lpc: 100, batch: 50, epochs: 10 },   // 1,000 images: 200 steps
  1000: { lpc: 1000, batch: 50, epochs: 2 },  // 10,000 images: 400 steps
  0: { lpc: 0, batch: 100, epochs: 1 },       // 60,000 images: 600 steps
};
interface Column { key: string; name: string; checkpoint: () => string; freeze: 'none' | 'all' | 'top' }
const COLUMNS: Column[] = [
  { key: 'scratch', name: '(a) scratch, same backbone', checkpoint: () => 'scratch', freeze: 'none' },
  { key: 'ssl-frozen', name: '(b) SimCLR + frozen backbone', checkpoint: () => need(o.ssl, '--ssl'), freeze: 'all' },
  { key: 'ssl-top', name: '(c) SimCLR + top 4 blocks unfrozen', checkpoint: () => need(o.ssl, '--ssl'), freeze: 'top' },
  { key: 'fashion-top', name: '(d) Fashion-MNIST-supervised + top 4 unfrozen', checkpoint: () => need(o.fashion, '--fashion'), freeze: 'top' },
];
function need(v: string | undefined, flag: string): string {
  if (!v) throw new Error(`${flag} is required`);
  if (!existsSync(v)) throw new Error(`${flag} ${v}: no such file`);
  return v;
}

interface Result { row: number; column: string; seed: number; accuracy: number; seconds: number; wall: number; user: number; sys: number; load: number[]; trainable: number; test: number }
const resultsFile = join(o.out!, 'results.json');
const results: Result[] = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : [];
const seeds = o.seeds!.split(',').map(Number), rows = o.rows!.split(',').map(Number);
const testLimit = Number(o['test-limit']);

function runOne(row: Row, col: Column, seed: number): void {
  if (results.some((r) => r.row === row.lpc && r.column === col.key && r.seed === seed)) return;
  const name = `${col.key}-${row.lpc || 'all'}-s${seed}`, dir = join(o.out!, name);
  const args = ['cli/zerograd.js', 'finetune', '--checkpoint', col.checkpoint(), '--freeze', col.freeze, '--labels-per-class', String(row.lpc),
    '--epochs', String(row.epochs), '--batch', String(row.batch), '--eval-every', String(row.epochs), '--test-limit', String(testLimit),
    '--augment', '--seed', String(seed), '--out', dir, '--overwrite', '--json', '--backend', 'cpu',
    ...(col.freeze === 'top' ? ['--frozen-epochs', String(Math.floor(row.epochs / 2)), '--unfreeze', '4'] : [])];
  const load0 = loadavg()[0], t0 = Date.now();
  console.log(`${name}: node ${args.join(' ')}`);
  const p = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S', 'node', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (Date.now() - t0) / 1000;
  if (p.status !== 0) { console.error(`${name}: failed (exit ${p.status})\n${p.stderr.slice(-2000)}`); process.exitCode = 1; return; }
  const figures = JSON.parse(p.stdout.trim().split('\n').at(-1)!);
  const [user, sys] = (p.stderr.match(/TIME ([\d.]+) ([\d.]+)/) ?? [, '0', '0']).slice(1).map(Number);
  results.push({ row: row.lpc, column: col.key, seed, accuracy: figures.test_accuracy, seconds: figures.seconds, wall, user, sys,
    load: [load0, loadavg()[0]], trainable: figures.trainable_params, test: testLimit });
  writeFileSync(resultsFile, JSON.stringify(results, null, 1));
  console.log(`${name}: ${(100 * figures.test_accuracy).toFixed(2)} % in ${wall.toFixed(0)} s (load ${load0.toFixed(1)})`);
  render();
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
function render(): void {
  const others = o.include!.flatMap((f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as Result[] : []));
  const all = [...results, ...others.filter((r) => !results.some((q) => q.row === r.row && q.column === r.column && q.seed === r.seed))];
  const lines = [`| labels per class (budget) | ${COLUMNS.map((c) => c.name).join(' | ')} |`, `| --- |${COLUMNS.map(() => ' --- |').join('')}`];
  for (const lpc of rows) {
    const row = ROWS[lpc];
    const steps = Math.ceil(((lpc || 6000) * 10) / row.batch) * row.epochs;
    const cells = COLUMNS.map((c) => {
      const rs = all.filter((r) => r.row === lpc && r.column === c.key).sort((a, b) => a.seed - b.seed);
      if (!rs.length) return 'not run';
      const m = median(rs.map((r) => r.accuracy));
      const each = rs.map((r) => `${r.seed}: ${(100 * r.accuracy).toFixed(1)}`).join(', ');
      const secs = rs.map((r) => r.wall), cpu = rs.map((r) => r.user + r.sys);
      return `**${(100 * m).toFixed(1)} %** ${rs.length > 1 ? `median of ${rs.length}` : `seed ${rs[0].seed} only`} (${each}); ${Math.min(...secs).toFixed(0)}–${Math.max(...secs).toFixed(0)} s wall, ${median(cpu).toFixed(0)} CPU-s`;
    });
    lines.push(`| ${lpc || 'all'} (${row.epochs} epochs, batch ${row.batch}, ${steps} steps) | ${cells.join(' | ')} |`);
  }
  const loads = all.flatMap((r) => r.load);
  lines.push('', `Test accuracy on the first ${testLimit} test images, --augment, Adam lr 1e-3 with cosine decay, CPU backend;` +
    ` load average ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : 'n/a'} during the runs.`);
  mkdirSync(o.out!, { recursive: true });
  writeFileSync(join(o.out!, 'table.md'), lines.join('\n') + '\n');
}

mkdirSync(o.out!, { recursive: true });
if (o.render) { render(); console.log(readFileSync(join(o.out!, 'table.md'), 'utf8')); process.exit(0); }
// The first seed of every row before the other seeds, so a stopped table has every row.
const firstOnly = new Set(o['first-seed-only']!.split(',').filter(Boolean).map(Number));
for (const [i, seed] of seeds.entries()) {
  for (const lpc of rows) {
    if (i > 0 && firstOnly.has(lpc)) continue;
    for (const col of COLUMNS) {
      if (!o.columns!.split(',').includes(col.key)) continue;
      if ((col.key !== 'scratch' && col.key !== 'fashion-top' && !o.ssl) || (col.key === 'fashion-top' && !o.fashion)) continue;
      runOne(ROWS[lpc], col, seed);
    }
  }
}
render();
console.log(readFileSync(join(o.out!, 'table.md'), 'utf8'));
