// Profiling training steps: any task's step(), run as the loop runs it (one tidy() per step, a
// seeded batch order), under the engine's profiler, after a few unprofiled warm-up steps (the
// first calls pay for kernel compilation and buffer growth); and the chart of where a step's time
// goes, per op, forward against backward.

import { profile, tidy, type Profile } from '../engine/index.js';
import { barChart } from '../viz/svg.js';
import type { Task } from './core.js';
import { batches } from './order.js';

export interface ProfileStepsOptions { steps: number; warmup?: number; seed?: number }

/** Run `warmup` steps, then profile `steps` more of `task` (the modules in training mode). */
export async function profileSteps(task: Task, o: ProfileStepsOptions): Promise<Profile> {
  const warmup = o.warmup ?? 2;
  const need = warmup + o.steps;
  const order: Int32Array[] = [];
  for (let epoch = 0; order.length < need; epoch++) {
    for (const b of batches(task.size, task.batchSize, { seed: (o.seed ?? 0) + epoch })) if (order.length < need) order.push(b);
  }
  for (const m of Object.values(task.modules)) m.train();
  const run = (i: number) => tidy(() => { task.step(order[i], { epoch: 1, step: i + 1, globalStep: i + 1 }); });
  for (let i = 0; i < warmup; i++) run(i);
  return profile(() => { for (let i = warmup; i < need; i++) run(i); });
}

/** Milliseconds per step of the `top` most expensive ops, a bar each for forward, backward and
 *  kernels outside ops ('other': uploads, optimiser updates). */
export function profileChart(p: Profile, steps: number, o: { top?: number; title?: string } = {}): string {
  const byOp = new Map<string, number>();
  for (const r of p.rows) byOp.set(r.op, (byOp.get(r.op) ?? 0) + r.totalMs);
  const ops = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, o.top ?? 10).map(([op]) => op);
  const directions = (['forward', 'backward', 'other'] as const).filter((d) => p.rows.some((r) => r.direction === d && ops.includes(r.op)));
  const series = directions.map((d) => ({
    name: d,
    values: ops.map((op) => Number(((p.rows.find((r) => r.op === op && r.direction === d)?.totalMs ?? 0) / steps).toFixed(3))),
  }));
  return barChart({ categories: ops, series }, {
    title: o.title ?? `Where a training step's time goes (${p.backend}, ${p.timing.method})`,
    yLabel: 'kernel ms per step', xLabel: `op (${(p.wallMs / steps).toFixed(1)} ms per step in all, ${((100 * p.kernelMs) / p.wallMs).toFixed(0)} % inside kernels)`,
    width: Math.max(640, 90 * ops.length + 200), height: 420,
  });
}
