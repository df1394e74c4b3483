// fit(): the one training loop (core.ts) saving into a run folder. Each save is an all-or-nothing
// checkpoint set (checkpoint.ts), history.json and the curves are written beside it, a task's
// pictures land in the folder, and --resume loads the verified set back.

import { join } from 'node:path';
import { DataError, ensureWritableDir, writeFileAtomic } from '../io/files.js';
import { loadCheckpoint, readCheckpoint, removeRun, runIn, saveCheckpoint, type SavePoint } from './checkpoint.js';
import { runLoop, type LoopOptions, type RunStore, type Task, type FitResult } from './core.js';
import { historyFiles } from './history.js';
import { validateLoopState, type LoopState } from './state.js';

export interface FitOptions extends LoopOptions {
  out: string;
  /** Replace a run already in `out`. */
  overwrite?: boolean;
}

/** The recipe on disk for a resume, before the task is built: its saved config (validated). */
export function savedRun(out: string, task: string): LoopState {
  // Only train-state.json is needed to rebuild the task; fit() then loads the verified set.
  return readCheckpoint(out, (raw, path) => validateLoopState(raw, path, task)).state;
}

/**
 * Refuse to train into a folder that holds a run, unless resuming or overwriting; check it is writable. With
 * `checkOnly` (a command's early check, before data is loaded) an old run is not removed yet.
 */
export function prepareRunFolder(out: string, o: { resume?: boolean; overwrite?: boolean; checkOnly?: boolean }): void {
  if (!o.resume) {
    const found = runIn(out);
    if (found && !o.overwrite) throw new DataError(`${out}: already holds a run (${found}); continue it with --resume, or replace it with --overwrite`);
    if (found && !o.checkOnly) removeRun(out);
  }
  ensureWritableDir(out);
}

/** A run folder as the loop's store. */
export function folderStore(out: string, onSavePoint?: (p: SavePoint) => void): RunStore {
  return {
    load: (task: Task) => loadCheckpoint(out, task.modules, task.optimizers, (raw, path) => validateLoopState(raw, path, task.name)).state,
    save: async (set) => { await saveCheckpoint(out, set, onSavePoint); },
    history: (history, charts) => { for (const [f, text] of historyFiles(history, charts)) writeFileAtomic(join(out, f), text); },
    write: (file, data) => writeFileAtomic(join(out, file), data),
  };
}

/** Train the task that `makeTask` builds into the run folder `out` (after the engine's generator is seeded, so its initial weights follow the seed). */
export async function fit(makeTask: () => Task, o: FitOptions): Promise<FitResult> {
  prepareRunFolder(o.out, o);
  return runLoop(makeTask, o, folderStore(o.out, o.hooks?.onSavePoint));
}
