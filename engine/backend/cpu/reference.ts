// Plain-loop matmul and convolution, generic over Float32Array/Float64Array. They are the
// float64 path used by gradcheck, where the float32 WebAssembly kernels cannot serve, and a
// readable statement of what the fast kernels compute.

import type { Conv2dParams } from '../../conv-geometry.js';
import { conv2dOutShape } from '../../conv-geometry.js';
import type { FloatArray } from './storage.js';

/** C[b] = op(A[b]) op(B[b]); aBatch/bBatch of 1 broadcast. */
export function matmulRef(a: FloatArray, b: FloatArray, out: FloatArray, batch: number, m: number, n: number, k: number,
  transA: boolean, transB: boolean, aBatch: number, bBatch: number): void {
  const [sam, sak] = transA ? [1, m] : [k, 1];
  const [sbk, sbn] = transB ? [1, k] : [n, 1];
  out.fill(0);
  for (let bi = 0; bi < batch; bi++) {
    const ao = aBatch === 1 ? 0 : bi * m * k, bo = bBatch === 1 ? 0 : bi * k * n, co = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * sam + p * sak];
        if (av === 0) continue;
        const row = bo + p * sbk;
        for (let j = 0; j < n; j++) out[co + i * n + j] += av * b[row + j * sbn];
      }
    }
  }
}

/** Call tap(xIndex, wIndex, yIndex) for every multiply of a grouped, strided, dilated conv. */
function forEachTap(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams,
  tap: (xi: number, wi: number, yi: number) => void): void {
  const [n, c, h, w] = xShape;
  const [o, cg, kh, kw] = wShape;
  const [, , oh, ow] = conv2dOutShape(xShape, wShape, p);
  const og = o / p.groups;
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const g = Math.floor(oc / og);
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      const yi = ((b * o + oc) * oh + y) * ow + x;
      for (let ci = 0; ci < cg; ci++) {
        const ch = g * cg + ci;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y * p.strideH - p.padH + ky * p.dilationH;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x * p.strideW - p.padW + kx * p.dilationW;
            if (ix < 0 || ix >= w) continue;
            tap(((b * c + ch) * h + iy) * w + ix, ((oc * cg + ci) * kh + ky) * kw + kx, yi);
          }
        }
      }
    }
  }
}

export function conv2dRef(x: FloatArray, xShape: readonly number[], w: FloatArray, wShape: readonly number[], p: Conv2dParams, y: FloatArray): void {
  y.fill(0);
  forEachTap(xShape, wShape, p, (xi, wi, yi) => { y[yi] += x[xi] * w[wi]; });
}

export function conv2dBackwardInputRef(dy: FloatArray, w: FloatArray, wShape: readonly number[], xShape: readonly number[], p: Conv2dParams, dx: FloatArray): void {
  dx.fill(0);
  forEachTap(xShape, wShape, p, (xi, wi, yi) => { dx[xi] += dy[yi] * w[wi]; });
}

export function conv2dBackwardFilterRef(x: FloatArray, xShape: readonly number[], dy: FloatArray, wShape: readonly number[], p: Conv2dParams, dw: FloatArray): void {
  dw.fill(0);
  forEachTap(xShape, wShape, p, (xi, wi, yi) => { dw[wi] += x[xi] * dy[yi]; });
}
