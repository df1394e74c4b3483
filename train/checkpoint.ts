// Checkpoint sets that are all-or-nothing. Every save writes a new generation folder
// (checkpoints/000007/: one safetensors file per model, optimizer.safetensors, train-state.json),
// then the manifest checkpoint.json with each file's size and SHA-256, renamed into place last.
// A crash before that rename leaves the previous manifest and its (untouched) generation; a crash
// after it leaves the new one. Only then is each model linked to the run folder's top level
// (runs/cnn/model.safetensors, what eval and predict read) and the old generation deleted.
// Resume re-hashes every file, so a mixed, truncated or edited set is refused, naming the file.

import { createHash } from 'node:crypto';
import { existsSync, linkSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { tensor, type Tensor } from '../engine/index.js';
import { DataError, fileError, isTempName, makeDir, readBytes, readJson, syncDir, writeFileAtomic } from '../io/files.js';
import { encodeModule, moduleFile } from './core.js';
import {
  decodeSafetensors, saveSafetensors, SafetensorsError, type AnyModule, type ModelCard, type Optimizer, type OptimizerState,
} from '../nn/index.js';

export const MANIFEST = 'checkpoint.json';
export const GENERATIONS = 'checkpoints';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'train-state.json';

/** The points of a save, in order; a test kills the process at each to prove every one is safe. */
export type SavePoint = `wrote ${string}` | 'wrote manifest' | `linked ${string}` | 'cleaned';

export interface ManifestFile { path: string; size: number; sha256: string }

export interface Manifest {
  format: 'zerograd-checkpoint';
  version: 1;
  generation: number;
  /** Epochs finished and steps done in the next one, as train-state.json says too. */
  epoch: number;
  step: number;
  /** File name → where it is (relative to the run folder), its size and hash. */
  files: Record<string, ManifestFile>;
  saved_at: string;
}

export interface CheckpointContents {
  /** Each module is saved as `<name>.safetensors` with its card. */
  modules: Record<string, { module: AnyModule; card: ModelCard }>;
  optimizers: Record<string, Optimizer>;
  state: { epoch: number; step: number } & Record<string, unknown>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const generationDir = (g: number) => join(GENERATIONS, String(g).padStart(6, '0'));

/** Optimiser states as one safetensors file: tensors '<optimizer>.<param>.<buffer>', the rest as JSON metadata. */
async function encodeOptimizers(optimizers: Record<string, Optimizer>): Promise<Uint8Array> {
  const tensors = new Map<string, Tensor>();
  const meta: Record<string, Omit<OptimizerState, 'state'> & { steps: Record<string, number> }> = {};
  for (const [name, opt] of Object.entries(optimizers)) {
    const s = opt.stateDict();
    const steps: Record<string, number> = {};
    for (const [i, st] of Object.entries(s.state)) {
      steps[i] = st.step;
      for (const [b, t] of Object.entries(st.buffers)) tensors.set(`${name}.${i}.${b}`, t);
    }
    meta[name] = { type: s.type, hyper: s.hyper, groups: s.groups, steps };
  }
  return saveSafetensors(tensors, { optimizers: JSON.stringify(meta) });
}

/** Load optimizer.safetensors into the live optimisers (each must be in the file, and only those). */
function loadOptimizers(bytes: Uint8Array, path: string, optimizers: Record<string, Optimizer>): void {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message}`);
  }
  let meta: Record<string, Omit<OptimizerState, 'state'> & { steps: Record<string, number> }>;
  try {
    meta = JSON.parse(file.metadata.optimizers ?? 'null');
  } catch {
    throw new DataError(`${path}: the optimizer metadata is not valid JSON`);
  }
  if (!meta || typeof meta !== 'object') throw new DataError(`${path}: no optimizer metadata`);
  const names = Object.keys(optimizers).sort().join(', '), saved = Object.keys(meta).sort().join(', ');
  if (names !== saved) throw new DataError(`${path}: holds optimizers [${saved}] but the task has [${names}]`);
  for (const [name, opt] of Object.entries(optimizers)) {
    const m = meta[name];
    const state: OptimizerState = { type: m.type, hyper: m.hyper, groups: m.groups, state: {} };
    for (const [i, step] of Object.entries(m.steps ?? {})) state.state[Number(i)] = { step, buffers: {} };
    const made: Tensor[] = [];
    try {
      for (const [key, t] of file.tensors) {
        const [owner, i, buf] = key.split('.');
        if (owner !== name) continue;
        if (!state.state[Number(i)]) throw new DataError(`${path}: tensor '${key}' belongs to no parameter state`);
        const x = tensor(t.data, { shape: t.shape });
        made.push(x);
        state.state[Number(i)].buffers[buf] = x;
      }
      opt.loadStateDict(state);
    } catch (e) {
      throw e instanceof DataError ? e : new DataError(`${path}: optimizer '${name}': ${(e as Error).message}`);
    } finally {
      for (const t of made) t.dispose();
    }
  }
}

/** Load `<name>.safetensors` into a live module, in place (strict: every key, right shapes). */
export function loadModuleFile(bytes: Uint8Array, path: string, module: AnyModule): void {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    throw new DataError(`${path}: ${(e as SafetensorsError).message}`);
  }
  const state = new Map<string, Tensor>();
  try {
    for (const [k, t] of file.tensors) state.set(k, tensor(t.data, { shape: t.shape }));
    module.loadStateDict(state);
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message.replace(/^loadStateDict: /, '')}`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
}

/** Remove temp files of interrupted writes and generation folders no manifest names. */
export function cleanLeftovers(dir: string, keep?: Manifest): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (isTempName(name)) rmSync(join(dir, name), { force: true });
  const gens = join(dir, GENERATIONS);
  if (!existsSync(gens)) return;
  const live = keep ? new Set(Object.values(keep.files).map((f) => f.path.split('/')[1])) : new Set<string>();
  for (const name of readdirSync(gens)) if (!live.has(name)) rmSync(join(gens, name), { recursive: true, force: true });
}

/** The manifest of the run in `dir`, or null when there is none. Checked for shape, not yet against the files. */
export function readManifest(dir: string): Manifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  const m = readJson(path, 'checkpoint manifest') as Partial<Manifest>;
  const bad = (what: string): never => { throw new DataError(`${path}: ${what}; the checkpoint set cannot be trusted`); };
  if (m === null || typeof m !== 'object' || m.format !== 'zerograd-checkpoint' || m.version !== 1) bad('not a zerograd checkpoint manifest (format/version)');
  for (const k of ['generation', 'epoch', 'step'] as const) if (!Number.isInteger(m[k]) || (m[k] as number) < 0) bad(`'${k}' must be a non-negative integer, got ${JSON.stringify(m[k])}`);
  if (typeof m.files !== 'object' || m.files === null) bad("'files' must be an object");
  for (const [name, f] of Object.entries(m.files!)) {
    if (typeof f?.path !== 'string' || !Number.isInteger(f.size) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) bad(`the entry for ${name} is malformed`);
    const abs = resolve(dir, f.path);
    if (!abs.startsWith(resolve(dir) + sep)) bad(`the entry for ${name} points outside the run folder (${f.path})`);
  }
  return m as Manifest;
}

/** Does `dir` hold a run (a manifest, or the files an older zerograd wrote)? Returns what it found. */
export function runIn(dir: string): string | null {
  for (const f of [MANIFEST, 'model.safetensors', STATE_FILE, 'history.json']) if (existsSync(join(dir, f))) return f;
  return null;
}

/** Delete a run's checkpoint set and what the loop writes beside it (for --overwrite). */
export function removeRun(dir: string): void {
  if (!existsSync(dir)) return;
  const m = (() => { try { return readManifest(dir); } catch { return null; } })();
  for (const name of Object.keys(m?.files ?? {})) rmSync(join(dir, name), { force: true });
  for (const f of [MANIFEST, STATE_FILE, OPTIMIZER_FILE, 'model.safetensors', 'history.json']) rmSync(join(dir, f), { force: true });
  rmSync(join(dir, GENERATIONS), { recursive: true, force: true });
  cleanLeftovers(dir);
}

/**
 * Save a consistent set as the next generation. `onPoint` is called after each step of the save
 * (tests kill the process there). Returns the manifest now in force.
 */
export async function saveCheckpoint(dir: string, c: CheckpointContents, onPoint?: (p: SavePoint) => void): Promise<Manifest> {
  const previous = readManifest(dir);
  cleanLeftovers(dir, previous ?? undefined);
  const generation = (previous?.generation ?? 0) + 1;
  const gen = generationDir(generation);
  makeDir(join(dir, gen));
  const files: Record<string, ManifestFile> = {};
  const write = (name: string, bytes: Uint8Array) => {
    const path = `${gen}/${name}`.split(sep).join('/');
    writeFileAtomic(join(dir, path), bytes);
    files[name] = { path, size: bytes.length, sha256: sha256(bytes) };
    onPoint?.(`wrote ${name}`);
  };
  for (const [name, { module, card }] of Object.entries(c.modules)) {
    write(moduleFile(name), await encodeModule(module, card));
  }
  write(OPTIMIZER_FILE, await encodeOptimizers(c.optimizers));
  write(STATE_FILE, new TextEncoder().encode(JSON.stringify(c.state, null, 1) + '\n'));
  syncDir(join(dir, gen));
  const manifest: Manifest = {
    format: 'zerograd-checkpoint', version: 1, generation, epoch: c.state.epoch, step: c.state.step, files, saved_at: new Date().toISOString(),
  };
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
  syncDir(dir);
  onPoint?.('wrote manifest');
  // The top-level copies are conveniences for eval/predict: a hard link (no copy), swapped in atomically.
  for (const name of Object.keys(c.modules).map(moduleFile)) {
    const tmp = join(dir, `.${name}.link.tmp`);
    try {
      rmSync(tmp, { force: true });
      try { linkSync(join(dir, files[name].path), tmp); } catch { writeFileAtomic(tmp, readBytes(join(dir, files[name].path))); }
      renameSync(tmp, join(dir, name));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw fileError(join(dir, name), 'update', e);
    }
    onPoint?.(`linked ${name}`);
  }
  cleanLeftovers(dir, manifest);
  onPoint?.('cleaned');
  return manifest;
}

/** The verified files of the set in force: every one present with the manifest's size and hash. */
export function verifyCheckpoint(dir: string): { manifest: Manifest; bytes: Map<string, Uint8Array> } {
  const manifest = readManifest(dir);
  if (!manifest) {
    throw new DataError(existsSync(join(dir, STATE_FILE))
      ? `${join(dir, MANIFEST)}: missing: this run was saved by an older zerograd without a checkpoint manifest and cannot be resumed exactly; train it again (--overwrite)`
      : `${dir}: no checkpoint to resume (no ${MANIFEST}); train without --resume first`);
  }
  const bytes = new Map<string, Uint8Array>();
  for (const [name, f] of Object.entries(manifest.files)) {
    const path = join(dir, f.path);
    if (!existsSync(path)) throw new DataError(`${path}: missing from the checkpoint set (${MANIFEST} lists it); the set is incomplete and cannot be resumed`);
    const b = readBytes(path, 'checkpoint file');
    if (b.length !== f.size || sha256(b) !== f.sha256) {
      throw new DataError(`${path}: does not match ${MANIFEST} (${b.length !== f.size ? `${b.length} bytes, expected ${f.size}` : 'its SHA-256 differs'}): the checkpoint set is mixed or damaged; refusing to resume from it`);
    }
    bytes.set(name, b);
  }
  return { manifest, bytes };
}

/** The verified set in force and its train-state.json, once `validate` has accepted it (it throws,
 *  naming the file, on a bad one). Nothing is loaded into any model yet. */
export function readCheckpoint<S>(dir: string, validate: (state: unknown, path: string) => S): { manifest: Manifest; bytes: Map<string, Uint8Array>; state: S } {
  const { manifest, bytes } = verifyCheckpoint(dir);
  const path = join(dir, manifest.files[STATE_FILE]?.path ?? STATE_FILE);
  const b = bytes.get(STATE_FILE);
  if (!b) throw new DataError(`${join(dir, MANIFEST)}: the set has no ${STATE_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(b));
  } catch (e) {
    throw new DataError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return { manifest, bytes, state: validate(raw, path) };
}

/** Load a verified, validated set into live modules and optimisers, in place (an optimiser built
 *  on those modules stays valid); returns the state. */
export function loadCheckpoint<S>(dir: string, modules: Record<string, AnyModule>, optimizers: Record<string, Optimizer>,
  validate: (state: unknown, path: string) => S): { manifest: Manifest; state: S } {
  const { manifest, bytes, state } = readCheckpoint(dir, validate);
  const at = (name: string) => join(dir, manifest.files[name]?.path ?? name);
  const need = (name: string) => {
    const b = bytes.get(name);
    if (!b) throw new DataError(`${join(dir, MANIFEST)}: the set has no ${name}; it was saved by another task`);
    return b;
  };
  for (const [name, m] of Object.entries(modules)) loadModuleFile(need(moduleFile(name)), at(moduleFile(name)), m);
  loadOptimizers(need(OPTIMIZER_FILE), at(OPTIMIZER_FILE), optimizers);
  return { manifest, state };
}
