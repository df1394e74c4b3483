// What every training command shares around the loop: --resume and --overwrite, the note on
// flags a resume ignores, the progress bar, Ctrl-C (save a checkpoint, exit 130; twice: quit at
// once), and the NaN guard's advice.

import { NonFiniteError, savedRun, type FitHooks, type FitResult } from '../train/index.js';
import type { Args, Flag } from './args.js';
import { note, say } from './output.js';
import { ProgressBar } from './progress.js';

export const RUN_FLAGS: Flag[] = [
  { name: 'resume', help: 'continue the run saved in --out (its recipe is kept; only --epochs may change)' },
  { name: 'overwrite', help: 'replace a run already saved in --out' },
];

/** On --resume, say which explicitly given flags the saved recipe overrides. Triples: flag, value asked for, value used. */
export function resumeNotes(args: Args, fields: [flag: string, asked: unknown, used: unknown][]): void {
  const ignored = fields.filter(([flag, asked, used]) => args.has(flag) && JSON.stringify(asked) !== JSON.stringify(used));
  if (!ignored.length) return;
  const shown = (v: unknown) => (v === undefined ? 'unset' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
  note(`resume: ignoring ${ignored.map(([flag, asked, used]) => `--${flag} ${shown(asked)} (the run uses ${shown(used)})`).join(', ')}; `
    + 'a resumed run keeps its recipe (start a new one with --overwrite to change it)');
}

/**
 * The recipe a --resume continues with: the run's saved config, where only the run-length flag
 * (`--epochs`, `--iters`) is taken from the command line; a note names every other flag it overrides.
 * `check` may refuse the saved run (another task's variant) or the merged recipe.
 */
export function resumedRecipe<C extends object>(args: Args, out: string, task: string, requested: C,
  length: readonly [flag: string, field: keyof C], fields: readonly (readonly [string, keyof C, ...unknown[]])[],
  check?: (saved: C, merged: C) => void): C {
  const saved = savedRun(out, task).config as unknown as C;
  const [flag, field] = length;
  const merged: C = { ...saved, [field]: args.has(flag) ? requested[field] : saved[field] };
  check?.(saved, merged);
  resumeNotes(args, fields.map(([f, k]): [string, unknown, unknown] => [f, requested[k], merged[k]]));
  return merged;
}

/** Run fit() with the progress bar and Ctrl-C handling; 'interrupted' when Ctrl-C saved a checkpoint. */
export async function runWithInterrupts(args: Args, train: (hooks: FitHooks) => Promise<FitResult>, unit = 'samples'): Promise<FitResult | 'interrupted'> {
  const bar = new ProgressBar(process.stderr, 24, unit);
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    bar.done();
    note('interrupted: saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train({
      onProgress: (p) => bar.update(p),
      onEvaluate: (epoch, p) => (p ? bar.count(`epoch ${epoch}: evaluating on the ${p.what ?? 'held-out items'}`, p.done, p.total) : bar.status(`epoch ${epoch}: evaluating…`)),
      onEpoch: () => bar.done(),
      shouldStop: () => interrupts > 0,
    });
    bar.done();
    if (result.stopped) {
      say(`checkpoint saved in ${result.out} (continue with --resume --out ${result.out})`);
      return 'interrupted';
    }
    return result;
  } catch (e) {
    bar.done();
    if (e instanceof NonFiniteError) {
      throw new Error(`${e.message}; the last checkpoint is intact. Try a lower --lr or gradient clipping${args.command.flags.some((f) => f.name === 'clip') ? ' (--clip 1)' : ''}, with --overwrite`);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
