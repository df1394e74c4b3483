// Files as every command meets them: reads and writes whose errors name the path and say what was
// expected, and atomic writes (a reader, or a crash, sees the old file or the new one, never half).

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from './errors.js';

export { DataError };

/** The system's error codes in words a user can act on. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EISDIR': return 'is a folder, not a file';
    case 'ENOTDIR': return 'a part of the path is a file, not a folder';
    case 'EEXIST': return 'a file of that name is in the way';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    default: return (e as Error).message ?? String(e);
  }
}

/** Wrap a system error as a DataError naming the path: `runs/x/model.safetensors: cannot write (no space left on the device)`. */
export function fileError(path: string, action: string, e: unknown): DataError {
  return e instanceof DataError ? e : new DataError(`${path}: cannot ${action} (${reason(e)})`);
}

/** The bytes of a file, or a DataError saying what `path` was expected to be. */
export function readBytes(path: string, what = 'file'): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new DataError(`${path}: no such ${what}`);
  }
  if (st.isDirectory()) throw new DataError(`${path}: is a folder, expected a ${what}`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw fileError(path, `read the ${what}`, e);
  }
}

export function readText(path: string, what = 'file'): string {
  return new TextDecoder().decode(readBytes(path, what));
}

/** Parse a JSON file; a syntax error names the file. */
export function readJson(path: string, what = 'JSON file'): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Create a folder (and its parents); a failure names it. */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError(dir, 'create the folder', e);
  }
}

/**
 * Check, before any long work, that `dir` can be created and written to; throws a DataError naming it. Leaves no
 * trace: the folders it had to create are removed again (the first real write makes them), so a command that
 * fails later leaves no empty run folder behind.
 */
export function ensureWritableDir(dir: string): void {
  const created: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    created.push(d);
    if (dirname(d) === d) break;
  }
  const clean = () => { for (const d of created) { try { rmdirSync(d); } catch { /* not empty or gone: leave it */ } } };
  try {
    makeDir(dir);
    if (!statSync(dir).isDirectory()) throw new DataError(`${dir}: is a file, expected a folder`);
    const probe = join(dir, `.zerograd-write-test.${process.pid}.tmp`);
    try {
      closeSync(openSync(probe, 'w'));
    } catch (e) {
      throw fileError(dir, 'write into the folder', e);
    } finally {
      rmSync(probe, { force: true });
    }
  } finally {
    clean();
  }
}

/** Is this the name writeFileAtomic gives its temp files? (Leftovers of a crash are safe to delete.) */
export const isTempName = (name: string) => name.startsWith('.') && name.endsWith('.tmp');

/**
 * Write `data` to a temp file in the same folder (so the rename never crosses file systems), flush it to disk,
 * then rename it over `path`. Creates missing parent folders; removes the temp file if anything fails.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  makeDir(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(path, 'write', e);
  }
}

/** fsync a folder, so the renames inside it are on disk (a no-op where the platform cannot). */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some platforms cannot open or fsync a directory; the renames are still atomic there.
  }
}
