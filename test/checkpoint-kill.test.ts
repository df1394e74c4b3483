// A SIGKILL at any point of a checkpoint save (after each file of the set, after the manifest,
// after the top-level link, after the clean-up, or in the middle of a file) leaves a set that
// resumes exactly: the finished run equals one that was never killed, bit for bit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'zerograd-kill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EPOCHS = 3, KILL_EPOCH = 2;

function child(dir: string, killEpoch: number, point: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/kill-during-save.ts', dir, String(EPOCHS), String(killEpoch), point],
    { encoding: 'utf8', timeout: 60_000 });
  return { signal: r.signal, status: r.status, stderr: r.stderr };
}

const files = (dir: string) => ['net', 'critic'].map((n) => readFileSync(join(dir, `${n}.safetensors`)));

let straight: Buffer[];
beforeAll(() => {
  const dir = join(tmp, 'straight');
  const r = child(dir, 0, 'never');
  expect(r.status, r.stderr).toBe(0);
  straight = files(dir);
});

const POINTS = ['wrote net.safetensors', 'wrote critic.safetensors', 'wrote optimizer.safetensors', 'wrote train-state.json',
  'wrote manifest', 'linked net.safetensors', 'linked critic.safetensors', 'cleaned'];

describe('SIGKILL during a checkpoint save', () => {
  it.each(POINTS)('killed after "%s": the run resumes exactly', (point) => {
    const dir = join(tmp, point.replace(/\W+/g, '-'));
    const killed = child(dir, KILL_EPOCH, point);
    expect(killed.signal).toBe('SIGKILL');
    // Whatever the kill left, the manifest names a complete set: epoch 1's before the new manifest, epoch 2's after.
    const m = readManifest(dir)!;
    expect(m.epoch).toBe(point === 'wrote manifest' || point.startsWith('linked') || point === 'cleaned' ? 2 : 1);
    const resumed = child(dir, 0, 'never');
    expect(resumed.status, resumed.stderr).toBe(0);
    const got = files(dir);
    expect(got[0].equals(straight[0])).toBe(true);
    expect(got[1].equals(straight[1])).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('killed in the middle of writing a file (a half-written temp file and a stray generation): resumes exactly', () => {
    const dir = join(tmp, 'mid-write');
    const killed = child(dir, KILL_EPOCH, 'wrote net.safetensors');
    expect(killed.signal).toBe('SIGKILL');
    const gen = readdirSync(join(dir, 'checkpoints')).sort().pop()!;
    writeFileSync(join(dir, 'checkpoints', gen, '.critic.safetensors.999.dead.tmp'), new Uint8Array(1000));
    const resumed = child(dir, 0, 'never');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(files(dir)[0].equals(straight[0])).toBe(true);
    const tmpFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? tmpFiles(join(d, e.name)) : e.name.endsWith('.tmp') ? [e.name] : []));
    expect(tmpFiles(dir)).toEqual([]);
  });
});
