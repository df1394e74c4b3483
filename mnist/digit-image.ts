// A photo or drawing of a digit (PNG of any size) made to look like an MNIST image: grayscale,
// white ink on black (inverted when the background is light), the ink's bounding box scaled to fit
// 20×20 and centred by its centre of mass in 28×28, as MNIST itself was prepared. Browser-safe:
// the page's drawing panel sees exactly what `zerograd predict` sees.

import { decode } from 'fast-png';
import { noGrad, tensor, tidy } from '../engine/index.js';
import { adaptiveAvgPool2d, interpolate } from '../nn/index.js';
import { DataError } from '../io/errors.js';

export interface Gray { data: Float32Array; width: number; height: number }

/** Decode PNG bytes to grayscale in [0, 1] (any bit depth, palette, alpha composited over white). */
export function pngToGray(bytes: Uint8Array, name: string): Gray {
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new DataError(`${name}: not a readable PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  const max = png.depth === 16 ? 65535 : (1 << png.depth) - 1;
  const out = new Float32Array(width * height);
  const src = png.data as ArrayLike<number>;
  const palette = png.palette;
  const ch = png.channels;
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, b: number, a = 1;
    if (palette) {
      const c = palette[src[i]] ?? [0, 0, 0];
      [r, g, b] = [c[0] / 255, c[1] / 255, c[2] / 255];
      if (c.length > 3) a = c[3] / 255;
    } else if (ch <= 2) {
      r = g = b = src[i * ch] / max;
      if (ch === 2) a = src[i * ch + 1] / max;
    } else {
      [r, g, b] = [src[i * ch] / max, src[i * ch + 1] / max, src[i * ch + 2] / max];
      if (ch === 4) a = src[i * ch + 3] / max;
    }
    out[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a + (1 - a);
  }
  return { data: out, width, height };
}

/** Resize with the engine: area averaging when shrinking (no aliasing), bilinear when growing. */
async function resize(img: Float32Array, h: number, w: number, oh: number, ow: number): Promise<Float32Array> {
  const y = tidy(() => noGrad(() => {
    const x = tensor(img, { shape: [1, 1, h, w] });
    return oh <= h && ow <= w ? adaptiveAvgPool2d(x, [oh, ow]) : interpolate(x, { size: [oh, ow], mode: 'bilinear' });
  }));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

/** 28×28 values in [0, 1], white ink on black. */
export async function toMnistDigit(g: Gray): Promise<Float32Array> {
  let img = g.data;
  const { width: w, height: h } = g;
  // The border tells the background: light border, dark ink, so invert.
  let border = 0, nb = 0;
  for (let x = 0; x < w; x++) { border += img[x] + img[(h - 1) * w + x]; nb += 2; }
  for (let y = 0; y < h; y++) { border += img[y * w] + img[y * w + w - 1]; nb += 2; }
  const light = border / nb > 0.5;
  if (light) img = img.map((v) => 1 - v);
  // Stretch contrast so the background is 0 and the strongest ink 1.
  const bg = light ? 1 - border / nb : border / nb;
  let peak = 0;
  for (const v of img) peak = Math.max(peak, v);
  img = img.map((v) => (peak > bg ? Math.max(0, (v - bg) / (peak - bg)) : 0));
  // The ink's bounding box (pixels above a quarter of full ink).
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (img[y * w + x] > 0.25) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 < 0) return await resize(img, h, w, 28, 28);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(img.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  // Longer side to 20 pixels, aspect ratio kept.
  const s = 20 / Math.max(bw, bh);
  const nw = Math.max(1, Math.round(bw * s)), nh = Math.max(1, Math.round(bh * s));
  const small = await resize(crop, bh, bw, nh, nw);
  // Centre of mass to the middle of the 28×28 frame.
  let m = 0, cx = 0, cy = 0;
  for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) { const v = small[y * nw + x]; m += v; cx += v * x; cy += v * y; }
  const ox = Math.round(13.5 - (m ? cx / m : (nw - 1) / 2)), oy = Math.round(13.5 - (m ? cy / m : (nh - 1) / 2));
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) {
    const tx = x + ox, ty = y + oy;
    if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = small[y * nw + x];
  }
  return out;
}
