// Pixel-level statistics: the value histogram, mean/std/zero share, sample digits, and per-class mean and spread images.
import { heatmap, imageGrid } from '../../viz/png.js';
import { histogram } from '../../viz/svg.js';
import { gather } from '../dataset.js';
import { digitsOnly, words, type SectionContext, type SectionResult } from './context.js';
import { mosaic } from '../../viz/draw.js';
import { colorBar, figure, img, p, table } from '../../viz/html.js';

export interface PixelStats {
  mean: number; // of v/255
  std: number; // population standard deviation of v/255
  zeroShare: number; // fraction of pixels exactly 0
  fullShare: number; // fraction of pixels exactly 255
  count: number;
}

/** Mean, standard deviation and zero share of bytes read as v/255, exactly, from a 256-bin count. */
export function pixelStats(bytes: Uint8Array): PixelStats {
  const counts = new Float64Array(256);
  for (let i = 0; i < bytes.length; i++) counts[bytes[i]]++;
  let s = 0;
  let ss = 0;
  for (let v = 0; v < 256; v++) {
    s += counts[v] * (v / 255);
    ss += counts[v] * (v / 255) ** 2;
  }
  const n = bytes.length;
  const mean = n ? s / n : 0;
  return { mean, std: Math.sqrt(Math.max(0, (n ? ss / n : 0) - mean * mean)), zeroShare: n ? counts[0] / n : 0, fullShare: n ? counts[255] / n : 0, count: n };
}

/** Per class, the mean and the standard deviation of each pixel (floats in [0, 1]). */
export function classMeanStd(unit: Float32Array, labels: Uint8Array, numClasses: number, size: number): { mean: Float32Array[]; std: Float32Array[]; counts: number[] } {
  const s = Array.from({ length: numClasses }, () => new Float64Array(size));
  const ss = Array.from({ length: numClasses }, () => new Float64Array(size));
  const counts = new Array<number>(numClasses).fill(0);
  labels.forEach((c, i) => {
    counts[c]++;
    const o = i * size;
    for (let j = 0; j < size; j++) {
      const v = unit[o + j];
      s[c][j] += v;
      ss[c][j] += v * v;
    }
  });
  const mean = s.map((row, c) => Float32Array.from(row, (v) => (counts[c] ? v / counts[c] : 0)));
  const std = ss.map((row, c) => Float32Array.from(row, (v, j) => Math.sqrt(Math.max(0, (counts[c] ? v / counts[c] : 0) - mean[c][j] ** 2))));
  return { mean, std, counts };
}

/** Indices of the first `k` examples of each class, class by class. */
export function firstOfEachClass(labels: Uint8Array, numClasses: number, k: number): number[][] {
  const picks = Array.from({ length: numClasses }, () => [] as number[]);
  for (let i = 0; i < labels.length; i++) if (picks[labels[i]].length < k) picks[labels[i]].push(i);
  return picks;
}

export interface PixelSectionStats {
  pixel_mean: number;
  pixel_std: number;
  zero_share: number;
  test_pixel_mean: number;
  test_pixel_std: number;
}

const SAMPLES_PER_CLASS = 12;

export function pixelSection(ctx: SectionContext): SectionResult<PixelSectionStats> {
  const { train, test, trainUnit, rows, cols, numClasses } = ctx.data;
  const size = rows * cols;
  const st = pixelStats(train.images);
  const te = pixelStats(test.images);

  const picks = firstOfEachClass(train.labels, numClasses, SAMPLES_PER_CLASS);
  const grid = imageGrid(gather(train.images, Int32Array.from(picks.flat()), size), rows, cols, picks.flat().length, SAMPLES_PER_CLASS, 3);
  const gridSrc = ctx.folder.png('samples-per-class', grid);

  const nonzero = Float32Array.from(train.images.filter((v) => v > 0), (v) => v / 255);
  const hist = histogram(nonzero, { bins: 32, range: [1 / 255, 1], title: 'Non-zero pixel values (train)', xLabel: 'intensity v/255', yLabel: 'pixels' });

  const { mean, std } = classMeanStd(trainUnit, train.labels, numClasses, size);
  const stdMax = Math.max(...std.map((a) => a.reduce((m, v) => Math.max(m, v), 0)));
  const meanSrc = ctx.folder.png('class-mean', mosaic(mean.map((m) => heatmap(m, rows, cols, { range: [0, 1], scale: 3 })), numClasses));
  const stdSrc = ctx.folder.png('class-std', mosaic(std.map((s) => heatmap(s, rows, cols, { range: [0, stdMax], scale: 3 })), numClasses));

  const f4 = (v: number) => v.toFixed(4);
  const w = words(ctx.data), names = w.names;
  const body = [
    figure(img(gridSrc, `the first twelve training images of each ${w.cls}`),
      `The first ${SAMPLES_PER_CLASS} training images of each ${w.cls}, one row per ${w.cls} from ${names[0]} (top) to ${names[numClasses - 1]} (bottom). ` +
      digitsOnly(w, 'What to notice: the digits are centred and size-normalised, yet stroke width, slant and style (open or closed 4, crossed 7) vary a lot within a class.',
        'What to notice: how much the images of one class vary in shape, size and brightness, and which classes look alike.')),
    table(['split', 'pixels', 'mean', 'std', 'share of zeros', 'share of 255'], [
      ['train', st.count, f4(st.mean), f4(st.std), `${(100 * st.zeroShare).toFixed(2)} %`, `${(100 * st.fullShare).toFixed(2)} %`],
      ['test', te.count, f4(te.mean), f4(te.std), `${(100 * te.zeroShare).toFixed(2)} %`, `${(100 * te.fullShare).toFixed(2)} %`],
    ]),
    figure(hist, `Histogram of the training pixels that are not zero (${(100 * (1 - st.zeroShare)).toFixed(1)} % of all pixels; the other ` +
      `${(100 * st.zeroShare).toFixed(1)} % are exactly 0 and left out so the rest is visible). ` +
      digitsOnly(w, 'What to notice: the values are bimodal — a faint anti-aliased rim spread evenly over low values and a tall peak at full ink near 1. ' +
        `This is why the usual normalisation (v/255 − ${f4(st.mean)}) / ${f4(st.std)} gives a mostly-negative input with sparse large positives.`,
        `The inputs are standardised as (v/255 − ${f4(st.mean)}) / ${f4(st.std)}, the training pixels' mean and standard deviation.`)),
    figure(`${img(meanSrc, `mean image of each ${w.cls}`)}<br>${colorBar('viridis', [0, 1], 'mean intensity')}`,
      `Mean image of each ${w.cls}, ${names[0]} to ${names[numClasses - 1]} from left to right. What to notice: each class has a prototype` +
      digitsOnly(w, ' — the 1 is a thin vertical bar, the 0 a ring —') + ' which is exactly what a nearest-centroid classifier compares against.'),
    figure(`${img(stdSrc, `per-pixel standard deviation of each ${w.cls}`)}<br>${colorBar('viridis', [0, stdMax], 'standard deviation of intensity')}`,
      `Per-pixel standard deviation within each ${w.cls}. ` + digitsOnly(w, 'What to notice: the spread is largest along the edges of the mean stroke, where ' +
      'slant and thickness move ink in and out; those pixels, not the stroke centre, carry the within-class variation a model must ignore.',
      'What to notice: where the spread is large, the images of a class disagree; those pixels carry the within-class variation a model must ignore.')),
  ].join('\n');
  return {
    section: { id: 'pixels', title: 'Pixels', body },
    stats: { pixel_mean: st.mean, pixel_std: st.std, zero_share: st.zeroShare, test_pixel_mean: te.mean, test_pixel_std: te.std },
  };
}
