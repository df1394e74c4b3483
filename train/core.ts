// The one training loop, without files. A task brings its models, optimisers and a step(batch)
// that returns the batch's metrics; the loop owns the rest: epochs, a seeded batch order drawn
// afresh each epoch, one tidy() per step (a flat tensor count), metrics summed on the device and
// read every few steps, progress, the NaN/Inf guard, per-epoch evaluation and history, saves at
// every epoch's end and on a stop, an exact resume from an epoch boundary or the middle of an
// epoch. Where the saves go is a RunStore: loop.ts's fit() gives it the run folder (all-or-nothing
// checkpoint sets); the browser page gives it memoryStore(), so it trains with this same loop.

import { defaultGenerator, manualSeed, noGrad, scalar, tidy, type Generator, type Tensor } from '../engine/index.js';
import { DataError } from '../io/errors.js';
import { cardMetadata, saveSafetensors, type AnyModule, type LRScheduler, type ModelCard, type Optimizer } from '../nn/index.js';
import { historyFiles, type ChartSpec } from './history.js';
import { batches } from './order.js';
import type { SavePoint } from './checkpoint.js';
import type { EpochRecord, LoopState } from './state.js';

/** A batch's metrics: means over its samples, as 0-d tensors (read lazily) or numbers. */
export type Metrics = Record<string, Tensor | number>;

export interface StepContext { epoch: number; step: number; globalStep: number }

export interface EpochContext {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  epochs: number;
  /** The run folder ('' for a run kept in memory). */
  out: string;
  /** Keep one of the task's own pictures (sample grids, confusion matrices) beside the run: a file in the run folder, or an entry of a memory store. */
  write(file: string, data: string | Uint8Array): void;
  /** How far an evaluation has got (items done of total): passed on to the progress hooks. */
  progress?(done: number, total: number, what?: string): void;
}

export interface Task {
  /** Names the task in train-state.json; a set saved by another task is refused. */
  readonly name: string;
  /** The recipe (JSON) saved with the run and handed back on resume. */
  readonly config: Record<string, unknown>;
  /** Training items per epoch and per step; the loop draws a seeded order of indices 0 … size−1. */
  readonly size: number;
  readonly batchSize: number;
  /** Each is saved as <name>.safetensors with its card (the card may change as metrics come in). */
  readonly modules: Record<string, AnyModule>;
  cards(): Record<string, ModelCard>;
  readonly optimizers: Record<string, Optimizer>;
  /** Stepped once after every batch. */
  readonly schedulers?: Record<string, LRScheduler>;
  /** Generators the task draws from (augmentation, latents): their states are checkpointed. */
  readonly generators?: Record<string, Generator>;
  /** The epoch's batches, drawn from `seed` alone (bucketing by length, say); there must be
   *  ceil(size / batchSize) of them. Default: a seeded shuffle cut into batches of batchSize. */
  batchOrder?(seed: number): Int32Array[];
  /** One optimisation step on the items at `batch`; runs inside a tidy() the loop opens. */
  step(batch: Int32Array, ctx: StepContext): Metrics;
  /** After each epoch: held-out figures, keyed as they go into the history ('test_accuracy'). */
  evaluate?(ctx: EpochContext): Promise<Record<string, number>>;
  /** Metrics that must stay finite (default: every one). */
  readonly guarded?: readonly string[];
  readonly charts?: ChartSpec[];
  /** Extra JSON state for an exact resume, and its restore. */
  state?(): unknown;
  loadState?(s: unknown): void;
  /** Free what the task holds (data tensors); modules and optimisers are freed by the loop. */
  dispose?(): void;
}

export interface Progress {
  epoch: number; epochs: number; step: number; steps: number;
  /** Running means over the epoch so far. */
  metrics: Record<string, number>;
  samplesPerSecond: number; etaSeconds: number; lr: number;
}

export interface FitHooks {
  onStart?(info: { startEpoch: number; startStep: number; stepsPerEpoch: number; resumed: boolean }): void;
  /** Every `progressEvery` steps and at each epoch's last step. */
  onProgress?(p: Progress): void;
  /** When evaluate() starts (it can take seconds), then as often as the task reports how far it has got. */
  onEvaluate?(epoch: number, progress?: { done: number; total: number; what?: string }): void;
  onEpoch?(record: EpochRecord): void;
  /** Polled before every step; the event loop is let through between steps so a signal handler can set it. */
  shouldStop?(): boolean;
  /** After each point of a checkpoint save into a run folder (tests kill the process here). */
  onSavePoint?(p: SavePoint): void;
}

/** What the loop needs besides the task; fit() adds the run folder and its flags. */
export interface LoopOptions {
  /** The run folder the task's EpochContext names ('' for a run kept in memory). */
  out?: string;
  epochs: number;
  /** Seeds the engine's generator before the task is built (its initial weights) and every epoch's order; a resume keeps the saved one. */
  seed: number;
  /** Continue the run the store holds (its recipe wins; only `epochs` may grow). */
  resume?: boolean;
  progressEvery?: number;
  hooks?: FitHooks;
}

/** The set a save hands to its store: each module with its card, the optimisers, the loop's state. */
export interface SaveSet {
  modules: Record<string, { module: AnyModule; card: ModelCard }>;
  optimizers: Record<string, Optimizer>;
  state: LoopState & Record<string, unknown>;
}

/** Where a run's saves, history and pictures go. */
export interface RunStore {
  /** The saved run, loaded into the task's live modules and optimisers; returns its state (throws, naming what, if there is none). */
  load(task: Task): LoopState;
  save(set: SaveSet): Promise<void>;
  /** history.json and the curves, after every epoch. */
  history(history: EpochRecord[], charts?: ChartSpec[]): void;
  write(file: string, data: string | Uint8Array): void;
}

export interface FitResult {
  history: EpochRecord[];
  /** Stopped by shouldStop() before the last epoch ended (a checkpoint was saved). */
  stopped: boolean;
  /** Where each module's latest weights are (out/<name>.safetensors; '' when kept in memory). */
  out: string;
  seconds: number;
  samplesPerSecond: number;
}

/** A guarded metric stopped being a finite number; nothing after the last checkpoint was saved. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(readonly metric: string, readonly epoch: number, readonly step: number, readonly lr: number, readonly value: number) {
    super(`${metric} became ${Number.isNaN(value) ? 'NaN' : 'infinite'} at epoch ${epoch} step ${step} (lr ${lr})`);
  }
}

/** A different, reproducible batch order every epoch. */
const epochSeed = (seed: number, epoch: number) => (Math.imul(seed + 1, 0x9e3779b1) + epoch) >>> 0;

/** The file a module's weights are saved as, with its card: what eval and predict read. */
export const moduleFile = (name: string) => `${name}.safetensors`;

/** A module's weights and card as safetensors bytes (a checkpoint's module file, a memory store's entry). */
export const encodeModule = (module: AnyModule, card: ModelCard): Promise<Uint8Array> => saveSafetensors(module.stateDict(), cardMetadata(card));

/** A store that keeps the latest save in memory: each module as its safetensors bytes (with its
 *  card), history.json, the curves and the task's pictures, under the names a run folder would
 *  give them. A resume from it is refused: it keeps no optimiser moments. */
export function memoryStore(): RunStore & { files: Map<string, string | Uint8Array> } {
  const files = new Map<string, string | Uint8Array>();
  return {
    files,
    load(task) { throw new DataError(`${task.name}: a run kept in memory cannot be resumed`); },
    async save(set) {
      for (const [name, { module, card }] of Object.entries(set.modules)) files.set(moduleFile(name), await encodeModule(module, card));
    },
    history(history, charts) { for (const [f, text] of historyFiles(history, charts)) files.set(f, text); },
    write(file, data) { files.set(file, data); },
  };
}

// Between steps, let other work in: Ctrl-C's handler in Node, a page worker's messages (a stop).
const channel = typeof setImmediate === 'function' ? null : new MessageChannel();
const queued: Array<() => void> = [];
if (channel) channel.port1.onmessage = () => queued.shift()?.();
const yieldToEventLoop = (): Promise<void> => new Promise((r) => {
  if (!channel) { setImmediate(r); return; }
  queued.push(r);
  channel.port2.postMessage(0);
});

/** Train the task that `makeTask` builds (after the engine's generator is seeded, so its initial
 *  weights follow the seed), saving into `store` (none: nothing is kept, nothing can be resumed). */
export async function runLoop(makeTask: () => Task, o: LoopOptions, store?: RunStore): Promise<FitResult> {
  const out = o.out ?? '', hooks = o.hooks ?? {};
  manualSeed(o.seed);
  const task = makeTask();
  const stepsPerEpoch = Math.ceil(task.size / task.batchSize);
  if (!(task.size > 0)) throw new DataError(`${task.name}: nothing to train on (0 training items)`);
  const generators: Record<string, Generator> = { default: defaultGenerator, ...task.generators };
  const schedulers = task.schedulers ?? {};

  let st: LoopState;
  if (o.resume) {
    if (!store) throw new DataError(`${task.name}: nothing to resume from (the run has no store)`);
    st = store.load(task);
    for (const [k, s] of Object.entries(st.schedulers)) schedulers[k]?.loadStateDict(s);
    for (const [k, g] of Object.entries(generators)) if (st.rng[k]) g.setState(st.rng[k]);
    task.loadState?.(st.taskState);
  } else {
    st = {
      version: 2, task: task.name, config: task.config, seed: o.seed, epoch: 0, step: 0, schedulers: {}, rng: {},
      partial: { sums: {}, seen: 0, seconds: 0 }, history: [], seconds: 0, trainSeconds: 0, samplesSeen: 0, taskState: null,
    };
  }
  const epochs = o.epochs;
  const lrOf = () => Object.values(task.optimizers)[0]?.lr ?? 0;

  const save = async (epoch: number, step: number, partial: LoopState['partial']) => {
    Object.assign(st, {
      epoch, step, partial,
      schedulers: Object.fromEntries(Object.entries(schedulers).map(([k, s]) => [k, s.stateDict()])),
      rng: Object.fromEntries(Object.entries(generators).map(([k, g]) => [k, g.getState()])),
      taskState: task.state?.() ?? null,
    });
    const cards = task.cards();
    const modules = Object.fromEntries(Object.entries(task.modules).map(([k, m]) => [k, { module: m, card: cards[k] }]));
    await store?.save({ modules, optimizers: task.optimizers, state: st as unknown as LoopState & Record<string, unknown> });
  };

  const every = o.progressEvery ?? 20;
  const startEpoch = st.epoch;
  let startStep = st.step;
  hooks.onStart?.({ startEpoch, startStep, stepsPerEpoch, resumed: !!o.resume });
  const result = (stopped: boolean): FitResult => ({
    history: st.history, stopped, out, seconds: st.seconds, samplesPerSecond: st.trainSeconds ? st.samplesSeen / st.trainSeconds : 0,
  });

  for (const m of Object.values(task.modules)) m.train();
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const seed = epochSeed(st.seed, epoch);
      const order = task.batchOrder ? task.batchOrder(seed) : [...batches(task.size, task.batchSize, { seed })];
      if (order.length !== stepsPerEpoch) throw new Error(`${task.name}: batchOrder gave ${order.length} batches, not ceil(${task.size} / ${task.batchSize}) = ${stepsPerEpoch}`);
      const p0 = startStep ? st.partial : { sums: {}, seen: 0, seconds: 0 };
      // Running sums of metric × samples: tensors stay on the device between reads. An interrupted
      // epoch's sums go back on the device, so they go on adding up in the same float32 order.
      let acc: Record<string, Tensor> = Object.fromEntries(Object.entries(p0.sums).map(([k, v]) => [k, scalar(v)]));
      const host: Record<string, number> = {};
      let seen = p0.seen;
      const epochStart = performance.now() - p0.seconds * 1000;
      let epochTrainMs = p0.seconds * 1000;
      const read = async () => {
        for (const [k, t] of Object.entries(acc)) host[k] = (await t.data())[0];
        return host;
      };
      const dropAcc = () => { for (const t of Object.values(acc)) t.dispose(); acc = {}; };

      for (let step = startStep; step < order.length; step++) {
        if (hooks.shouldStop?.()) {
          const sums = await read();
          dropAcc();
          st.seconds += (performance.now() - epochStart) / 1000 - p0.seconds;
          await save(epoch, step, { sums: { ...sums }, seen, seconds: epochTrainMs / 1000 });
          return result(true);
        }
        const t0 = performance.now();
        const idx = order[step], n = idx.length;
        const ctx = { epoch: epoch + 1, step: step + 1, globalStep: epoch * stepsPerEpoch + step + 1 };
        const next = tidy(() => {
          const m = task.step(idx, ctx);
          return noGrad(() => {
            const sums: Record<string, Tensor> = {};
            for (const [k, v] of Object.entries(m)) {
              const weighted = typeof v === 'number' ? scalar(v * n) : v.mul(n);
              sums[k] = acc[k] ? acc[k].add(weighted) : weighted;
            }
            return sums;
          });
        });
        dropAcc();
        acc = next;
        const lr = lrOf();
        for (const s of Object.values(schedulers)) s.step();
        seen += n;
        st.samplesSeen += n;
        const dt = performance.now() - t0;
        epochTrainMs += dt;
        st.trainSeconds += dt / 1000;
        if ((step + 1) % every === 0 || step === order.length - 1) {
          const sums = await read();
          for (const k of task.guarded ?? Object.keys(sums)) {
            if (k in sums && !Number.isFinite(sums[k])) throw new NonFiniteError(k, epoch + 1, step + 1, lr, sums[k]);
          }
          const rate = seen / (epochTrainMs / 1000);
          const stepsLeft = order.length - step - 1 + (epochs - epoch - 1) * order.length;
          hooks.onProgress?.({
            epoch: epoch + 1, epochs, step: step + 1, steps: order.length,
            metrics: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen])),
            samplesPerSecond: rate, etaSeconds: (stepsLeft * task.batchSize) / rate, lr,
          });
        }
        // Let signals (Ctrl-C) and timers in between steps.
        await yieldToEventLoop();
      }
      const sums = await read();
      dropAcc();
      startStep = 0;

      hooks.onEvaluate?.(epoch + 1);
      const write = (file: string, data: string | Uint8Array) => store?.write(file, data);
      const progress = (done: number, total: number, what?: string) => hooks.onEvaluate?.(epoch + 1, { done, total, what });
      const evaluation = (await task.evaluate?.({ epoch: epoch + 1, epochs, out, write, progress })) ?? {};
      const epochSeconds = (performance.now() - epochStart) / 1000;
      st.seconds += epochSeconds - p0.seconds;
      const record: EpochRecord = {
        epoch: epoch + 1,
        ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [`train_${k}`, v / seen])),
        ...evaluation,
        lr: lrOf(), seconds: epochSeconds, samples_per_second: seen / (epochTrainMs / 1000),
      };
      st.history.push(record);
      await save(epoch + 1, 0, { sums: {}, seen: 0, seconds: 0 });
      store?.history(st.history, task.charts);
      hooks.onEpoch?.(record);
    }
    return result(false);
  } finally {
    for (const opt of Object.values(task.optimizers)) { opt.zeroGrad(); opt.dispose(); }
    for (const m of Object.values(task.modules)) { m.zeroGrad(); m.dispose(); }
    task.dispose?.();
  }
}
