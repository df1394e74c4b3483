// Every script in examples/ runs as a reader would run it, and every number it prints is checked
// against the maths done here independently (closed forms in float64).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(name: string): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`examples/${name}.ts exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

/** The line that starts with `prefix`. */
const line = (out: string[], prefix: string) => {
  const l = out.find((x) => x.startsWith(prefix));
  if (!l) throw new Error(`no line starting '${prefix}' in:\n${out.join('\n')}`);
  return l;
};
/** The first [[…]] or […] array after `marker` in the line. */
const array = (l: string, marker = '') => JSON.parse(l.slice(l.indexOf(marker) + marker.length).match(/\[[-\d., [\]e]*\]/)![0]);
/** The numbers that follow each `key` in the line ("df/dx = 10" → 10). */
const value = (l: string, key: string) => Number(l.slice(l.indexOf(key) + key.length).match(/-?\d+(\.\d+)?(e-?\d+)?/)![0]);

const close = (a: unknown, b: unknown, tol: number) => {
  const fa = [a].flat(3) as number[], fb = [b].flat(3) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((v, i) => expect(Math.abs(v - fb[i]), `element ${i}: ${v} vs ${fb[i]}`).toBeLessThanOrEqual(tol));
};

describe('examples/', () => {
  it('inverse.ts: the inverse of [[1, 2], [3, 4]] is [[-2, 1], [1.5, -0.5]], three ways', () => {
    const out = run('inverse');
    expect(line(out, 'det(A)')).toMatch(/= -2$/);
    expect(array(line(out, 'inverse ='), '/ det = ')).toEqual([[-2, 1], [1.5, -0.5]]);
    expect(array(line(out, 'A · inverse'))).toEqual([[1, 0], [0, 1]]);
    expect(array(line(out, 'inverse · A'))).toEqual([[1, 0], [0, 1]]);
    const gd = line(out, 'gradient descent');
    close(array(gd, 'X = '), [[-2, 1], [1.5, -0.5]], 1e-4);
    expect(value(gd, '(loss ')).toBeLessThan(1e-8);
  });

  it('gradient.ts: both partials of x² + 2xy + y² are 2x + 2y', () => {
    const out = run('gradient');
    const [x, y] = [3, 2];
    expect(value(line(out, 'f(x, y)'), 'f = ')).toBe((x + y) ** 2);
    for (const [prefix, rule] of [['by the rules', '2x + 2y = '], ['by autograd', ''], ['by finite differences', '']]) {
      const l = line(out, prefix);
      expect(value(l, `df/dx = ${rule}`), prefix).toBeCloseTo(2 * x + 2 * y, 5);
      expect(value(l, `df/dy = ${rule}`), prefix).toBeCloseTo(2 * x + 2 * y, 5);
    }
  });

  it('chain-rule.ts: the chain rule by hand equals backward()', () => {
    const out = run('chain-rule');
    const [w, x, b, t] = [0.8, 1.5, -0.3, 0.5];
    const h = Math.tanh(w * x + b), common = 2 * (h - t) * (1 - h * h);
    expect(value(line(out, 'forward'), 'h = tanh(z) = ')).toBeCloseTo(h, 6);
    expect(value(line(out, 'forward'), '(engine: ')).toBeCloseTo((h - t) ** 2, 6);
    for (const [prefix, want] of [['dL/dw', common * x], ['dL/db', common], ['dL/dx', common * w]] as const) {
      const l = line(out, prefix);
      expect(value(l, 'by hand '), prefix).toBeCloseTo(want, 6);
      expect(value(l, 'backward() '), prefix).toBeCloseTo(want, 6);
    }
  });

  it('softmax-cross-entropy.ts: the gradient is p − y (and (p − y)/N for the mean)', () => {
    const out = run('softmax-cross-entropy');
    const z = [[2, 1, 0.1], [0.5, 2.5, -1]], labels = [0, 2];
    const p = z.map((r) => { const e = r.map(Math.exp), s = e.reduce((a, v) => a + v, 0); return e.map((v) => v / s); });
    const pMinusY = p.map((r, i) => r.map((v, j) => v - (j === labels[i] ? 1 : 0)));
    close(array(line(out, 'p = softmax'), 'softmax(z) = '), p, 1e-6);
    close(array(line(out, 'p - y')), pMinusY, 1e-6);
    close(array(line(out, 'dL/dz by backward(), L = sum')), pMinusY, 1e-6);
    close(array(line(out, 'dL/dz by backward(), L = their mean')), pMinusY.map((r) => r.map((v) => v / 2)), 1e-6);
  });

  it('two-layer-network.ts: the backward pass by hand matches the engine number for number', () => {
    const out = run('two-layer-network');
    const loss = line(out, 'loss');
    expect(value(loss, 'by hand ')).toBeCloseTo(value(loss, 'engine '), 6);
    for (const name of ['W2', 'b2', 'W1', 'b1']) close(array(line(out, `d${name} by hand`)), array(line(out, `d${name} engine`)), 2e-6);
    expect(array(line(out, 'dW1 by hand'))).toHaveLength(3);   // [3, 4], as W1
    expect(value(line(out, 'largest difference'), ': ')).toBeLessThan(1e-6);
  });

  it('second-order.ts: x³ at 2 has derivatives 12, 12 and 6, through the recorded backward graph', () => {
    const out = run('second-order');
    expect(value(line(out, "f'(x)"), '3x^2 = ')).toBe(12);
    expect(value(line(out, "f''(x)"), '6x = ')).toBe(12);
    expect(value(line(out, "f'''(x)"), '6 = ')).toBe(6);
    // pow's backward, g · (x² · 3), as ops: x → pow → affine → mul, with the seed gradient a constant.
    expect(out.filter((l) => /^ {2}t\d/.test(l))).toEqual([
      '  t0["constant<br/>[]"]:::constant', '  t1["x<br/>[]"]:::leaf', '  t2["pow<br/>[]"]:::op', '  t3["affine<br/>[]"]:::op', '  t4["mul<br/>[]"]:::opRoot',
      '  t1 --> t2', '  t2 --> t3', '  t0 --> t4', '  t3 --> t4',
    ]);
  });

  it('model-summary.ts: cnn-small has 347,146 parameters and cnn 121,930, by hand and by summary()', () => {
    const out = run('model-summary');
    expect(line(out, 'cnn-small total')).toBe('cnn-small total: by hand 347,146, summary() 347,146');
    expect(line(out, 'cnn total')).toBe('cnn total: by hand 121,930, summary() 121,930');
    expect(out).toContain('Total params: 347,146');
    expect(out).toContain('Total params: 121,930');
  });
});
