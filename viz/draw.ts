// Raster drawing the PNG module does not do: digits as RGB, marks and line glyphs on them, and RGB mosaics.
import type { Rgb } from './colormap.js';
import { type Raster, grayscale, rgb, upscale } from './png.js';

/** A grayscale digit (floats in [0, 1]) as an RGB raster upscaled by `scale`, ready to draw on. */
export function digitRgb(img: Float32Array, rows: number, cols: number, scale: number): Raster {
  const g = upscale(grayscale(img, cols, rows), scale);
  const out = new Uint8Array(g.width * g.height * 3);
  for (let i = 0; i < g.data.length; i++) out.fill(g.data[i], i * 3, i * 3 + 3);
  return rgb(out, g.width, g.height);
}

/** Set one pixel (ignored outside the raster), blending `alpha` of the colour over what is there. */
export function plot(r: Raster, x: number, y: number, color: Rgb, alpha = 1): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= r.width || yi >= r.height) return;
  const o = (yi * r.width + xi) * 3;
  for (let k = 0; k < 3; k++) r.data[o + k] = Math.round(r.data[o + k] * (1 - alpha) + color[k] * alpha);
}

/** A straight line by stepping one pixel along its longer axis. */
export function line(r: Raster, x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) plot(r, x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color, alpha);
}

/** A ring of radius `radius` (two pixels thick), the mark for a detected corner. */
export function ring(r: Raster, cx: number, cy: number, radius: number, color: Rgb): void {
  for (let t = 0; t < 64; t++) {
    const a = (t / 64) * 2 * Math.PI;
    for (const d of [radius, radius + 1]) plot(r, cx + d * Math.cos(a), cy + d * Math.sin(a), color);
  }
}

/** RGB rasters of equal size tiled `cols` across, `gap` pixels apart on a white background. */
export function mosaic(tiles: Raster[], cols: number, gap = 2): Raster {
  if (tiles.length === 0) throw new RangeError('mosaic: no tiles');
  const { width: w, height: h } = tiles[0];
  const rows = Math.ceil(tiles.length / cols);
  const W = cols * (w + gap) - gap;
  const H = rows * (h + gap) - gap;
  const out = new Uint8Array(W * H * 3).fill(255);
  tiles.forEach((t, k) => {
    if (t.width !== w || t.height !== h || t.channels !== 3) throw new RangeError(`mosaic: tile ${k} is ${t.width}×${t.height}×${t.channels}, expected ${w}×${h}×3`);
    const ox = (k % cols) * (w + gap);
    const oy = Math.floor(k / cols) * (h + gap);
    for (let y = 0; y < h; y++) out.set(t.data.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return rgb(out, W, H);
}
