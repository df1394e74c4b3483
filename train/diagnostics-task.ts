// A task with gradient-flow diagnostics around its steps, so the shared loop needs no change:
// before and after each step() the monitor samples, after each epoch's evaluation the figures are
// read, written into the run folder and judged, and they travel in the task's checkpointed state.

import { GradientFlowMonitor, type DiagnosticsOptions, type EpochDiagnostics } from './diagnostics.js';
import { writeDiagnostics, writeDiagnosticsPage } from './diagnostics-report.js';
import type { EpochContext, Metrics, StepContext, Task } from './core.js';

/** The task with diagnostics around its steps; after each epoch they are written into the run
 *  folder (diagnostics.json, the charts, diagnostics.html) and handed to `onEpoch` (the CLI prints
 *  the verdict). */
export function withDiagnostics(task: Task, o: DiagnosticsOptions & { onEpoch?: (d: EpochDiagnostics) => void } = {}): Task & { diagnostics: GradientFlowMonitor } {
  const monitor = new GradientFlowMonitor(task.modules, o);
  const wrapped: Task & { diagnostics: GradientFlowMonitor } = {
    diagnostics: monitor,
    get name() { return task.name; },
    get config() { return task.config; },
    get size() { return task.size; },
    get batchSize() { return task.batchSize; },
    get modules() { return task.modules; },
    get optimizers() { return task.optimizers; },
    get schedulers() { return task.schedulers; },
    get generators() { return task.generators; },
    get guarded() { return task.guarded; },
    get charts() { return task.charts; },
    cards: () => task.cards(),
    step(batch: Int32Array, ctx: StepContext): Metrics {
      monitor.beforeStep(ctx);
      try { return task.step(batch, ctx); } finally { monitor.afterStep(); }
    },
    async evaluate(ctx: EpochContext) {
      const figures = (await task.evaluate?.(ctx)) ?? {};
      const d = await monitor.endEpoch(ctx.epoch);
      writeDiagnostics(ctx.out, monitor.toJSON());
      writeDiagnosticsPage(ctx.out, monitor.toJSON(), `Training diagnostics: ${task.name}`);
      o.onEpoch?.(d);
      return figures;
    },
    // The task's own state with the diagnostics beside it, so a resumed run keeps its earlier epochs.
    state() {
      const inner = task.state?.() ?? null;
      const own = monitor.state();
      return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? { ...inner, diagnostics: own } : { inner, diagnostics: own };
    },
    loadState(s: unknown) {
      const st = (s ?? {}) as Record<string, unknown>;
      monitor.loadState(st.diagnostics ?? null);
      if ('inner' in st) task.loadState?.(st.inner);
      else { const { diagnostics: _, ...rest } = st; task.loadState?.(s === null ? null : rest); }
    },
    dispose() { monitor.dispose(); task.dispose?.(); },
  };
  return wrapped;
}
