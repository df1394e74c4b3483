// What a run leaves beside its checkpoint: history.json and one SVG curve per metric. Keys are
// grouped by what follows their split prefix, so train_loss, val_loss and test_loss share
// loss.svg; a task may name its own charts instead. As texts by file name: the store writes them.

import { lineChart } from '../viz/svg.js';
import type { EpochRecord } from './state.js';

export interface ChartSpec {
  /** File name in the run folder, e.g. 'loss.svg'. */
  file: string;
  title: string;
  yLabel: string;
  /** History keys to draw, each as one line named by the label given (default: the key). */
  series: { key: string; name?: string }[];
}

const SPLITS = ['train', 'val', 'test'] as const;
const SPLIT_NAMES: Record<string, string> = { train: 'train', val: 'validation', test: 'test' };
const NOT_METRICS = new Set(['epoch', 'seconds', 'samples_per_second', 'lr']);

/** The default charts: one per metric, with a line per split that reports it. */
export function defaultCharts(history: EpochRecord[]): ChartSpec[] {
  const keys = [...new Set(history.flatMap((h) => Object.keys(h)))].filter((k) => !NOT_METRICS.has(k));
  const byMetric = new Map<string, { key: string; name: string }[]>();
  for (const key of keys) {
    const split = SPLITS.find((s) => key.startsWith(`${s}_`));
    const metric = split ? key.slice(split.length + 1) : key;
    const list = byMetric.get(metric) ?? byMetric.set(metric, []).get(metric)!;
    list.push({ key, name: split ? SPLIT_NAMES[split] : key });
  }
  return [...byMetric].map(([metric, series]) => ({
    file: `${metric.replace(/[^a-z0-9_-]/gi, '_')}.svg`,
    title: `${metric.replace(/_/g, ' ')} per epoch`,
    yLabel: metric === 'loss' ? 'loss' : metric.replace(/_/g, ' '),
    series: series.sort((a, b) => SPLITS.findIndex((s) => a.key.startsWith(s)) - SPLITS.findIndex((s) => b.key.startsWith(s))),
  }));
}

/** history.json and each chart's SVG, by file name. */
export function historyFiles(history: EpochRecord[], charts?: ChartSpec[]): Map<string, string> {
  const files = new Map([['history.json', JSON.stringify(history, null, 1) + '\n']]);
  const x = history.map((h) => h.epoch);
  for (const c of charts ?? defaultCharts(history)) {
    const series = c.series.map((s) => ({ name: s.name ?? s.key, x, y: history.map((h) => h[s.key] ?? NaN) }));
    files.set(c.file, lineChart(series, { title: c.title, xLabel: 'epoch', yLabel: c.yLabel }));
  }
  return files;
}
