// PNG rasters for reports and sample grids: digit grids and heatmaps, encoded with fast-png (callers write the bytes).
import { encode } from 'fast-png';
import { type ColorMapName, colorAt, normaliseTo, valueRange } from './colormap.js';

/** An 8-bit raster, row-major, channels interleaved: 1 = grayscale, 3 = RGB. */
export interface Raster {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Floats in [0, 1] to bytes (clamped, rounded); bytes pass through unchanged. */
export function toBytes(values: Float32Array | Uint8Array): Uint8Array {
  if (values instanceof Uint8Array) return values;
  return Uint8Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

export function grayscale(values: Float32Array | Uint8Array, width: number, height: number): Raster {
  return checkedRaster(toBytes(values), width, height, 1);
}

export function rgb(data: Uint8Array, width: number, height: number): Raster {
  return checkedRaster(data, width, height, 3);
}

function checkedRaster(data: Uint8Array, width: number, height: number, channels: 1 | 3): Raster {
  if (data.length !== width * height * channels) {
    throw new RangeError(`raster: ${data.length} values but ${width}×${height}×${channels} = ${width * height * channels} expected`);
  }
  return { data, width, height, channels };
}

/** PNG file bytes of a raster. */
export function encodePng(r: Raster): Uint8Array {
  return encode({ width: r.width, height: r.height, data: r.data, depth: 8, channels: r.channels });
}

/** Nearest-neighbour upscaling by an integer factor: each pixel becomes a scale×scale block, crisp for small digits. */
export function upscale(r: Raster, scale: number): Raster {
  if (!(Number.isInteger(scale) && scale >= 1)) throw new RangeError(`upscale: scale must be a positive integer, got ${scale}`);
  const { width, height, channels } = r;
  const w = width * scale;
  const out = new Uint8Array(w * height * scale * channels);
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < w; x++) {
      const src = ((Math.floor(y / scale) * width) + Math.floor(x / scale)) * channels;
      out.set(r.data.subarray(src, src + channels), (y * w + x) * channels);
    }
  }
  return { data: out, width: w, height: height * scale, channels };
}

const GAP = 1; // pixels between tiles
const GAP_GRAY = 96; // a mid-dark separator, visible against both ink and background

/** The first n images (each rows×cols, floats in [0, 1] or bytes) tiled gridCols across, 1 px apart, then upscaled. */
export function imageGrid(
  images: Float32Array | Uint8Array,
  rows: number,
  cols: number,
  n: number,
  gridCols: number,
  scale = 1,
): Raster {
  const size = rows * cols;
  const count = Math.min(n, Math.floor(images.length / size));
  const gridRows = Math.max(1, Math.ceil(count / gridCols));
  const width = gridCols * (cols + GAP) - GAP;
  const height = gridRows * (rows + GAP) - GAP;
  const out = new Uint8Array(width * height).fill(GAP_GRAY);
  for (let k = 0; k < count; k++) {
    const tile = toBytes(images.subarray(k * size, (k + 1) * size));
    const ox = (k % gridCols) * (cols + GAP);
    const oy = Math.floor(k / gridCols) * (rows + GAP);
    for (let y = 0; y < rows; y++) out.set(tile.subarray(y * cols, (y + 1) * cols), (oy + y) * width + ox);
  }
  return upscale(grayscale(out, width, height), scale);
}

/** A rows×cols grid of values coloured by a map (range: data min–max, or ±max|v| for 'diverging'), then upscaled. */
export function heatmap(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: { map?: ColorMapName; range?: [number, number]; scale?: number } = {},
): Raster {
  const { map = 'viridis', scale = 1 } = options;
  const range = options.range ?? valueRange(values, map);
  const out = new Uint8Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) out.set(colorAt(map, normaliseTo(values[i], range)), i * 3);
  return upscale(rgb(out, cols, rows), scale);
}
