// train-state.json: everything besides weights and optimiser moments that an exact resume needs
// (where the run stopped, its recipe, schedule clocks, RNG states, the interrupted epoch's running
// sums, the history), and its schema, checked field by field so a hand-edited or damaged file is
// refused with the field's name instead of resuming with garbage.

import { DataError } from '../io/files.js';

/** One epoch's figures: `epoch`, the task's train_* means and evaluate() results, lr, seconds, speed. */
export type EpochRecord = { epoch: number; seconds: number; samples_per_second: number; lr: number } & Record<string, number>;

export interface LoopState {
  version: 2;
  /** The task's name: a set saved by another task is refused. */
  task: string;
  /** The recipe the run was started with (the task's config). */
  config: Record<string, unknown>;
  /** Seeds the weights and the batch order of every epoch. */
  seed: number;
  /** Epochs finished, and steps done in the next one (non-zero only after an interrupt). */
  epoch: number;
  step: number;
  schedulers: Record<string, { lastEpoch: number }>;
  /** xoshiro128** states (with the Gaussian spare) of the engine's default generator and the task's own generators. */
  rng: Record<string, number[]>;
  /** The interrupted epoch's running sums (metric × samples), samples seen and seconds spent. */
  partial: { sums: Record<string, number>; seen: number; seconds: number };
  history: EpochRecord[];
  seconds: number;
  trainSeconds: number;
  samplesSeen: number;
  /** Whatever else the task keeps (its own JSON). */
  taskState: unknown;
}

type Check = (v: unknown) => string | null;

const nonNegInt: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'a non-negative integer');
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'a finite number');
const nonNeg: Check = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? null : 'a non-negative number');
const object: Check = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'an object');
const recordOf = (inner: Check, what: string): Check => (v) => object(v) ?? (Object.values(v as object).every((x) => inner(x) === null) ? null : `an object of ${what}`);
// Four 32-bit words, then the cached Gaussian spare (a number, or null when there is none).
const rngState: Check = (v) => (Array.isArray(v) && v.length === 5 && v.slice(0, 4).every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)
  && (v[4] === null || typeof v[4] === 'number') ? null : 'four 32-bit words and a spare');

const SCHEMA: Record<keyof LoopState, Check> = {
  version: (v) => (v === 2 ? null : 'the number 2 (this zerograd reads version 2)'),
  task: (v) => (typeof v === 'string' && v ? null : 'a task name'),
  config: object,
  seed: nonNegInt,
  epoch: nonNegInt,
  step: nonNegInt,
  schedulers: recordOf((x) => object(x) ?? nonNegInt((x as { lastEpoch: unknown }).lastEpoch), '{ lastEpoch: integer }'),
  rng: recordOf(rngState, 'generator states (four 32-bit words and a spare each)'),
  partial: (v) => object(v)
    ?? (recordOf(finite, 'finite numbers')((v as LoopState['partial']).sums) ? "an object whose 'sums' are finite numbers" : null)
    ?? (nonNegInt((v as LoopState['partial']).seen) ? "an object with 'seen' a non-negative integer" : null)
    ?? (nonNeg((v as LoopState['partial']).seconds) ? "an object with 'seconds' a non-negative number" : null),
  history: (v) => (Array.isArray(v) && v.every((r, i) => object(r) === null && (r as EpochRecord).epoch === i + 1) ? null : 'a list of epoch records numbered 1, 2, …'),
  seconds: nonNeg,
  trainSeconds: nonNeg,
  samplesSeen: nonNegInt,
  taskState: () => null,
};

/** The state if every field is what it must be; else a DataError naming the file and the field. */
export function validateLoopState(raw: unknown, path: string, task: string): LoopState {
  if (object(raw)) throw new DataError(`${path}: must hold a JSON object`);
  const s = raw as Record<string, unknown>;
  for (const [key, check] of Object.entries(SCHEMA)) {
    const want = check(s[key]);
    if (want) throw new DataError(`${path}: '${key}' must be ${want}, got ${JSON.stringify(s[key]) ?? 'nothing'}`);
  }
  const st = s as unknown as LoopState;
  if (st.task !== task) throw new DataError(`${path}: this run was made by the '${st.task}' task, not '${task}'`);
  if (st.history.length !== st.epoch) throw new DataError(`${path}: 'history' has ${st.history.length} epochs but 'epoch' says ${st.epoch} are done`);
  return st;
}
