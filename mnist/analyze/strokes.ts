// Per-class stroke statistics (ink, bounding box, centre of mass, slant): what separates digits before any learning.
import { strokeStats } from '../features.js';
import { barChart } from '../../viz/svg.js';
import { digitsOnly, imageAt, words, type SectionContext, type SectionResult } from './context.js';
import { figure, p, table } from '../../viz/html.js';

/** The stroke measurements of one image as plain numbers (an empty image gives zeros). */
export interface StrokeRow {
  ink: number; // sum of intensities in [0, 1]
  width: number; // bounding-box columns
  height: number; // bounding-box rows
  cx: number; // centre of mass, x (column)
  cy: number; // centre of mass, y (row)
  slant: number; // horizontal lean per unit of height, > 0 leans right
}

export const STROKE_KEYS = ['ink', 'width', 'height', 'cx', 'cy', 'slant'] as const satisfies readonly (keyof StrokeRow)[];

export function strokeRow(img: Float32Array, rows: number, cols: number): StrokeRow {
  const s = strokeStats(img, rows, cols);
  const b = s.bbox;
  return {
    ink: s.ink,
    width: b ? b.right - b.left + 1 : 0,
    height: b ? b.bottom - b.top + 1 : 0,
    cx: s.centerOfMass?.x ?? 0,
    cy: s.centerOfMass?.y ?? 0,
    slant: s.slant,
  };
}

/** The stroke features of every image, n × 6 in STROKE_KEYS order (a feature matrix for the separability probes). */
export function strokeFeatures(unit: Float32Array, count: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(count * STROKE_KEYS.length);
  for (let i = 0; i < count; i++) {
    const r = strokeRow(imageAt(unit, i, rows * cols), rows, cols);
    STROKE_KEYS.forEach((k, j) => (out[i * STROKE_KEYS.length + j] = r[k]));
  }
  return out;
}

/** Mean and standard deviation of each feature column within each class. */
export function classFeatureMoments(features: Float32Array, labels: Uint8Array, numClasses: number, dim: number): { mean: number[][]; std: number[][] } {
  const s = Array.from({ length: numClasses }, () => new Float64Array(dim));
  const ss = Array.from({ length: numClasses }, () => new Float64Array(dim));
  const n = new Array<number>(numClasses).fill(0);
  labels.forEach((c, i) => {
    n[c]++;
    for (let j = 0; j < dim; j++) {
      const v = features[i * dim + j];
      s[c][j] += v;
      ss[c][j] += v * v;
    }
  });
  const mean = s.map((row, c) => Array.from(row, (v) => (n[c] ? v / n[c] : 0)));
  const std = ss.map((row, c) => Array.from(row, (v, j) => Math.sqrt(Math.max(0, (n[c] ? v / n[c] : 0) - mean[c][j] ** 2))));
  return { mean, std };
}

export interface StrokeSectionStats {
  stroke_means: Record<string, number>[];
}

export function strokeSection(ctx: SectionContext, trainStroke: Float32Array): SectionResult<StrokeSectionStats> {
  const { train, numClasses } = ctx.data;
  const dim = STROKE_KEYS.length;
  const { mean, std } = classFeatureMoments(trainStroke, train.labels, numClasses, dim);
  const w = words(ctx.data), names = w.names;
  const col = (k: (typeof STROKE_KEYS)[number]) => mean.map((m) => m[STROKE_KEYS.indexOf(k)]);
  const sdOf = (k: (typeof STROKE_KEYS)[number]) => std.map((m) => m[STROKE_KEYS.indexOf(k)]);
  const ink = barChart({ categories: names, series: [{ name: 'ink', values: col('ink') }] },
    { title: `Mean ink per ${w.cls}`, xLabel: w.cls, yLabel: 'sum of intensities', width: 420, height: 300 });
  const slant = barChart({ categories: names, series: [{ name: 'slant', values: col('slant') }] },
    { title: `Mean slant per ${w.cls} (> 0 leans right)`, xLabel: w.cls, yLabel: 'Δx per unit of height', width: 420, height: 300 });
  const box = barChart({ categories: names, series: [{ name: 'width', values: col('width') }, { name: 'height', values: col('height') }] },
    { title: `Mean bounding box per ${w.cls}`, xLabel: w.cls, yLabel: 'pixels', width: 560, height: 300 });
  const inkMeans = col('ink');
  const lightest = inkMeans.indexOf(Math.min(...inkMeans));
  const heaviest = inkMeans.indexOf(Math.max(...inkMeans));
  const f = (m: number, s: number) => `${m.toFixed(2)} ± ${s.toFixed(2)}`;
  const rows = names.map((nm: string, c: number) => [nm, ...STROKE_KEYS.map((k) => f(col(k)[c], sdOf(k)[c]))]);
  const body = [
    p(`Measured on all ${train.count.toLocaleString('en')} training images with <code>strokeStats</code> (mnist/features.ts): ink is the sum of intensities, ` +
      'the bounding box covers every non-zero pixel, the centre of mass is intensity-weighted, and slant is −μ₁₁/μ₀₂ (horizontal lean per unit of height).'),
    table([w.cls, 'ink', 'box width', 'box height', 'centre x', 'centre y', 'slant'], rows),
    figure(`${ink}${slant}`,
      `Mean ink and mean slant per ${w.cls}. What to notice: <b>${names[lightest]}</b> uses the least ink and <b>${names[heaviest]}</b> the most` +
      digitsOnly(w, ' — ink alone already tells a 1 from a 0 or an 8. Most digits lean right (positive slant), the handwriting habit a model has to be invariant to.',
        '; a difference in ink alone already separates some classes.')),
    figure(box, `Mean bounding-box width and height per ${w.cls}. ` + digitsOnly(w, 'What to notice: MNIST digits were scaled to fit a 20×20 box, so the height ' +
      'is nearly the same for every digit, while the width varies with the digit\'s shape — the narrow 1 stands out most.',
      'What to notice: which classes fill the frame and which leave it partly empty; the box alone is a feature a classifier can use.')),
  ].join('\n');
  return {
    section: { id: 'strokes', title: w.digits ? 'Stroke statistics' : 'Shape statistics', body },
    stats: { stroke_means: mean.map((m) => Object.fromEntries(STROKE_KEYS.map((k, j) => [k, m[j]]))) },
  };
}
