// Colour maps shared by PNG heatmaps and SVG charts, so a value has the same colour in every figure.

export type Rgb = [number, number, number];

/** Perceptually uniform dark-blue → green → yellow, sampled from matplotlib's viridis at 9 points. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Diverging blue → white → red (ColorBrewer RdBu reversed): negative blue, zero white, positive red. */
const DIVERGING: Rgb[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [247, 247, 247],
  [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/** Ten distinct categorical colours (Tableau 10), one per digit class. */
export const CATEGORICAL: string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

export type ColorMapName = 'viridis' | 'diverging';

/** Colour of t ∈ [0, 1] (clamped) by linear interpolation between the map's anchors. */
export function colorAt(map: ColorMapName, t: number): Rgb {
  const anchors = map === 'viridis' ? VIRIDIS : DIVERGING;
  const pos = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (anchors.length - 1);
  const i = Math.min(anchors.length - 2, Math.floor(pos));
  const f = pos - i;
  return anchors[i].map((c, k) => Math.round(c + (anchors[i + 1][k] - c) * f)) as Rgb;
}

/** The value range a map should span: [min, max] for viridis, symmetric [−m, m] around zero for diverging. */
export function valueRange(values: ArrayLike<number>, map: ColorMapName): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  if (!(lo <= hi)) return [0, 1];
  if (map === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    return [-m, m];
  }
  return [lo, hi];
}

/** Where v falls in [lo, hi] as t ∈ [0, 1]; a zero-width range maps to the middle. */
export const normaliseTo = (v: number, [lo, hi]: [number, number]) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);

export const toHex = ([r, g, b]: Rgb) => '#' + [r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('');
