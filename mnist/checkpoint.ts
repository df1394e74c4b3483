// Checkpoints on disk: model.safetensors (weights, with the model's name in the metadata),
// optimizer.safetensors (moments and step counts) and train-state.json (epoch, schedule, RNG
// states, history): everything --resume needs to continue with exactly the same numbers.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Tensor } from '../engine/index.js';
import { loadSafetensors, saveSafetensors, SafetensorsError, type Module, type Optimizer, type OptimizerState } from '../nn/index.js';
import { writeFileAtomic } from './fsutil.js';
import { DataError } from './idx.js';
import { buildModel, isModelName, type ModelName } from './models.js';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'train-state.json';

function readBytes(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new DataError(`${path}: no such ${what}`);
  return new Uint8Array(readFileSync(path));
}

function parseSafetensors(path: string, what: string): ReturnType<typeof loadSafetensors> {
  try {
    return loadSafetensors(readBytes(path, what));
  } catch (e) {
    if (e instanceof SafetensorsError) throw new DataError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Write the weights (atomically); returns the file's path. */
export async function saveModel(path: string, model: Module, modelName: ModelName, extra: Record<string, string> = {}): Promise<string> {
  writeFileAtomic(path, await saveSafetensors(model.stateDict(), { format: 'zerograd', model: modelName, ...extra }));
  return path;
}

/** Build the named model a checkpoint was made with and load its weights. */
export function loadModel(path: string): { model: Module; modelName: ModelName; metadata: Record<string, string> } {
  const { tensors, metadata } = parseSafetensors(path, 'checkpoint');
  const name = metadata.model;
  if (!name || !isModelName(name)) {
    for (const t of tensors.values()) t.dispose();
    throw new DataError(`${path}: not a zerograd MNIST checkpoint (its metadata names no known model: ${JSON.stringify(name ?? null)})`);
  }
  const model = buildModel(name);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return { model, modelName: name, metadata };
}

/** Optimiser state as safetensors: tensors 'state.<param>.<buffer>', the rest as JSON metadata. */
export async function saveOptimizer(path: string, opt: Optimizer): Promise<void> {
  const s = opt.stateDict();
  const tensors = new Map<string, Tensor>();
  const steps: Record<string, number> = {};
  for (const [i, st] of Object.entries(s.state)) {
    steps[i] = st.step;
    for (const [name, t] of Object.entries(st.buffers)) tensors.set(`state.${i}.${name}`, t);
  }
  writeFileAtomic(path, await saveSafetensors(tensors, { optimizer: JSON.stringify({ type: s.type, hyper: s.hyper, steps }) }));
}

/** The optimiser state saved by saveOptimizer; the caller disposes the tensors after loading them. */
export function readOptimizer(path: string): OptimizerState {
  const { tensors, metadata } = parseSafetensors(path, 'optimizer checkpoint');
  const meta = JSON.parse(metadata.optimizer ?? 'null') as { type: string; hyper: OptimizerState['hyper']; steps: Record<string, number> } | null;
  if (!meta) throw new DataError(`${path}: no optimizer metadata`);
  const state: OptimizerState['state'] = {};
  for (const [i, step] of Object.entries(meta.steps)) state[Number(i)] = { step, buffers: {} };
  for (const [key, t] of tensors) {
    const [, i, name] = key.split('.');
    if (!state[Number(i)]) throw new DataError(`${path}: tensor '${key}' belongs to no parameter state`);
    state[Number(i)].buffers[name] = t;
  }
  return { type: meta.type, hyper: meta.hyper, state };
}

export function disposeOptimizerState(s: OptimizerState): void {
  for (const st of Object.values(s.state)) for (const t of Object.values(st.buffers)) t.dispose();
}

/** train-state.json, written last so a checkpoint folder is complete when it exists. */
export function saveTrainState(dir: string, state: object): void {
  writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
}

export function readTrainState<T>(dir: string): T {
  const path = join(dir, STATE_FILE);
  const text = new TextDecoder().decode(readBytes(path, 'training state (nothing to resume: train without --resume first)'));
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DataError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** The folder a model checkpoint lives in. */
export const checkpointDir = (modelPath: string) => dirname(modelPath);
