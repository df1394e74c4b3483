// The classical feature extractors of mnist/features.ts drawn on sample digits, to show what edges, corners and HOG see.
import { type Rgb } from '../../viz/colormap.js';
import { canny, harrisCorners, hog, sobel } from '../features.js';
import { type Raster, grayscale, heatmap, upscale } from '../../viz/png.js';
import { type SectionContext, type SectionResult, digitsOnly, imageAt, words } from './context.js';
import { digitRgb, line, ring } from '../../viz/draw.js';
import { figure, img, p, table, esc } from '../../viz/html.js';
import { firstOfEachClass } from './pixels.js';

const SCALE = 6;
const CELL = 7; // HOG cell size in pixels (the features module's default)
const BINS = 9;
const BLOCK = 2;
const RED: Rgb = [230, 30, 30];
const WHITE: Rgb = [255, 255, 255];

/** Per-cell orientation histograms recovered from the block-normalised HOG vector: each cell's average over the blocks that contain it. */
export function hogCells(h: Float32Array, rows: number, cols: number): { cellsY: number; cellsX: number; cells: Float32Array } {
  const cellsY = Math.floor(rows / CELL);
  const cellsX = Math.floor(cols / CELL);
  const blocksX = cellsX - BLOCK + 1;
  const blocksY = cellsY - BLOCK + 1;
  const cells = new Float32Array(cellsY * cellsX * BINS);
  const votes = new Float32Array(cellsY * cellsX);
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      for (let k = 0; k < BLOCK * BLOCK; k++) {
        const cell = (by + Math.floor(k / BLOCK)) * cellsX + bx + (k % BLOCK);
        const src = ((by * blocksX + bx) * BLOCK * BLOCK + k) * BINS;
        for (let b = 0; b < BINS; b++) cells[cell * BINS + b] += h[src + b];
        votes[cell]++;
      }
    }
  }
  for (let c = 0; c < votes.length; c++) for (let b = 0; b < BINS; b++) cells[c * BINS + b] /= votes[c] || 1;
  return { cellsY, cellsX, cells };
}

/** Dalal–Triggs glyphs: in each cell, one line per orientation bin drawn along the edge (across the gradient), as bright as its weight. */
export function hogGlyphs(img: Float32Array, rows: number, cols: number, scale: number): Raster {
  const { cellsY, cellsX, cells } = hogCells(hog(img, rows, cols, { cellSize: CELL, bins: BINS, blockSize: BLOCK }), rows, cols);
  const out = digitRgb(new Float32Array(rows * cols), rows, cols, scale);
  let max = 0;
  for (const v of cells) max = Math.max(max, v);
  const half = (CELL * scale) / 2 - 2;
  for (let cy = 0; cy < cellsY; cy++) {
    for (let cx = 0; cx < cellsX; cx++) {
      const [x0, y0] = [(cx + 0.5) * CELL * scale, (cy + 0.5) * CELL * scale];
      for (let b = 0; b < BINS; b++) {
        const w = max > 0 ? cells[(cy * cellsX + cx) * BINS + b] / max : 0;
        if (w < 0.05) continue;
        const edge = ((b + 0.5) * Math.PI) / BINS + Math.PI / 2; // the stroke edge runs across its gradient
        const [dx, dy] = [Math.cos(edge) * half, Math.sin(edge) * half];
        line(out, x0 - dx, y0 - dy, x0 + dx, y0 + dy, WHITE, w);
      }
    }
  }
  return out;
}

export interface FeatureGalleryStats {
  harris_corners_per_sample: number[];
}

const SAMPLE_CLASSES = [0, 2, 4, 5, 7, 8];

export function featureGallerySection(ctx: SectionContext): SectionResult<FeatureGalleryStats> {
  const { train, trainUnit, rows, cols, numClasses } = ctx.data;
  const size = rows * cols;
  const firsts = firstOfEachClass(train.labels, numClasses, 1);
  const picks = SAMPLE_CLASSES.filter((c) => c < numClasses && firsts[c].length).map((c) => firsts[c][0]);
  const counts: number[] = [];
  const w = words(ctx.data);
  const tableRows = picks.map((i) => {
    const im = imageAt(trainUnit, i, size);
    const corners = harrisCorners(im, rows, cols);
    counts.push(corners.length);
    const views: [string, () => Raster][] = [
      ['image', () => upscale(grayscale(im, cols, rows), SCALE)],
      ['sobel', () => heatmap(sobel(im, rows, cols).magnitude, rows, cols, { scale: SCALE })],
      ['canny', () => upscale(grayscale(canny(im, rows, cols).map((e) => e * 255), cols, rows), SCALE)],
      ['harris', () => {
        const over = digitRgb(im, rows, cols, SCALE);
        for (const c of corners) ring(over, (c.x + 0.5) * SCALE, (c.y + 0.5) * SCALE, SCALE * 0.8, RED);
        return over;
      }],
      ['hog', () => hogGlyphs(im, rows, cols, SCALE)],
    ];
    const cells = views.map(([what, draw]) => img(ctx.folder.png(`feature-${i}-${what}`, draw()), `${what} of training image ${i}`, rows * SCALE));
    return [`<b>${esc(w.names[train.labels[i]] ?? String(train.labels[i]))}</b><br>#${i}`, ...cells];
  });
  const body = [
    p(`Each row is one training ${w.item}; the columns apply the extractors of <code>mnist/features.ts</code> with their default settings.`),
    figure(table([w.cls, 'image', 'Sobel magnitude', 'Canny edges', 'Harris corners', 'HOG (7×7 cells, 9 bins)'], tableRows),
      digitsOnly(w, 'Classical features on sample digits. <b>Sobel magnitude</b> (viridis, bright = steep) responds on both sides of every stroke, ' +
        'so a stroke becomes a double line. <b>Canny</b> thins that to one-pixel edges after a Gaussian blur (σ = 1) and hysteresis. ' +
        `<b>Harris corners</b> (red rings; ${counts.join(', ')} from top to bottom) fire at stroke ends, junctions and sharp turns, and rarely along smooth arcs. ` +
        '<b>HOG</b> draws, per 7×7 cell, the dominant stroke directions as lines: a coarse map of "which way the strokes run where", ' +
        'which is what makes it a much better input than raw pixels for a linear classifier (see Separability).',
      'Classical features on sample images. <b>Sobel magnitude</b> (viridis, bright = steep) responds wherever the intensity changes. ' +
        '<b>Canny</b> thins that to one-pixel edges after a Gaussian blur (σ = 1) and hysteresis. ' +
        `<b>Harris corners</b> (red rings; ${counts.join(', ')} from top to bottom) fire at corners and junctions of outlines and textures. ` +
        '<b>HOG</b> draws, per 7×7 cell, the dominant edge directions as lines: a coarse map of which way the edges run where (see Separability for how well it serves a linear classifier).')),
  ].join('\n');
  return { section: { id: 'features', title: 'Feature extractors', body }, stats: { harris_corners_per_sample: counts } };
}
