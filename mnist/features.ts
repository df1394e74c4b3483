// Classical image features on one rows×cols Float32Array image (row-major), so the dataset report can explain what a CNN learns.
// Borders replicate the edge pixel; x runs along columns, y down the rows.

export interface Gradients {
  gx: Float32Array; // Sobel x: 8 × ∂I/∂x on a linear ramp (the unnormalised kernel, as OpenCV)
  gy: Float32Array; // Sobel y: 8 × ∂I/∂y, y pointing down
  magnitude: Float32Array; // √(gx² + gy²)
  direction: Float32Array; // atan2(gy, gx) in radians, (−π, π]
}

export interface Point {
  x: number;
  y: number;
}

export interface Corner extends Point {
  response: number;
}

const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** Normalised 1-D Gaussian of radius ⌈3σ⌉. */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new RangeError(`gaussianKernel: sigma must be > 0, got ${sigma}`);
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Correlate with a separable kernel: `kx` along rows, then `ky` down columns (both odd length, centred). */
export function convolveSeparable(img: Float32Array, rows: number, cols: number, kx: Float32Array, ky: Float32Array): Float32Array {
  const tmp = new Float32Array(rows * cols);
  const out = new Float32Array(rows * cols);
  const rx = (kx.length - 1) >> 1;
  const ry = (ky.length - 1) >> 1;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let i = -rx; i <= rx; i++) s += kx[i + rx] * img[y * cols + clampIndex(x + i, cols)];
      tmp[y * cols + x] = s;
    }
  }
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let i = -ry; i <= ry; i++) s += ky[i + ry] * tmp[clampIndex(y + i, rows) * cols + x];
      out[y * cols + x] = s;
    }
  }
  return out;
}

/** Gaussian blur as two 1-D passes: O(r) per pixel instead of O(r²). */
export function gaussianBlur(img: Float32Array, rows: number, cols: number, sigma: number): Float32Array {
  const k = gaussianKernel(sigma);
  return convolveSeparable(img, rows, cols, k, k);
}

const SMOOTH = new Float32Array([1, 2, 1]);
const DIFF = new Float32Array([-1, 0, 1]);

/** Sobel gradients: a [1 2 1] smoothing across the derivative direction, a [−1 0 1] difference along it. */
export function sobel(img: Float32Array, rows: number, cols: number): Gradients {
  const gx = convolveSeparable(img, rows, cols, DIFF, SMOOTH);
  const gy = convolveSeparable(img, rows, cols, SMOOTH, DIFF);
  const magnitude = new Float32Array(rows * cols);
  const direction = new Float32Array(rows * cols);
  for (let i = 0; i < magnitude.length; i++) {
    magnitude[i] = Math.hypot(gx[i], gy[i]);
    direction[i] = Math.atan2(gy[i], gx[i]);
  }
  return { gx, gy, magnitude, direction };
}

export interface CannyOptions {
  sigma?: number; // pre-blur, default 1
  low?: number; // weak threshold as a fraction of the largest gradient magnitude, default 0.1
  high?: number; // strong threshold as a fraction of the largest gradient magnitude, default 0.3
}

/** Canny edges (1 = edge): blur → Sobel → non-maximum suppression → double threshold → hysteresis. */
export function canny(img: Float32Array, rows: number, cols: number, options: CannyOptions = {}): Uint8Array {
  const { sigma = 1, low = 0.1, high = 0.3 } = options;
  const { magnitude, direction } = sobel(gaussianBlur(img, rows, cols, sigma), rows, cols);
  const thin = nonMaxSuppress(magnitude, direction, rows, cols);
  let max = 0;
  for (const m of thin) if (m > max) max = m;
  if (max === 0) return new Uint8Array(rows * cols);
  return hysteresis(thin, rows, cols, low * max, high * max);
}

/**
 * Keep a pixel only if it is a ridge across the edge: its magnitude beats the neighbour uphill (the gradient
 * direction, quantised to 45°) and is at least the neighbour downhill. The strict/non-strict pair breaks the tie
 * of a step edge, which has two equal Sobel responses, towards the bright side, so edges are one pixel thick and
 * sit on the object's own border pixels.
 */
export function nonMaxSuppress(magnitude: Float32Array, direction: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= cols || y >= rows ? 0 : magnitude[y * cols + x]);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const i = y * cols + x;
      const m = magnitude[i];
      if (m === 0) continue;
      const octant = Math.round(direction[i] / (Math.PI / 4));
      const dx = Math.round(Math.cos((octant * Math.PI) / 4));
      const dy = Math.round(Math.sin((octant * Math.PI) / 4));
      if (m > at(x + dx, y + dy) && m >= at(x - dx, y - dy)) out[i] = m;
    }
  }
  return out;
}

/** Strong pixels are edges; weak ones become edges only when 8-connected to a strong one (flood fill). */
export function hysteresis(strength: Float32Array, rows: number, cols: number, low: number, high: number): Uint8Array {
  const edges = new Uint8Array(rows * cols);
  const stack: number[] = [];
  for (let i = 0; i < strength.length; i++) {
    if (strength[i] >= high && strength[i] > 0) {
      edges[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % cols;
    const y = (i - x) / cols;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
        const j = ny * cols + nx;
        if (!edges[j] && strength[j] >= low && strength[j] > 0) {
          edges[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return edges;
}

export interface HarrisOptions {
  sigma?: number; // window of the structure tensor, default 1
  k?: number; // det − k·trace², default 0.05
  radius?: number; // non-maximum suppression radius in pixels, default 2
  threshold?: number; // keep responses ≥ threshold × the largest one, default 0.1
}

/** Harris corner response R = det(M) − k·trace(M)², M the Gaussian-weighted structure tensor of Sobel gradients. */
export function harrisResponse(img: Float32Array, rows: number, cols: number, options: HarrisOptions = {}): Float32Array {
  const { sigma = 1, k = 0.05 } = options;
  const { gx, gy } = sobel(img, rows, cols);
  const n = rows * cols;
  const xx = new Float32Array(n);
  const yy = new Float32Array(n);
  const xy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = gx[i] * gx[i];
    yy[i] = gy[i] * gy[i];
    xy[i] = gx[i] * gy[i];
  }
  const [a, b, c] = [xx, yy, xy].map((m) => gaussianBlur(m, rows, cols, sigma));
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) r[i] = a[i] * b[i] - c[i] * c[i] - k * (a[i] + b[i]) ** 2;
  return r;
}

/** Corner points: local maxima of the Harris response above a relative threshold, strongest first. */
export function harrisCorners(img: Float32Array, rows: number, cols: number, options: HarrisOptions = {}): Corner[] {
  const { radius = 2, threshold = 0.1 } = options;
  const r = harrisResponse(img, rows, cols, options);
  let max = 0;
  for (const v of r) if (v > max) max = v;
  if (max <= 0) return [];
  const corners: Corner[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const v = r[y * cols + x];
      if (v >= threshold * max && isLocalMax(r, rows, cols, x, y, radius)) corners.push({ x, y, response: v });
    }
  }
  return corners.sort((p, q) => q.response - p.response);
}

/** Maximum of its (2r+1)² window; on a plateau only the first pixel in raster order wins. */
function isLocalMax(r: Float32Array, rows: number, cols: number, x: number, y: number, radius: number): boolean {
  const v = r[y * cols + x];
  for (let ny = Math.max(0, y - radius); ny <= Math.min(rows - 1, y + radius); ny++) {
    for (let nx = Math.max(0, x - radius); nx <= Math.min(cols - 1, x + radius); nx++) {
      const w = r[ny * cols + nx];
      const earlier = ny < y || (ny === y && nx < x);
      if (w > v || (earlier && w === v)) return false;
    }
  }
  return true;
}

export interface HogOptions {
  cellSize?: number; // pixels per cell side, default 7 (a 28×28 image has 4×4 cells)
  bins?: number; // unsigned orientation bins over [0°, 180°), default 9
  blockSize?: number; // cells per block side, default 2; blocks step one cell
  clip?: number; // L2-Hys clip, default 0.2
}

/**
 * Histogram of oriented gradients (Dalal & Triggs 2005), with Sobel gradients. Each pixel votes its magnitude
 * into the two nearest unsigned orientation bins (linear interpolation). Blocks of blockSize² cells are
 * L2-Hys normalised: L2, clip at `clip`, L2 again.
 * Layout: blocks in row-major order (block row, block column); inside a block, cells in row-major order;
 * inside a cell, `bins` orientations starting at 0° (a horizontal gradient, i.e. a vertical stroke edge).
 * Length: (cellsY − blockSize + 1) × (cellsX − blockSize + 1) × blockSize² × bins; 324 for 28×28 defaults.
 */
export function hog(img: Float32Array, rows: number, cols: number, options: HogOptions = {}): Float32Array {
  const { cellSize = 7, bins = 9, blockSize = 2, clip = 0.2 } = options;
  const cellsY = Math.floor(rows / cellSize);
  const cellsX = Math.floor(cols / cellSize);
  if (cellsY < blockSize || cellsX < blockSize) {
    throw new RangeError(`hog: a ${rows}×${cols} image has ${cellsY}×${cellsX} cells of ${cellSize} px, fewer than a ${blockSize}×${blockSize} block`);
  }
  const { magnitude, direction } = sobel(img, rows, cols);
  const hist = new Float32Array(cellsY * cellsX * bins);
  for (let y = 0; y < cellsY * cellSize; y++) {
    for (let x = 0; x < cellsX * cellSize; x++) {
      const m = magnitude[y * cols + x];
      if (m === 0) continue;
      const angle = ((direction[y * cols + x] % Math.PI) + Math.PI) % Math.PI; // unsigned: [0, π)
      const pos = (angle / Math.PI) * bins - 0.5; // bin centres at (b + 0.5)·π/bins
      const b0 = Math.floor(pos);
      const f = pos - b0;
      const cell = (Math.floor(y / cellSize) * cellsX + Math.floor(x / cellSize)) * bins;
      hist[cell + ((b0 + bins) % bins)] += m * (1 - f);
      hist[cell + ((b0 + 1) % bins)] += m * f;
    }
  }
  const blocksY = cellsY - blockSize + 1;
  const blocksX = cellsX - blockSize + 1;
  const blockLen = blockSize * blockSize * bins;
  const out = new Float32Array(blocksY * blocksX * blockLen);
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      const block = out.subarray((by * blocksX + bx) * blockLen, (by * blocksX + bx + 1) * blockLen);
      for (let cy = 0; cy < blockSize; cy++) {
        for (let cx = 0; cx < blockSize; cx++) {
          const src = ((by + cy) * cellsX + (bx + cx)) * bins;
          block.set(hist.subarray(src, src + bins), (cy * blockSize + cx) * bins);
        }
      }
      l2Normalise(block);
      for (let i = 0; i < block.length; i++) block[i] = Math.min(block[i], clip);
      l2Normalise(block);
    }
  }
  return out;
}

/** v / √(‖v‖² + ε²) in place; ε keeps an all-zero block at zero. */
function l2Normalise(v: Float32Array): void {
  let ss = 1e-12;
  for (const x of v) ss += x * x;
  const s = 1 / Math.sqrt(ss);
  for (let i = 0; i < v.length; i++) v[i] *= s;
}

export interface StrokeStats {
  ink: number; // sum of intensities
  bbox: { top: number; left: number; bottom: number; right: number } | null; // inclusive pixel bounds of ink > 0
  centerOfMass: Point | null; // intensity-weighted mean (x, y)
  /**
   * Horizontal lean per unit of height, from central moments: −μ11/μ02 with y pointing down (= μ11/μ02 with y up).
   * > 0 leans right like '/', < 0 leans left like '\', 0 upright or empty. Shear x += slant·(y − cy) deslants.
   */
  slant: number;
}

/** Ink, bounding box, centre of mass and slant of one image (intensities ≥ 0). */
export function strokeStats(img: Float32Array, rows: number, cols: number): StrokeStats {
  let ink = 0;
  let sx = 0;
  let sy = 0;
  let top = rows;
  let left = cols;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const v = img[y * cols + x];
      if (v <= 0) continue;
      ink += v;
      sx += v * x;
      sy += v * y;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  if (ink === 0) return { ink: 0, bbox: null, centerOfMass: null, slant: 0 };
  const cx = sx / ink;
  const cy = sy / ink;
  let mu11 = 0;
  let mu02 = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const v = img[y * cols + x];
      if (v <= 0) continue;
      mu11 += v * (x - cx) * (y - cy);
      mu02 += v * (y - cy) * (y - cy);
    }
  }
  return { ink, bbox: { top, left, bottom, right }, centerOfMass: { x: cx, y: cy }, slant: mu02 > 0 ? -mu11 / mu02 : 0 };
}
