// Image features, augmentation and batching on synthetic images whose right answers are known by construction.
import { decode } from 'fast-png';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IDENTITY, affine, augmentBatch, elastic, gather, stratifiedSplit } from '../mnist/dataset.js';
import { batches, mulberry32, permutation } from '../train/order.js';
import { canny, gaussianBlur, harrisCorners, hog, sobel, strokeStats } from '../mnist/features.js';
import { encodePng, heatmap, imageGrid } from '../viz/png.js';
import { writeFileAtomic } from '../io/files.js';
import { barChart, histogram, lineChart, matrixHeatmap, niceTicks, scatterPlot } from '../viz/svg.js';

const R = 28;
const C = 28;

/** A 28×28 image with a filled axis-aligned rectangle of ones, corners inclusive. */
function rect(top: number, left: number, bottom: number, right: number): Float32Array {
  const img = new Float32Array(R * C);
  for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) img[y * C + x] = 1;
  return img;
}

/** A soft blob (a blurred square), so a shift moves a smooth mass rather than a sharp edge. */
const blob = () => gaussianBlur(rect(10, 9, 16, 14), R, C, 1.5);

describe('edges, gradients and corners', () => {
  it('Canny puts a one-pixel edge exactly on the border of a filled square', () => {
    const [top, left, bottom, right] = [8, 8, 19, 19];
    const edges = canny(rect(top, left, bottom, right), R, C);
    for (let y = 0; y < R; y++) {
      for (let x = 0; x < C; x++) {
        const inside = y >= top && y <= bottom && x >= left && x <= right;
        const onBorder = inside && (y === top || y === bottom || x === left || x === right);
        expect(edges[y * C + x], `pixel (${x}, ${y})`).toBe(onBorder ? 1 : 0);
      }
    }
  });

  it('Canny on an off-centre rectangle still follows its border', () => {
    const edges = canny(rect(3, 5, 12, 22), R, C);
    const count = edges.reduce((a, b) => a + b, 0);
    expect(count).toBe(2 * (10 + 18) - 4);
    expect(edges[3 * C + 5]).toBe(1);
    expect(edges[12 * C + 22]).toBe(1);
  });

  it('Canny on a blank image finds no edges', () => {
    expect(canny(new Float32Array(R * C), R, C).every((v) => v === 0)).toBe(true);
  });

  it('Sobel on a linear ramp gives the constant gradient 8·slope away from the border', () => {
    const a = 0.03;
    const b = -0.02;
    const ramp = Float32Array.from({ length: R * C }, (_, i) => a * (i % C) + b * Math.floor(i / C));
    const { gx, gy, magnitude, direction } = sobel(ramp, R, C);
    for (let y = 1; y < R - 1; y++) {
      for (let x = 1; x < C - 1; x++) {
        const i = y * C + x;
        expect(gx[i]).toBeCloseTo(8 * a, 4);
        expect(gy[i]).toBeCloseTo(8 * b, 4);
        expect(magnitude[i]).toBeCloseTo(8 * Math.hypot(a, b), 4);
        expect(direction[i]).toBeCloseTo(Math.atan2(b, a), 4);
      }
    }
  });

  it('Harris finds the four corners of a square within 1 px', () => {
    const corners = harrisCorners(rect(6, 7, 20, 21), R, C);
    expect(corners).toHaveLength(4);
    for (const [x, y] of [[7, 6], [21, 6], [7, 20], [21, 20]]) {
      expect(corners.some((p) => Math.abs(p.x - x) <= 1 && Math.abs(p.y - y) <= 1), `corner (${x}, ${y})`).toBe(true);
    }
  });

  it('Harris finds nothing on a blank image', () => {
    expect(harrisCorners(new Float32Array(R * C), R, C)).toEqual([]);
  });

  it('HOG of a constant image is all zero; of a vertical edge, it votes the 0° bin', () => {
    const flat = hog(new Float32Array(R * C).fill(0.7), R, C);
    expect(flat.length).toBe(3 * 3 * 4 * 9);
    expect(flat.every((v) => v === 0)).toBe(true);
    const edge = hog(rect(0, 14, 27, 27), R, C); // a vertical edge between columns 13 and 14: horizontal gradient
    const block = edge.subarray(0, 36); // block (0, 0): cells (0,0), (0,1), (1,0), (1,1); the edge is in cells x = 1 and 2
    expect(block[9] + block[27]).toBeGreaterThan(0); // cells (0,1) and (1,1), bins 0 (and 8, which shares the 0° vote)
    for (let b = 1; b < 8; b++) expect(block[9 + b]).toBe(0);
    let ss = 0;
    for (const v of block) ss += v * v;
    expect(Math.sqrt(ss)).toBeCloseTo(1, 4);
  });
});

describe('stroke statistics', () => {
  it('gives ink, bounding box and centre of mass of a rectangle', () => {
    const s = strokeStats(rect(4, 6, 9, 15), R, C);
    expect(s.ink).toBe(6 * 10);
    expect(s.bbox).toEqual({ top: 4, left: 6, bottom: 9, right: 15 });
    expect(s.centerOfMass!.x).toBeCloseTo(10.5, 6);
    expect(s.centerOfMass!.y).toBeCloseTo(6.5, 6);
    expect(s.slant).toBeCloseTo(0, 6);
  });

  it('gives slant +0.5 for a line leaning right like "/" and −0.5 for its mirror', () => {
    const slash = new Float32Array(R * C);
    const backslash = new Float32Array(R * C);
    for (let y = 4; y <= 20; y += 2) {
      slash[y * C + (20 - (y - 4) / 2)] = 1;
      backslash[y * C + (12 + (y - 4) / 2)] = 1;
    }
    expect(strokeStats(slash, R, C).slant).toBeCloseTo(0.5, 6);
    expect(strokeStats(backslash, R, C).slant).toBeCloseTo(-0.5, 6);
  });

  it('reports an empty image as empty', () => {
    expect(strokeStats(new Float32Array(R * C), R, C)).toEqual({ ink: 0, bbox: null, centerOfMass: null, slant: 0 });
  });
});

describe('augmentation', () => {
  it('zero rotation, zero shift and scale 1 is the identity', () => {
    const img = blob();
    expect(affine(img, R, C, IDENTITY)).toEqual(img);
  });

  it('a shift moves the centre of mass by that shift', () => {
    const img = blob();
    const before = strokeStats(img, R, C).centerOfMass!;
    for (const [dx, dy] of [[2, -1], [-1.5, 2], [0.25, 0.75]]) {
      const after = strokeStats(affine(img, R, C, { ...IDENTITY, dx, dy }), R, C).centerOfMass!;
      expect(after.x - before.x).toBeCloseTo(dx, 3);
      expect(after.y - before.y).toBeCloseTo(dy, 3);
    }
  });

  it('a 90° rotation turns a horizontal bar vertical, and scale 2 doubles its length', () => {
    const bar = rect(13, 8, 14, 19); // 12 wide, 2 high, centred on (13.5, 13.5)
    const turned = strokeStats(affine(bar, R, C, { ...IDENTITY, rotation: 90 }), R, C).bbox!;
    expect([turned.bottom - turned.top + 1, turned.right - turned.left + 1]).toEqual([12, 2]);
    const doubled = affine(rect(13, 11, 14, 16), R, C, { ...IDENTITY, scale: 2 });
    expect(strokeStats(doubled, R, C).ink).toBeCloseTo(4 * 12, 0);
  });

  it('random augmentation is seeded, and a random affine keeps the ink within its scale² range', () => {
    const batch = new Float32Array(3 * R * C);
    for (let k = 0; k < 3; k++) batch.set(blob(), k * R * C);
    const a = augmentBatch(batch, R, C, mulberry32(7), { elastic: {} });
    expect(augmentBatch(batch, R, C, mulberry32(7), { elastic: {} })).toEqual(a);
    expect(augmentBatch(batch, R, C, mulberry32(8), { elastic: {} })).not.toEqual(a);
    const ink = strokeStats(blob(), R, C).ink;
    const moved = augmentBatch(batch, R, C, mulberry32(9));
    for (let k = 0; k < 3; k++) {
      const ratio = strokeStats(moved.subarray(k * R * C, (k + 1) * R * C), R, C).ink / ink;
      expect(ratio).toBeGreaterThan(0.9 ** 2 - 0.01);
      expect(ratio).toBeLessThan(1.1 ** 2 + 0.01);
    }
  });

  it('elastic distortion with alpha 0 is the identity', () => {
    const img = blob();
    expect(elastic(img, R, C, mulberry32(1), { alpha: 0 })).toEqual(img);
  });
});

describe('batching and splits', () => {
  it('seeded shuffles are identical per seed and differ across seeds', () => {
    expect(permutation(1000, 1)).toEqual(permutation(1000, 1));
    expect(permutation(1000, 1)).not.toEqual(permutation(1000, 2));
    expect(Array.from(permutation(1000, 3)).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('batches cover every index once and keep the last partial batch', () => {
    const all = [...batches(103, 10, { seed: 5 })];
    expect(all.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(all.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect([...batches(103, 10, { seed: 5 })]).toEqual(all);
    expect(Array.from([...batches(5, 2, { shuffle: false })][2])).toEqual([4]);
  });

  it('gather copies the images at the given indices', () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(gather(data, Int32Array.from([2, 0]), 4))).toEqual([8, 9, 10, 11, 0, 1, 2, 3]);
  });

  it('a stratified split keeps each class proportion within 1 image', () => {
    const rng = mulberry32(11);
    const labels = Uint8Array.from({ length: 5000 }, () => Math.floor(rng() ** 2 * 10)); // unbalanced classes
    const { train, val } = stratifiedSplit(labels, 0.1, 3);
    expect(train.length + val.length).toBe(5000);
    expect(new Set([...train, ...val]).size).toBe(5000);
    for (let c = 0; c < 10; c++) {
      const total = labels.filter((l) => l === c).length;
      const inVal = Array.from(val).filter((i) => labels[i] === c).length;
      expect(Math.abs(inVal - total * 0.1)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedSplit(labels, 0.1, 3).val).toEqual(val);
    expect(stratifiedSplit(labels, 0.1, 4).val).not.toEqual(val);
  });
});

describe('PNG and SVG output', () => {
  it('writes a grid of digits that decodes back to the same pixels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerograd-png-'));
    try {
      const images = new Float32Array(5 * R * C);
      images.set(rect(8, 8, 19, 19), 2 * R * C);
      const grid = imageGrid(images, R, C, 5, 3, 2);
      expect([grid.width, grid.height]).toEqual([(3 * 29 - 1) * 2, (2 * 29 - 1) * 2]);
      writeFileAtomic(join(dir, 'grid.png'), encodePng(grid));
      expect(readdirSync(dir)).toEqual(['grid.png']); // the atomic write left no temp file behind
      const png = decode(readFileSync(join(dir, 'grid.png')));
      expect([png.width, png.height, png.channels]).toEqual([grid.width, grid.height, 1]);
      expect(png.data[(2 * 8) * grid.width + 2 * (2 * 29 + 8)]).toBe(255); // tile 2, pixel (8, 8)
      const hm = heatmap([-1, 0, 1, 0.5], 2, 2, { map: 'diverging', scale: 3 });
      expect([hm.width, hm.height, hm.channels]).toEqual([6, 6, 3]);
      expect(Array.from(hm.data.subarray(3, 6))).toEqual([5, 48, 97]); // −1: darkest blue
      expect(Array.from(hm.data.subarray(9, 12))).toEqual([247, 247, 247]); // value 0 (row 0, column 1 → pixel 3): white
      expect(Array.from(hm.data.subarray(3 * 6 * 3, 3 * 6 * 3 + 3))).toEqual([103, 0, 31]); // value 1 (row 1, column 0 → pixel row 3): darkest red
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes well-formed SVG charts with round ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 1135)).toEqual([0, 200, 400, 600, 800, 1000]);
    const charts = [
      barChart({ categories: ['0', '1'], series: [{ name: 'train', values: [5923, 6742] }, { name: 'test', values: [980, 1135] }] }, { title: 'Per class <&>' }),
      lineChart([{ name: 'loss', y: [2.3, 0.5, 0.2] }], { xLabel: 'epoch', yLabel: 'loss' }),
      histogram([1, 2, 2, 3, 3, 3], { bins: 3 }),
      scatterPlot({ x: [0, 1, 2], y: [2, 1, 0], labels: [0, 1, 1] }),
      matrixHeatmap({ matrix: [[9, 1], [0, 10]] }),
    ];
    for (const svg of charts) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined|<script|@import|url\(/);
    }
    expect(charts[0]).toContain('Per class &lt;&amp;&gt;');
    expect(charts[4]).toContain('>10</text>');
  });
});
