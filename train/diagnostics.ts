// Gradient-flow diagnostics during training. Every `every`-th step, for each layer of the task's
// models: its output's mean and standard deviation, for a ReLU the share of dead units (those that
// give 0 for every example of the batch), and for a layer with parameters the gradient norm ‖∇w‖
// and the update-to-weight ratio ‖Δw‖/‖w‖ — the step's actual change, so ‖lr·update‖ for any
// optimiser — whose log10 practitioners watch (around −3 is healthy). Per epoch the samples are
// averaged, checked against a few rules, and the worst finding is put in one line: which layer
// looks unhealthy and why.
//
// A GradientFlowMonitor watches a task's models: the layers' outputs come from forward hooks, the
// gradients and updates from around the task's own step() (diagnostics-task.ts wraps a Task so the
// loop stays as it is), and the figures are read once an epoch.

import { keep, noGrad, stack, type Tensor } from '../engine/index.js';
import type { AnyModule, HookHandle } from '../nn/index.js';
import { lineChart } from '../viz/svg.js';
import type { StepContext } from './core.js';

/** Where a layer stops looking healthy. */
export const HEALTH = {
  /** log10 ‖Δw‖/‖w‖ above this: each step moves the weights by more than a tenth of their norm. */
  maxUpdateRatio: -1,
  /** Below this: the weights barely move. */
  minUpdateRatio: -6,
  /** A ReLU with more dead units than this. */
  maxDeadShare: 0.5,
  /** ‖w‖ more than this many times its norm at the first step: the updates have blown the weights up. */
  maxWeightGrowth: 10,
} as const;

export interface DiagnosticsOptions {
  /** Sample every this many steps (the first step is always sampled). Default 10. */
  every?: number;
}

interface Layer {
  name: string;
  type: string;
  module: AnyModule;
  /** The layer's own parameters (not its children's). */
  params: Tensor[];
  relu: boolean;
}

/** One layer's figures, averaged over an epoch's samples (null where they do not apply). */
export interface LayerFigures {
  layer: string;
  type: string;
  activationMean: number;
  activationStd: number;
  deadShare: number | null;
  gradNorm: number | null;
  /** log10 of the mean ‖Δw‖/‖w‖ over the epoch's samples. */
  updateRatio: number | null;
  /** ‖w‖ at the last sample. */
  weightNorm: number | null;
  /** ‖w‖ at the last sample over ‖w‖ at the first step of training. */
  weightGrowth: number | null;
}

export type Problem = 'non-finite' | 'zero-weights' | 'weights-growing' | 'update-too-large' | 'no-gradient' | 'constant-output' | 'dead-relu' | 'update-too-small';
const SEVERITY: Problem[] = ['non-finite', 'zero-weights', 'weights-growing', 'update-too-large', 'no-gradient', 'constant-output', 'dead-relu', 'update-too-small'];

export interface Finding { layer: string; type: string; problem: Problem; message: string; short: string; magnitude: number }

export interface EpochDiagnostics { epoch: number; samples: number; layers: LayerFigures[]; findings: Finding[]; verdict: string }

/** Per layer, the sampled steps and what was measured at each (the charts' lines). */
export interface Series { step: number[]; mean: number[]; std: number[]; dead: number[]; grad: number[]; ratio: number[]; weight: number[] }

export interface DiagnosticsFile { every: number; layers: { name: string; type: string; relu: boolean; params: boolean }[]; epochs: EpochDiagnostics[]; series: Record<string, Series> }

const fmtPct = (v: number) => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)} %`;

/** The rules, applied to one epoch's figures; the most severe first. */
export function findProblems(layers: LayerFigures[]): Finding[] {
  const out: Finding[] = [];
  layers.forEach((l) => {
    const hasParams = l.gradNorm !== null;
    const found: Omit<Finding, 'layer' | 'type'>[] = [];
    const nonFinite = [['activations', l.activationMean], ['activations', l.activationStd], ['gradient', l.gradNorm]].filter(([, v]) => v !== null && !Number.isFinite(v as number));
    if (nonFinite.length) found.push({ problem: 'non-finite', message: `its ${nonFinite[0][0]} are not finite (NaN or infinity)`, short: `non-finite ${nonFinite[0][0]}`, magnitude: 1 });
    if (hasParams && l.weightNorm === 0) {
      found.push({ problem: 'zero-weights', message: `its weights are all zero${l.gradNorm === 0 ? ' and get no gradient, so they never move (initialised at zero?)' : ''}`, short: 'zero weights', magnitude: 1 });
    }
    if (hasParams && l.weightGrowth !== null && l.weightGrowth > HEALTH.maxWeightGrowth) {
      found.push({ problem: 'weights-growing', message: `its weights have grown ${l.weightGrowth.toFixed(0)}× in norm since the first step (to ${l.weightNorm!.toPrecision(3)}): the updates are too large for it, the learning rate is too high`, short: `weights ${l.weightGrowth.toFixed(0)}× their first norm`, magnitude: l.weightGrowth });
    }
    if (hasParams && l.updateRatio !== null && l.updateRatio > HEALTH.maxUpdateRatio) {
      found.push({ problem: 'update-too-large', message: `each step changes its weights by ${fmtPct(10 ** l.updateRatio)} of their norm (log10 update/weight ${l.updateRatio.toFixed(1)}; near −3 is healthy): the learning rate is too high for it`, short: `log10 update/weight ${l.updateRatio.toFixed(1)}`, magnitude: l.updateRatio });
    }
    if (hasParams && l.gradNorm === 0 && l.weightNorm !== 0) found.push({ problem: 'no-gradient', message: 'no gradient reaches its weights (‖∇w‖ = 0): whatever follows it passes none back', short: 'no gradient', magnitude: 1 });
    if (hasParams && l.activationStd === 0 && l.weightNorm !== 0) found.push({ problem: 'constant-output', message: 'its output is the same for every input (std 0)', short: 'constant output', magnitude: 1 });
    if (l.deadShare !== null && l.deadShare > HEALTH.maxDeadShare) found.push({ problem: 'dead-relu', message: `${fmtPct(l.deadShare)} of its units are dead (0 for every example of a batch)`, short: `${fmtPct(l.deadShare)} dead`, magnitude: l.deadShare });
    if (hasParams && l.updateRatio !== null && Number.isFinite(l.updateRatio) && l.updateRatio < HEALTH.minUpdateRatio && l.gradNorm !== 0) {
      found.push({ problem: 'update-too-small', message: `its weights barely move (log10 update/weight ${l.updateRatio.toFixed(1)}; near −3 is healthy): the learning rate is too low for it, or its gradient vanishes`, short: `log10 update/weight ${l.updateRatio.toFixed(1)}`, magnitude: -l.updateRatio });
    }
    // One finding per layer: its most severe.
    found.sort((a, b) => SEVERITY.indexOf(a.problem) - SEVERITY.indexOf(b.problem));
    if (found.length) out.push({ layer: l.layer, type: l.type, ...found[0] });
  });
  const order = new Map(layers.map((l, i) => [l.layer, i]));
  return out.sort((a, b) => SEVERITY.indexOf(a.problem) - SEVERITY.indexOf(b.problem) || b.magnitude - a.magnitude || order.get(a.layer)! - order.get(b.layer)!);
}

/** The one line: the worst finding, and which other layers look unhealthy. */
export function verdict(findings: Finding[]): string {
  if (!findings.length) {
    return `healthy: no layer has dead ReLUs over ${fmtPct(HEALTH.maxDeadShare)}, a vanishing gradient, or an update/weight ratio outside 10^${HEALTH.minUpdateRatio} … 10^${HEALTH.maxUpdateRatio}`;
  }
  const [worst, ...rest] = findings;
  const also = rest.length ? `; also ${rest.map((f) => `${f.layer} (${f.short})`).join(', ')}` : '';
  return `unhealthy: ${worst.layer} (${worst.type}): ${worst.message}${also}`;
}

/** The layers of a model: every module without children, and any module with parameters of its own. */
function layersOf(modules: Record<string, AnyModule>): Layer[] {
  const many = Object.keys(modules).length > 1;
  return Object.entries(modules).flatMap(([key, root]) => root.namedModules().flatMap(([path, m]): Layer[] => {
    const params = m.namedParameters().filter(([n]) => !n.includes('.')).map(([, p]) => p);
    if (m.namedChildren().length && !params.length) return [];
    const name = [many ? key : '', path].filter(Boolean).join('.') || key;
    return [{ name, type: m.typeName, module: m, params, relu: m.typeName === 'ReLU' }];
  }));
}

const squares = (ts: Tensor[]) => ts.map((t) => t.square().sum()).reduce((a, b) => a.add(b));

/** Watches the task's models; withDiagnostics drives it around each step and epoch. */
export class GradientFlowMonitor {
  readonly layers: Layer[];
  readonly every: number;
  private hooks: HookHandle[] = [];
  private sampling = false;
  /** Figures on the device, per layer, of the samples of the epoch now running. */
  private pending: { step: number; act: Map<string, Tensor>; params: Map<string, Tensor> }[] = [];
  private snapshots = new Map<Tensor, Tensor>();
  private series: Record<string, Series> = {};
  private epochs: EpochDiagnostics[] = [];

  constructor(modules: Record<string, AnyModule>, o: DiagnosticsOptions = {}) {
    this.every = o.every ?? 10;
    if (!(Number.isInteger(this.every) && this.every >= 1)) throw new Error(`diagnostics: every must be a positive integer, got ${this.every}`);
    this.layers = layersOf(modules);
    for (const l of this.layers) {
      this.series[l.name] = { step: [], mean: [], std: [], dead: [], grad: [], ratio: [], weight: [] };
      this.hooks.push(l.module.registerForwardHook((_, __, out) => { if (this.sampling) this.activation(l, out); }));
    }
  }

  private activation(l: Layer, out: unknown): void {
    const y = out as Tensor;
    const sample = this.pending[this.pending.length - 1];
    if (!sample || typeof y?.mean !== 'function' || y.dtype !== 'float32' || sample.act.has(l.name)) return;
    // [mean, std] and, for a ReLU, the share of units that are 0 for every example of the batch.
    sample.act.set(l.name, keep(noGrad(() => stack([
      y.mean(), y.std(undefined, false, 0),
      ...(l.relu && y.ndim >= 2 ? [y.reshape([y.shape[0], -1]).max(0).le(0).float().mean()] : []),
    ]))));
  }

  /** Before a step: sample it or not; if so, remember the weights to measure the update by. */
  beforeStep(ctx: StepContext): void {
    this.sampling = (ctx.globalStep - 1) % this.every === 0;
    if (!this.sampling) return;
    this.pending.push({ step: ctx.globalStep, act: new Map(), params: new Map() });
    noGrad(() => { for (const l of this.layers) for (const p of l.params) this.snapshots.set(p, keep(p.clone())); });
  }

  /** After a step: the gradient norm and the update of each layer's parameters, squared, on the device. */
  afterStep(): void {
    if (!this.sampling) return;
    this.sampling = false;
    const sample = this.pending[this.pending.length - 1];
    noGrad(() => {
      for (const l of this.layers) {
        if (!l.params.length) continue;
        const before = l.params.map((p) => this.snapshots.get(p)!);
        const grads = l.params.map((p) => p.grad ?? p.mul(0));
        sample.params.set(l.name, keep(stack([squares(grads), squares(l.params.map((p, i) => p.sub(before[i]))), squares(before)])));
      }
    });
    for (const t of this.snapshots.values()) t.dispose();
    this.snapshots.clear();
  }

  /** Read the epoch's samples, average them per layer, judge; returns the epoch's record. */
  async endEpoch(epoch: number): Promise<EpochDiagnostics> {
    const samples = this.pending.splice(0);
    const read = async (t: Tensor | undefined) => { if (!t) return null; const v = Array.from(await t.data()); t.dispose(); return v; };
    const acc = new Map<string, { mean: number[]; std: number[]; dead: number[]; grad: number[]; ratio: number[]; w: number | null }>();
    for (const l of this.layers) acc.set(l.name, { mean: [], std: [], dead: [], grad: [], ratio: [], w: null });
    for (const s of samples) {
      for (const l of this.layers) {
        const act = await read(s.act.get(l.name)), par = await read(s.params.get(l.name));
        const a = acc.get(l.name)!, ser = this.series[l.name];
        const [mean, std, dead = NaN] = act ?? [NaN, NaN];
        const [g2, d2, w2] = par ?? [NaN, NaN, NaN];
        const ratio = Math.sqrt(d2) / Math.sqrt(w2);
        ser.step.push(s.step); ser.mean.push(mean); ser.std.push(std); ser.dead.push(dead); ser.grad.push(Math.sqrt(g2)); ser.ratio.push(Math.log10(ratio)); ser.weight.push(Math.sqrt(w2));
        if (act) { a.mean.push(mean); a.std.push(std); if (l.relu) a.dead.push(dead); }
        if (par) { a.grad.push(Math.sqrt(g2)); a.ratio.push(ratio); a.w = Math.sqrt(w2); }
      }
    }
    const avg = (v: number[]) => (v.length ? v.reduce((x, y) => x + y, 0) / v.length : NaN);
    const layers: LayerFigures[] = this.layers.map((l) => {
      const a = acc.get(l.name)!;
      const hasParams = l.params.length > 0 && a.grad.length > 0;
      // A zero ratio's log is -Infinity; 0/0 (weights that were and stay zero) is no ratio at all.
      const ratios = a.ratio.filter((r) => !Number.isNaN(r));
      return {
        layer: l.name, type: l.type, activationMean: avg(a.mean), activationStd: avg(a.std),
        deadShare: l.relu && a.dead.length ? avg(a.dead) : null,
        gradNorm: hasParams ? avg(a.grad) : null,
        updateRatio: hasParams && ratios.length ? Math.log10(avg(ratios)) : null,
        weightNorm: hasParams ? a.w : null,
        weightGrowth: hasParams && this.series[l.name].weight[0] > 0 ? a.w! / this.series[l.name].weight[0] : null,
      };
    });
    const findings = findProblems(layers);
    const record = { epoch, samples: samples.length, layers, findings, verdict: verdict(findings) };
    this.epochs.push(record);
    return record;
  }

  /** Everything measured so far (diagnostics.json). */
  toJSON(): DiagnosticsFile {
    return {
      every: this.every,
      layers: this.layers.map((l) => ({ name: l.name, type: l.type, relu: l.relu, params: l.params.length > 0 })),
      epochs: this.epochs, series: this.series,
    };
  }

  /** For a checkpoint: the finished epochs and the series (samples of an unfinished epoch are dropped). */
  state(): { epochs: EpochDiagnostics[]; series: Record<string, Series> } {
    return JSON.parse(JSON.stringify({ epochs: this.epochs, series: this.series }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
  }

  loadState(s: unknown): void {
    const st = s as { epochs?: EpochDiagnostics[]; series?: Record<string, Series> } | null;
    if (!st?.epochs || !st.series) return;
    const num = (_: string, v: unknown) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v);
    this.epochs = JSON.parse(JSON.stringify(st.epochs), num);
    // Series only of layers this model has, and only up to the saved epochs.
    for (const [name, ser] of Object.entries(JSON.parse(JSON.stringify(st.series), num) as Record<string, Series>)) if (this.series[name]) this.series[name] = ser;
  }

  dispose(): void {
    for (const h of this.hooks) h.remove();
    this.hooks = [];
    for (const s of this.pending.splice(0)) for (const t of [...s.act.values(), ...s.params.values()]) t.dispose();
    for (const t of this.snapshots.values()) t.dispose();
    this.snapshots.clear();
  }
}

/** The charts of the series: one per figure, a line per layer it applies to. */
export function diagnosticsCharts(d: DiagnosticsFile): { file: string; title: string; svg: string }[] {
  const charts: { file: string; title: string; key: keyof Series; y: string; which: (l: DiagnosticsFile['layers'][number]) => boolean; map?: (v: number) => number }[] = [
    { file: 'diagnostics-activation-mean.svg', title: 'Activation mean per layer', key: 'mean', y: 'mean of the output', which: () => true },
    { file: 'diagnostics-activation-std.svg', title: 'Activation std per layer', key: 'std', y: 'std of the output', which: () => true },
    { file: 'diagnostics-dead-relu.svg', title: 'Dead ReLUs (0 for every example of a batch)', key: 'dead', y: 'share of units', which: (l) => l.relu },
    { file: 'diagnostics-grad-norm.svg', title: 'Gradient norm per layer', key: 'grad', y: 'log10 ‖∇w‖', which: (l) => l.params, map: Math.log10 },
    { file: 'diagnostics-update-ratio.svg', title: 'Update-to-weight ratio (healthy near −3)', key: 'ratio', y: 'log10 ‖Δw‖ / ‖w‖', which: (l) => l.params },
  ];
  return charts.filter((c) => d.layers.some(c.which)).map((c) => ({
    file: c.file, title: c.title,
    svg: lineChart(d.layers.filter(c.which).map((l) => {
      const s = d.series[l.name];
      return { name: l.name, x: s.step, y: (s[c.key] as number[]).map((v) => (c.map ? c.map(v) : v)) };
    }), { title: c.title, xLabel: 'training step', yLabel: c.y, width: 720, height: 380 }),
  }));
}
