// The diagnostics on disk and as a report section: diagnostics.json and the charts in the run
// folder, diagnostics.html, and the section the analysis report shows (each epoch's verdict, the
// last epoch's figures per layer, the charts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, readJson, writeFileAtomic } from '../io/files.js';
import { esc, figure, p, page, table, type Section } from '../viz/html.js';
import { diagnosticsCharts, HEALTH, type DiagnosticsFile } from './diagnostics.js';

const num = (v: number | null, digits = 3) => (v === null || Number.isNaN(v) ? '—' : !Number.isFinite(v) ? String(v) : Number(v.toPrecision(digits)).toString());

const CAPTIONS: Record<string, string> = {
  'diagnostics-activation-mean.svg': 'The mean of each layer\'s output on the sampled training batches. What to notice: a ReLU\'s mean is never negative; a mean that drifts far from 0 over training (thousands) says the weights are growing.',
  'diagnostics-activation-std.svg': 'The spread of each layer\'s output. What to notice: with standardised inputs and PyTorch\'s initialisation it stays of order 1; a std of 0 is a layer whose output no longer depends on its input, a std that explodes is a learning rate too high.',
  'diagnostics-dead-relu.svg': 'The share of each ReLU\'s units that output 0 for every example of the batch: no gradient passes through those. What to notice: a few percent is normal; above half, the layer has stopped learning.',
  'diagnostics-grad-norm.svg': 'log10 of the gradient norm of each layer\'s parameters. What to notice: −∞ (no point drawn) is no gradient at all; layers far below the others are where the gradient vanishes on its way back.',
  'diagnostics-update-ratio.svg': `log10 of ‖Δw‖/‖w‖, how much one optimiser step changes each layer's weights relative to their size (‖lr·update‖/‖w‖). What to notice: near −3 is the classic healthy value; above ${HEALTH.maxUpdateRatio} the steps are too large (lower the learning rate), far below −4 the layer barely learns.`,
};

export function diagnosticsSection(d: DiagnosticsFile, o: { id?: string; title?: string } = {}): Section {
  const last = d.epochs[d.epochs.length - 1];
  const verdicts = d.epochs.map((e) => `<li>epoch ${e.epoch} (${e.samples} sampled steps): ${esc(e.verdict)}</li>`).join('');
  const rows = (last?.layers ?? []).map((l) => [
    `<code>${esc(l.layer)}</code>`, esc(l.type), num(l.activationMean), num(l.activationStd),
    l.deadShare === null ? '—' : `${(100 * l.deadShare).toFixed(1)} %`, num(l.gradNorm), num(l.updateRatio, 2), num(l.weightGrowth, 3),
  ]);
  const charts = diagnosticsCharts(d).map((c) => figure(c.svg, CAPTIONS[c.file] ?? esc(c.title))).join('\n');
  return {
    id: o.id ?? 'diagnostics',
    title: o.title ?? 'Gradient flow during training',
    body: [
      p(`Every ${d.every}th training step, for each layer: its output's mean and std, for a ReLU the share of dead units, and for a layer with weights the gradient norm and log10 of the update-to-weight ratio ‖Δw‖/‖w‖ (Δw is the optimiser's actual step, so this is ‖lr·update‖/‖w‖). Averaged per epoch and checked: dead ReLUs over ${100 * HEALTH.maxDeadShare} %, no gradient, weights at zero or grown ${HEALTH.maxWeightGrowth}× their first norm, an update ratio outside 10^${HEALTH.minUpdateRatio} … 10^${HEALTH.maxUpdateRatio}.`),
      `<div class="note"><ul>${verdicts}</ul></div>`,
      last ? p(`Epoch ${last.epoch}, per layer:`) : '',
      last ? table(['layer', 'type', 'activation mean', 'activation std', 'dead ReLUs', '‖∇w‖', 'log10 ‖Δw‖/‖w‖', '‖w‖ / first ‖w‖'], rows) : '',
      charts,
    ].join('\n'),
  };
}

/** diagnostics.html in the run folder: the section as a page of its own. */
export function writeDiagnosticsPage(dir: string, d: DiagnosticsFile, title: string): string {
  const path = join(dir, 'diagnostics.html');
  writeFileAtomic(path, page(title, `Gradient-flow diagnostics written by <code>zerograd train --diagnostics</code> after epoch ${d.epochs.length}.`, [diagnosticsSection(d)]));
  return path;
}

/** Write diagnostics.json and the charts into a run folder. */
export function writeDiagnostics(dir: string, d: DiagnosticsFile): string[] {
  const replacer = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  writeFileAtomic(join(dir, 'diagnostics.json'), JSON.stringify(d, replacer, 1) + '\n');
  const charts = diagnosticsCharts(d);
  for (const c of charts) writeFileAtomic(join(dir, c.file), c.svg);
  return ['diagnostics.json', ...charts.map((c) => c.file)];
}

/** The diagnostics.json in a run folder, or null if the run was trained without --diagnostics.
 *  (Non-finite figures are stored as null.) */
export function readDiagnostics(dir: string): DiagnosticsFile | null {
  const path = join(dir, 'diagnostics.json');
  if (!existsSync(path)) return null;
  const d = readJson(path, 'diagnostics file') as Partial<DiagnosticsFile>;
  if (!Array.isArray(d?.epochs) || !Array.isArray(d.layers) || typeof d.series !== 'object' || typeof d.every !== 'number') {
    throw new DataError(`${path}: not a diagnostics file (expected every, layers, epochs and series, as zerograd train --diagnostics writes)`);
  }
  return d as DiagnosticsFile;
}
