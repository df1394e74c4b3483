// `zerograd translate` through a real child process: a tiny numbers run that trains, saves a card
// with both vocabularies, runs greedy and beam decoding with attention maps from the checkpoint
// alone, evaluates it; and the usage errors (exit 2) and bad checkpoints (exit 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-translate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/zerograd.js', 'translate', ...args, '--backend', 'cpu'], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe('zerograd translate', () => {
  const out = join(tmp, 'zh');
  it('train → run (greedy, beam, attention maps) → eval from the checkpoint alone', () => {
    const t = cli('train', '--task', 'numbers-zh', '--train-size', '300', '--test-size', '20', '--batch', '32', '--d-model', '16', '--heads', '2',
      '--layers', '1', '--ff', '32', '--out', out, '--json');
    expect(t.code, t.stderr).toBe(0);
    const j = lastJson(t.stdout);
    expect(j.task).toBe('numbers-zh');
    expect(j.test_items).toBe(20);
    expect(j.exact_match).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    const png = join(tmp, 'attn.png');
    const r = cli('run', '--checkpoint', out, '305', '2047', '--attention', png, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rj = lastJson(r.stdout);
    expect(rj.outputs.length).toBe(2);
    expect(rj.inputs).toEqual(['305', '2047']);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(tmp, 'attn.svg'), 'utf8')).toContain('layer 1, head 2');
    const b = cli('run', '--checkpoint', out, '305', '--beam', '3', '--json');
    expect(b.code, b.stderr).toBe(0);
    expect(lastJson(b.stdout).beam).toBe(3);
    const e = cli('eval', '--checkpoint', out, '--test-size', '20', '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(lastJson(e.stdout).exact_match).toBeCloseTo(j.exact_match, 10);
  }, 240_000);
  it('usage errors exit 2 naming the flag; bad inputs and files exit 1 with one line', () => {
    expect(cli('fly').code).toBe(2);
    const noTask = cli('train');
    expect(noTask.code).toBe(2);
    expect(noTask.stderr).toMatch(/translate train needs --task numbers-zh\|numbers-en\|g2p/);
    expect(cli('train', '--task', 'klingon').stderr).toMatch(/--task must be one of numbers-zh, numbers-en, g2p/);
    expect(cli('run', '305').stderr).toMatch(/needs --checkpoint F/);
    const badText = cli('run', '--checkpoint', out, '3x5');
    expect(badText.code).toBe(2);
    expect(badText.stderr).toMatch(/TEXT 1 '3x5' has a character the numbers-zh model never saw: x/);
    const long = cli('run', '--checkpoint', out, '1234567890123');
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/has 13 tokens; this model reads at most 12/);
    const junk = join(tmp, 'junk.safetensors');
    writeFileSync(junk, 'not a checkpoint');
    const bad = cli('run', '--checkpoint', junk, '1');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/junk.safetensors/);
  }, 240_000);
});
