// Max and average pooling, forward and backward, NCHW.

import type { Pool2dParams } from '../../conv-geometry.js';
import { pool2dOutShape } from '../../conv-geometry.js';
import type { CpuArray } from './storage.js';

/** Visit each output position with its window's in-bounds input positions. */
function windows(xShape: readonly number[], p: Pool2dParams,
  visit: (plane: number, o: number, taps: number[], inWindow: number) => void): void {
  const [n, c, h, w] = xShape;
  const [, , oh, ow] = pool2dOutShape(xShape, p);
  const taps: number[] = [];
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        taps.length = 0;
        let inWindow = 0;
        for (let ky = 0; ky < p.kernelH; ky++) {
          const iy = y * p.strideH - p.padH + ky * p.dilationH;
          for (let kx = 0; kx < p.kernelW; kx++) {
            const ix = x * p.strideW - p.padW + kx * p.dilationW;
            // A window position inside the padded frame counts for countIncludePad.
            if (iy >= -p.padH && iy < h + p.padH && ix >= -p.padW && ix < w + p.padW) inWindow++;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) taps.push(iy * w + ix);
          }
        }
        visit(plane, y * ow + x, taps, inWindow);
      }
    }
  }
}

/** The common case (no padding or dilation), as straight loops: ten times faster than windows(). */
function maxPoolPlain(x: CpuArray, xShape: readonly number[], p: Pool2dParams, out: CpuArray, argmax: Int32Array): void {
  const [n, c, h, w] = xShape;
  const [, , oh, ow] = pool2dOutShape(xShape, p);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o++) {
        const y0 = y * p.strideH, x0 = xo * p.strideW;
        let best = y0 * w + x0, bv = x[base + best];
        for (let ky = 0; ky < p.kernelH; ky++) {
          const row = (y0 + ky) * w + x0;
          for (let kx = 0; kx < p.kernelW; kx++) {
            const v = x[base + row + kx];
            if (v > bv) { bv = v; best = row + kx; }
          }
        }
        out[o] = bv;
        argmax[o] = best;
      }
    }
  }
}

export function maxPoolInto(x: CpuArray, xShape: readonly number[], p: Pool2dParams, out: CpuArray, argmax: Int32Array): void {
  if (p.padH === 0 && p.padW === 0 && p.dilationH === 1 && p.dilationW === 1) return maxPoolPlain(x, xShape, p, out, argmax);
  const hw = xShape[2] * xShape[3];
  const ohw = out.length / (xShape[0] * xShape[1]);
  windows(xShape, p, (plane, o, taps) => {
    let best = -1, bv = -Infinity;
    for (const t of taps) { const v = x[plane * hw + t]; if (v > bv || best < 0) { bv = v; best = t; } }
    out[plane * ohw + o] = bv;
    argmax[plane * ohw + o] = best;
  });
}

export function maxPoolBackwardInto(dy: CpuArray, argmax: Int32Array, xShape: readonly number[], dx: CpuArray): void {
  const hw = xShape[2] * xShape[3];
  const ohw = dy.length / (xShape[0] * xShape[1]);
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) dx[Math.floor(i / ohw) * hw + argmax[i]] += dy[i];
}

const divisor = (p: Pool2dParams, taps: number[], inWindow: number) => (p.countIncludePad ? inWindow : taps.length);

export function avgPoolInto(x: CpuArray, xShape: readonly number[], p: Pool2dParams, out: CpuArray): void {
  const hw = xShape[2] * xShape[3];
  const ohw = out.length / (xShape[0] * xShape[1]);
  windows(xShape, p, (plane, o, taps, inWindow) => {
    let s = 0;
    for (const t of taps) s += x[plane * hw + t];
    out[plane * ohw + o] = s / divisor(p, taps, inWindow);
  });
}

export function avgPoolBackwardInto(dy: CpuArray, xShape: readonly number[], p: Pool2dParams, dx: CpuArray): void {
  const hw = xShape[2] * xShape[3];
  const ohw = dy.length / (xShape[0] * xShape[1]);
  dx.fill(0);
  windows(xShape, p, (plane, o, taps, inWindow) => {
    const g = dy[plane * ohw + o] / divisor(p, taps, inWindow);
    for (const t of taps) dx[plane * hw + t] += g;
  });
}
