// Small self-contained SVG charts for the report (no fonts, scripts or CSS to fetch): bars, lines, histograms, scatter, matrices.
import { CATEGORICAL, type ColorMapName, colorAt, normaliseTo, toHex, valueRange } from './colormap.js';

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number; // default 640
  height?: number; // default 400
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number; // x of the plot area's right edge
  top: number;
  bottom: number; // y of the plot area's bottom edge
}

type Scale = (v: number) => number;

const LEGEND_WIDTH = 120;

/** Escape text for SVG content and attributes. */
export const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A round step (1, 2 or 5 × 10^k) nearest to giving `count` intervals over [lo, hi] (d3's rule: geometric midpoints). */
export function niceStep(lo: number, hi: number, count = 5): number {
  const raw = hi > lo ? (hi - lo) / count : 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const e = raw / mag;
  return mag * (e >= Math.sqrt(50) ? 10 : e >= Math.sqrt(10) ? 5 : e >= Math.sqrt(2) ? 2 : 1);
}

/** Round-number ticks inside [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const step = niceStep(lo, hi, count);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** A tick label: at most 4 significant digits, no trailing zeros. */
export const formatNumber = (v: number) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

const linear = ([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale => (v) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));

function frameOf(o: ChartOptions, legend: boolean): Frame {
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  return { width, height, left: 64, right: width - (legend ? LEGEND_WIDTH : 20), top: o.title ? 36 : 16, bottom: height - 48 };
}

function svgDocument(f: Frame, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${f.width}" height="${f.height}" fill="white"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

const text = (x: number, y: number, s: string, attrs = '') => `<text x="${r(x)}" y="${r(y)}" ${attrs}>${escapeXml(s)}</text>`;
const r = (v: number) => Math.round(v * 100) / 100;

/** Title and axis labels around the plot area. */
function labels(f: Frame, o: ChartOptions): string[] {
  const out: string[] = [];
  if (o.title) out.push(text(f.width / 2, 22, o.title, 'text-anchor="middle" font-size="15" font-weight="bold"'));
  if (o.xLabel) out.push(text((f.left + f.right) / 2, f.height - 10, o.xLabel, 'text-anchor="middle"'));
  if (o.yLabel) {
    const cy = (f.top + f.bottom) / 2;
    out.push(text(16, cy, o.yLabel, `text-anchor="middle" transform="rotate(-90 16 ${r(cy)})"`));
  }
  return out;
}

/** Left axis with ticks, labels and light grid lines. */
function yAxis(f: Frame, ticks: number[], y: Scale): string[] {
  const out = [`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="black"/>`];
  for (const t of ticks) {
    const py = r(y(t));
    out.push(`<line x1="${f.left}" y1="${py}" x2="${f.right}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${f.left - 4}" y1="${py}" x2="${f.left}" y2="${py}" stroke="black"/>`);
    out.push(text(f.left - 7, py + 4, formatNumber(t), 'text-anchor="end"'));
  }
  return out;
}

/** Bottom axis; `ticks` are [position, label] pairs so categorical and numeric axes share it. */
function xAxis(f: Frame, ticks: [number, string][]): string[] {
  const out = [`<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="black"/>`];
  for (const [px, label] of ticks) {
    out.push(`<line x1="${r(px)}" y1="${f.bottom}" x2="${r(px)}" y2="${f.bottom + 4}" stroke="black"/>`);
    out.push(text(px, f.bottom + 17, label, 'text-anchor="middle"'));
  }
  return out;
}

const numericTicks = (ticks: number[], x: Scale): [number, string][] => ticks.map((t) => [x(t), formatNumber(t)]);

function legend(f: Frame, entries: { name: string; color: string }[]): string[] {
  return entries.flatMap((e, i) => {
    const y = f.top + 8 + i * 18;
    return [`<rect x="${f.right + 12}" y="${y - 9}" width="12" height="12" fill="${e.color}"/>`, text(f.right + 30, y + 1, e.name)];
  });
}

/** [min, max] of all values, widened to include `include` (0 for bars) and to a non-empty interval. */
function extent(values: Iterable<number>, include?: number): [number, number] {
  let lo = include ?? Infinity;
  let hi = include ?? -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo <= hi)) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** A y scale whose domain is widened outward to whole ticks, and those ticks. */
function yScale(f: Frame, [lo, hi]: [number, number]): { y: Scale; ticks: number[] } {
  const step = niceStep(lo, hi);
  const domain: [number, number] = [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
  return { y: linear(domain, [f.bottom, f.top]), ticks: niceTicks(...domain) };
}

export interface Series {
  name: string;
  values: number[];
}

/** Grouped bars: one group per category, one bar per series (e.g. train and test counts per digit). */
export function barChart(data: { categories: string[]; series: Series[] }, o: ChartOptions = {}): string {
  const f = frameOf(o, data.series.length > 1);
  const { y, ticks } = yScale(f, extent(data.series.flatMap((s) => s.values), 0));
  const groupW = (f.right - f.left) / Math.max(1, data.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, data.series.length);
  const bars = data.series.flatMap((s, si) =>
    s.values.map((v, ci) => {
      const x = f.left + ci * groupW + groupW * 0.1 + si * barW;
      const [y0, y1] = [y(0), y(v)].sort((a, b) => a - b);
      return `<rect x="${r(x)}" y="${r(y0)}" width="${r(barW)}" height="${r(y1 - y0)}" fill="${CATEGORICAL[si % 10]}"><title>${escapeXml(`${s.name} ${data.categories[ci]}: ${v}`)}</title></rect>`;
    }),
  );
  const xTicks = data.categories.map((c, i): [number, string] => [f.left + (i + 0.5) * groupW, c]);
  const keys = data.series.length > 1 ? legend(f, data.series.map((s, i) => ({ name: s.name, color: CATEGORICAL[i % 10] }))) : [];
  return svgDocument(f, [...yAxis(f, ticks, y), ...bars, ...xAxis(f, xTicks), ...keys, ...labels(f, o)]);
}

export interface LineSeries {
  name: string;
  y: number[];
  x?: number[]; // default 1, 2, 3, … (epochs)
}

/** Lines with markers and a legend, e.g. train and validation loss per epoch. */
export function lineChart(series: LineSeries[], o: ChartOptions = {}): string {
  const f = frameOf(o, true);
  const xs = (s: LineSeries) => s.x ?? s.y.map((_, i) => i + 1);
  const xDomain = extent(series.flatMap(xs));
  const x = linear(xDomain, [f.left, f.right]);
  const { y, ticks } = yScale(f, extent(series.flatMap((s) => s.y)));
  const lines = series.flatMap((s, si) => {
    const color = CATEGORICAL[si % 10];
    const pts = xs(s).map((xv, i) => [x(xv), y(s.y[i])]).filter(([, py]) => Number.isFinite(py));
    return [
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([a, b]) => `${r(a)},${r(b)}`).join(' ')}"/>`,
      ...pts.map(([a, b]) => `<circle cx="${r(a)}" cy="${r(b)}" r="2.5" fill="${color}"/>`),
    ];
  });
  const keys = legend(f, series.map((s, i) => ({ name: s.name, color: CATEGORICAL[i % 10] })));
  return svgDocument(f, [...yAxis(f, ticks, y), ...lines, ...xAxis(f, numericTicks(niceTicks(...xDomain), x)), ...keys, ...labels(f, o)]);
}

/** Counts of `values` in `bins` equal-width bins over [min, max] (the max falls in the last bin). */
export function histogramCounts(values: ArrayLike<number>, bins: number, range?: [number, number]): { edges: number[]; counts: number[] } {
  const [lo, hi] = range ?? extent(Array.from(values));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts };
}

/** Histogram of a sample (e.g. ink per image), bars touching on a numeric x axis. */
export function histogram(values: ArrayLike<number>, o: ChartOptions & { bins?: number; range?: [number, number] } = {}): string {
  const f = frameOf(o, false);
  const { edges, counts } = histogramCounts(values, o.bins ?? 20, o.range);
  const xDomain: [number, number] = [edges[0], edges[edges.length - 1]];
  const x = linear(xDomain, [f.left, f.right]);
  const { y, ticks } = yScale(f, extent(counts, 0));
  const bars = counts.map((c, i) => {
    const x0 = x(edges[i]);
    return `<rect x="${r(x0)}" y="${r(y(c))}" width="${r(x(edges[i + 1]) - x0)}" height="${r(y(0) - y(c))}" fill="${CATEGORICAL[0]}" stroke="white" stroke-width="0.5"/>`;
  });
  return svgDocument(f, [...yAxis(f, ticks, y), ...bars, ...xAxis(f, numericTicks(niceTicks(...xDomain), x)), ...labels(f, o)]);
}

/** Points coloured by class with a legend, e.g. a 2-D PCA projection of digits. */
export function scatterPlot(
  data: { x: ArrayLike<number>; y: ArrayLike<number>; labels: ArrayLike<number>; classNames?: string[] },
  o: ChartOptions = {},
): string {
  const f = frameOf(o, true);
  const [x0, x1] = extent(Array.from(data.x));
  const xDomain: [number, number] = [x0 - (x1 - x0) * 0.03, x1 + (x1 - x0) * 0.03]; // keep edge points off the axes
  const x = linear(xDomain, [f.left, f.right]);
  const { y, ticks } = yScale(f, extent(Array.from(data.y)));
  const dots = Array.from(data.x, (xv, i) => `<circle cx="${r(x(xv))}" cy="${r(y(data.y[i]))}" r="2" fill="${CATEGORICAL[data.labels[i] % 10]}" fill-opacity="0.7"/>`);
  const classes = [...new Set(Array.from(data.labels))].sort((a, b) => a - b);
  const keys = legend(f, classes.map((c) => ({ name: data.classNames?.[c] ?? String(c), color: CATEGORICAL[c % 10] })));
  return svgDocument(f, [...yAxis(f, ticks, y), ...dots, ...xAxis(f, numericTicks(niceTicks(...xDomain), x)), ...keys, ...labels(f, o)]);
}

/** A matrix as coloured cells with the number written in each, e.g. a confusion matrix (rows true, columns predicted). */
export function matrixHeatmap(
  data: { matrix: number[][]; rowLabels?: string[]; colLabels?: string[]; map?: ColorMapName; showValues?: boolean },
  o: ChartOptions = {},
): string {
  const { matrix, map = 'viridis' } = data;
  const f = frameOf(o, false);
  const nRows = matrix.length;
  const nCols = Math.max(0, ...matrix.map((row) => row.length));
  const cell = Math.min((f.right - f.left) / Math.max(1, nCols), (f.bottom - f.top) / Math.max(1, nRows));
  const range = valueRange(matrix.flat(), map);
  const body: string[] = [];
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const [cx, cy] = [f.left + j * cell, f.top + i * cell];
      const rgb = colorAt(map, normaliseTo(v, range));
      const ink = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128 ? 'white' : 'black';
      body.push(`<rect x="${r(cx)}" y="${r(cy)}" width="${r(cell)}" height="${r(cell)}" fill="${toHex(rgb)}"/>`);
      if (data.showValues !== false) body.push(text(cx + cell / 2, cy + cell / 2 + 4, formatNumber(v), `text-anchor="middle" fill="${ink}" font-size="${Math.max(7, Math.min(12, cell / 3)).toFixed(0)}"`));
    }),
  );
  const rowLabels = data.rowLabels ?? matrix.map((_, i) => String(i));
  const colLabels = data.colLabels ?? Array.from({ length: nCols }, (_, j) => String(j));
  rowLabels.forEach((s, i) => body.push(text(f.left - 6, f.top + (i + 0.5) * cell + 4, s, 'text-anchor="end"')));
  colLabels.forEach((s, j) => body.push(text(f.left + (j + 0.5) * cell, f.top + nRows * cell + 16, s, 'text-anchor="middle"')));
  const g = { ...f, right: f.left + nCols * cell, bottom: f.top + nRows * cell + 20 };
  return svgDocument(f, [...body, ...labels(g, o)]);
}

/** SVG documents of one size tiled `cols` across in one document (each keeps its own coordinates). */
export function svgGrid(docs: string[], cols: number, width: number, height: number, gap = 8): string {
  if (!docs.length) throw new RangeError('svgGrid: no panels');
  const rows = Math.ceil(docs.length / cols);
  const W = cols * (width + gap) - gap, H = rows * (height + gap) - gap;
  const panels = docs.map((d, k) => d.replace(/^<svg /, `<svg x="${(k % cols) * (width + gap)}" y="${Math.floor(k / cols) * (height + gap)}" `));
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`, `<rect width="${W}" height="${H}" fill="white"/>`, ...panels, '</svg>'].join('\n');
}
