// `zerograd lm` through a real child process: a tiny pretraining run with curves and a card that
// carries the tokenizer, an exact resume, sampling from the checkpoint alone (seeded: twice the
// same text), LoRA fine-tuning on SOTU (adapters alone, a merged model, both scored by lm eval
// to the same loss), and the usage errors (exit 2) and bad checkpoints (exit 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-lm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/zerograd.js', 'lm', ...args, '--backend', 'cpu'], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
const TINY = ['--layers', '1', '--heads', '2', '--d-model', '16', '--block', '16', '--batch', '4', '--eval-windows', '16', '--warmup', '2'];

describe('zerograd lm', () => {
  const out = join(tmp, 'pre');
  it('train → resume → sample, from the checkpoint alone', () => {
    const t = cli('train', '--iters', '4', '--eval-every', '2', ...TINY, '--out', out, '--json');
    expect(t.code, t.stderr).toBe(0);
    const j = lastJson(t.stdout);
    expect(j.iters).toBe(4);
    expect(j.val_loss).toBeGreaterThan(0);
    expect(j.trainable_params).toBe(j.total_params);
    expect(readFileSync(join(out, 'loss.svg'), 'utf8')).toContain('<svg');
    const r = cli('train', '--iters', '6', '--resume', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout).iters).toBe(6);
    const s1 = cli('sample', '--checkpoint', out, '--prompt', 'Call me', '--tokens', '30', '--seed', '3', '--json');
    expect(s1.code, s1.stderr).toBe(0);
    const a = lastJson(s1.stdout);
    expect(a.tokens).toBe(30);
    expect(a.text.length).toBeGreaterThanOrEqual(30);
    expect(s1.stdout.startsWith(`Call me${a.text}`)).toBe(true);
    expect(lastJson(cli('sample', '--checkpoint', out, '--prompt', 'Call me', '--tokens', '30', '--seed', '3', '--json').stdout).text).toBe(a.text);
  });
  it('finetune --method lora saves the adapters alone and a merged model; lm eval scores both the same', () => {
    const ft = join(tmp, 'lora');
    const f = cli('finetune', '--checkpoint', out, '--method', 'lora', '--rank', '2', '--iters', '2', '--eval-every', '2', '--batch', '4', '--eval-windows', '16', '--out', ft, '--json');
    expect(f.code, f.stderr).toBe(0);
    const j = lastJson(f.stdout);
    expect(j.method).toBe('lora');
    expect(j.trainable_params).toBe(4 * (2 * 16 + 16 * 2));
    expect(statSync(join(ft, 'adapters.safetensors')).size).toBeLessThan(statSync(join(out, 'model.safetensors')).size / 4);
    const e1 = cli('eval', '--checkpoint', join(ft, 'adapters.safetensors'), '--eval-windows', '16', '--json');
    const e2 = cli('eval', '--checkpoint', join(ft, 'merged.safetensors'), '--eval-windows', '16', '--json');
    expect(e1.code, e1.stderr).toBe(0);
    expect(e2.code, e2.stderr).toBe(0);
    expect(Math.abs(lastJson(e1.stdout).val_loss - lastJson(e2.stdout).val_loss)).toBeLessThan(1e-4);
    expect(Math.abs(lastJson(e1.stdout).val_loss - j.val_loss)).toBeLessThan(1e-4);
  });
  it('usage errors exit 2 naming the flag; a bad checkpoint exits 1 with one line', () => {
    const u = cli('train', '--iters', '10', '--eval-every', '3', '--out', join(tmp, 'x'));
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--eval-every 3 must divide --iters 10');
    expect(cli('finetune', '--method', 'lora').stderr).toContain('needs --checkpoint');
    expect(cli('finetune', '--checkpoint', out, '--method', 'adapter').code).toBe(2);
    expect(cli('fly').code).toBe(2);
    const bad = join(tmp, 'bad.safetensors');
    writeFileSync(bad, 'not a checkpoint');
    const b = cli('sample', '--checkpoint', bad);
    expect(b.code).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toContain(bad);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });
});
