// PNG files as `predict` reads them (Node): png-format.ts's checks (the signature, every chunk's
// length and CRC, the header's size against a pixel cap), then the compressed image data inflated
// with a bound (so a file whose data inflates past what its header implies is refused before it is
// decoded). Only then does fast-png decode it, into gray or RGB planes. Every failure is a
// DataError naming the file, in one sentence.

import { decode, type DecodedPng } from 'fast-png';
import { inflateSync } from 'node:zlib';
import { DataError } from '../io/files.js';
import type { Picture } from './digit-image.js';
import { MAX_PIXELS, scanPng, type PngHeader } from './png-format.js';

export { MAX_PIXELS, type PngHeader } from './png-format.js';

/**
 * Walk the chunks and check the header; throws a DataError naming `name` for anything that is not a
 * whole, undamaged PNG of at most `maxPixels` pixels. Inflates the image data with a bound to check it.
 */
export function checkPng(bytes: Uint8Array, name: string, maxPixels = MAX_PIXELS): PngHeader {
  const { header, data, expected } = scanPng(bytes, name, maxPixels);
  const damaged = (why: string) => new DataError(`${name}: a damaged PNG (${why})`);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(data, { maxOutputLength: expected + 1 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw damaged(`its image data inflates past the ${expected} bytes its ${header.width}×${header.height} header implies`);
    if (code === 'Z_BUF_ERROR') throw damaged('its compressed image data is cut short');
    throw damaged(`its image data does not inflate: ${(e as Error).message}`);
  }
  if (inflated.length !== expected) throw damaged(`its image data inflates to ${inflated.length} bytes, but its ${header.width}×${header.height} header implies ${expected}`);
  return header;
}

/** Check, then decode: a DataError naming the file for anything but a whole PNG within the pixel cap. */
export function decodePng(bytes: Uint8Array, name: string, maxPixels = MAX_PIXELS): DecodedPng {
  checkPng(bytes, name, maxPixels);
  try {
    return decode(bytes);
  } catch (e) {
    throw new DataError(`${name}: a damaged PNG (${(e as Error).message})`);
  }
}

/** Decode PNG bytes to gray (1) or RGB (3) planes in [0, 1] (any bit depth, palette; alpha composited over white). */
export function pngToPicture(bytes: Uint8Array, name: string, channels: 1 | 3 = 1): Picture {
  const png = decodePng(bytes, name);
  const { width, height } = png;
  const n = width * height;
  const max = png.depth === 16 ? 65535 : (1 << png.depth) - 1;
  const out = new Float32Array(channels * n);
  const src = png.data as ArrayLike<number>;
  const palette = png.palette;
  const ch = png.channels;
  for (let i = 0; i < n; i++) {
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
    if (channels === 1) out[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a + (1 - a);
    else [r, g, b].forEach((v, c) => (out[c * n + i] = v * a + (1 - a)));
  }
  return { data: out, width, height, channels };
}

export const pngToGray = (bytes: Uint8Array, name: string): Picture => pngToPicture(bytes, name, 1);
