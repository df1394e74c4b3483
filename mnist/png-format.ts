// PNG bytes checked before they are decoded, the part that needs no Node: the signature, every
// chunk's length and CRC, and the header's size against a pixel cap (so a file that declares
// 50000×50000 pixels is refused from its IHDR before a byte of it is allocated). Browser-safe;
// png.ts adds the bounded inflation of the image data (node:zlib) and the decoding. Every failure
// is a DataError naming the file, in one sentence.

import { DataError } from '../io/errors.js';

/** The most pixels an image may declare: 64 MP (about 256 MB as grayscale floats). */
export const MAX_PIXELS = 64_000_000;

export interface PngHeader { width: number; height: number; bitDepth: number; colorType: number; interlaced: boolean }

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour type → samples per pixel, and the bit depths the format allows for it. */
const COLOUR: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bytes of the filtered scanlines the header implies (each row: a filter byte, then its samples); Adam7 has seven passes. */
function rawSize(h: PngHeader): number {
  const bits = COLOUR[h.colorType].channels * h.bitDepth;
  const rows = (w: number, n: number) => (w && n ? n * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (!h.interlaced) return rows(h.width, h.height);
  // Adam7: [x0, y0, dx, dy] of each pass.
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  return passes.reduce((s, [x0, y0, dx, dy]) => s + rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy)), 0);
}

const mp = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MP`;

/** What scanPng found: the header, the image data (every IDAT chunk, still compressed) and the bytes it must inflate to. */
export interface PngScan { header: PngHeader; data: Uint8Array; expected: number }

/**
 * Walk the chunks and check the header; throws a DataError naming `name` for anything that is not a
 * whole, undamaged PNG of at most `maxPixels` pixels: the signature, every chunk's length and CRC, the
 * IHDR's colour type, bit depth and size against the cap, the palette and the image data present.
 * No decompression here (png.ts inflates the data with a bound in Node).
 */
export function scanPng(bytes: Uint8Array, name: string, maxPixels = MAX_PIXELS): PngScan {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${name}: not a PNG file (it does not start with the PNG signature)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (why: string) => new DataError(`${name}: a damaged PNG (${why})`);
  const truncated = (at: number) => new DataError(`${name}: a truncated PNG (the file ends after ${at} of its bytes; the rest is missing)`);
  let header: PngHeader | null = null;
  const idat: Uint8Array[] = [];
  let pos = 8, ended = false, palette = false;
  while (!ended) {
    if (pos + 8 > bytes.length) throw truncated(bytes.length);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw damaged(`a chunk at byte ${pos} has no valid type`);
    if (length > 0x7fffffff) throw damaged(`chunk ${type} declares ${length} bytes`);
    if (pos + 12 + length > bytes.length) throw truncated(bytes.length);
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) throw damaged(`chunk ${type} at byte ${pos} fails its CRC check`);
    if (!header && type !== 'IHDR') throw damaged('the first chunk is not the IHDR header');
    if (type === 'IHDR') {
      if (header) throw damaged('two IHDR headers');
      if (length !== 13) throw damaged(`the IHDR header is ${length} bytes, not 13`);
      const hv = new DataView(body.buffer, body.byteOffset, 13);
      header = { width: hv.getUint32(0), height: hv.getUint32(4), bitDepth: body[8], colorType: body[9], interlaced: body[12] === 1 };
      const colour = COLOUR[header.colorType];
      if (!colour) throw damaged(`colour type ${header.colorType} does not exist`);
      if (!colour.depths.includes(header.bitDepth)) throw damaged(`bit depth ${header.bitDepth} is not allowed for colour type ${header.colorType}`);
      if (body[10] !== 0 || body[11] !== 0 || body[12] > 1) throw damaged('unknown compression, filter or interlace method');
      const { width, height } = header;
      if (width === 0 || height === 0) throw new DataError(`${name}: an empty image (${width}×${height} pixels)`);
      if (width * height > maxPixels) {
        throw new DataError(`${name}: the PNG declares ${width}×${height} pixels (${mp(width * height)}), more than the ${mp(maxPixels)} this reads; scale it down first`);
      }
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'PLTE') palette = true;
    else if (type === 'IEND') ended = true;
    pos += 12 + length;
  }
  if (!header) throw damaged('no IHDR header');
  if (!idat.length) throw damaged('no image data (IDAT chunk)');
  if (header.colorType === 3 && !palette) throw damaged('a palette image without a palette');
  const expected = rawSize(header);
  const data = new Uint8Array(idat.reduce((s, c) => s + c.length, 0));
  idat.reduce((off, c) => (data.set(c, off), off + c.length), 0);
  return { header, data, expected };
}
