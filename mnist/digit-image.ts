// A photo or drawing (PNG of any size, or the page's canvas) made to look like the images a
// classifier was trained on. Digits as MNIST itself was prepared: grayscale, white ink on black
// (inverted when the background is light), the ink's bounding box scaled to fit 20×20 and centred by
// its centre of mass in 28×28. Other grayscale sets (Fashion-MNIST): the object's box scaled to fill
// the frame and centred. Colour sets (CIFAR-10): the whole picture resized to the frame, channel by
// channel. Browser-safe: the page's drawing panel sees exactly what `zerograd predict` sees (png.ts
// reads and checks the PNG files in Node).

import { noGrad, tensor, tidy } from '../engine/index.js';
import { adaptiveAvgPool2d, interpolate } from '../nn/index.js';

/** A grayscale image, values in [0, 1], height × width (the page's drawing). */
export interface Gray { data: Float32Array; width: number; height: number }

/** An image as planes of values in [0, 1]: `channels` × height × width (1: gray, 3: RGB). */
export interface Picture extends Gray { channels: number }

/** Resize planes with the engine: area averaging when shrinking (no aliasing), bilinear when growing. */
async function resize(img: Float32Array, c: number, h: number, w: number, oh: number, ow: number): Promise<Float32Array> {
  const y = tidy(() => noGrad(() => {
    const x = tensor(img, { shape: [1, c, h, w] });
    return oh <= h && ow <= w ? adaptiveAvgPool2d(x, [oh, ow]) : interpolate(x, { size: [oh, ow], mode: 'bilinear' });
  }));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

/** No ink to see: every value within 1/32 of every other (a blank page, an all-black image, a single pixel). */
export function isBlank(p: Gray): boolean {
  let lo = Infinity, hi = -Infinity;
  for (const v of p.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return !(hi - lo > 1 / 32);
}

export interface Framing {
  /** Side of the square input. */
  size: number;
  /** MNIST's own preparation (ink box to 20/28 of the frame, centred by mass); else the box fills the frame. */
  digits: boolean;
}

/** A grayscale picture as white ink on black, framed in size×size (values in [0, 1]). */
export async function toInkFrame(g: Gray, f: Framing): Promise<Float32Array> {
  let img = g.data;
  const { width: w, height: h } = g;
  const S = f.size;
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
  if (x1 < 0) return await resize(img, 1, h, w, S, S);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(img.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  // Longer side to the box (20 of 28 for digits, the whole frame otherwise), aspect ratio kept.
  const box = f.digits ? Math.round((S * 20) / 28) : S;
  const s = box / Math.max(bw, bh);
  const nw = Math.max(1, Math.min(S, Math.round(bw * s))), nh = Math.max(1, Math.min(S, Math.round(bh * s)));
  const small = await resize(crop, 1, bh, bw, nh, nw);
  // Digits: centre of mass to the middle of the frame; other sets: the box's centre.
  let m = 0, cx = 0, cy = 0;
  if (f.digits) for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) { const v = small[y * nw + x]; m += v; cx += v * x; cy += v * y; }
  const mid = (S - 1) / 2;
  const ox = Math.round(mid - (m ? cx / m : (nw - 1) / 2)), oy = Math.round(mid - (m ? cy / m : (nh - 1) / 2));
  const out = new Float32Array(S * S);
  for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) {
    const tx = x + ox, ty = y + oy;
    if (tx >= 0 && tx < S && ty >= 0 && ty < S) out[ty * S + tx] = small[y * nw + x];
  }
  return out;
}

/** 28×28 values in [0, 1], white ink on black, as MNIST was prepared. */
export const toMnistDigit = (g: Gray): Promise<Float32Array> => toInkFrame(g, { size: 28, digits: true });

/** What a classifier of input [channels, size, size] sees of a picture: ink framing for gray sets, a plain resize for colour. */
export async function toModelInput(p: Picture, f: Framing): Promise<Float32Array> {
  if (p.channels === 1) return toInkFrame(p, f);
  return resize(p.data, p.channels, p.height, p.width, f.size, f.size);
}
