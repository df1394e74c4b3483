// Fused layer normalisation over the last axis on the CPU, forward and backward, in plain loops
// (one pass for the mean, one for the variance, one for the output: the composed form made six
// kernels and five temporaries). Row statistics accumulate in float64 as reduceInto's sums do;
// the backward recomputes them from x instead of keeping them, so the forward leaves nothing
// behind. Single-threaded: each value is computed the same way on any thread count.

import type { CpuArray, FloatArray } from './storage.js';

/** Mean and 1/√(var + eps) (biased variance) of row r of x [rows, n], in float64. */
function rowStats(x: CpuArray, base: number, n: number, eps: number): [mean: number, rstd: number] {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[base + j];
  const mu = s / n;
  let v = 0;
  for (let j = 0; j < n; j++) { const d = x[base + j] - mu; v += d * d; }
  return [mu, 1 / Math.sqrt(v / n + eps)];
}

/** out = (x − mean) · rstd · weight + bias per row of n; weight and bias [n] or null. */
export function layerNormInto(x: CpuArray, n: number, weight: CpuArray | null, bias: CpuArray | null, eps: number, out: CpuArray): void {
  const rows = n ? x.length / n : 0;
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    const [mu, rs] = rowStats(x, base, n, eps);
    if (weight && bias) for (let j = 0; j < n; j++) out[base + j] = (x[base + j] - mu) * rs * weight[j] + bias[j];
    else if (weight) for (let j = 0; j < n; j++) out[base + j] = (x[base + j] - mu) * rs * weight[j];
    else if (bias) for (let j = 0; j < n; j++) out[base + j] = (x[base + j] - mu) * rs + bias[j];
    else for (let j = 0; j < n; j++) out[base + j] = (x[base + j] - mu) * rs;
  }
}

/**
 * The gradients of layerNormInto for output gradient dy: with x̂ = (x − mean)·rstd and
 * ĝ = dy·weight, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row; dweight = Σ_rows dy·x̂ and
 * dbias = Σ_rows dy, summed in float64 in row order.
 */
export function layerNormBackwardInto(dy: CpuArray, x: CpuArray, n: number, weight: CpuArray | null, eps: number,
  dx: CpuArray, dweight: FloatArray, dbias: FloatArray): void {
  const rows = n ? x.length / n : 0;
  const dw = new Float64Array(n), db = new Float64Array(n);
  const xhat = new Float64Array(n), g = new Float64Array(n);
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    const [mu, rs] = rowStats(x, base, n, eps);
    let sg = 0, sgx = 0;
    for (let j = 0; j < n; j++) {
      const d = dy[base + j], xh = (x[base + j] - mu) * rs;
      const gj = weight ? d * weight[j] : d;
      xhat[j] = xh; g[j] = gj;
      sg += gj; sgx += gj * xh;
      dw[j] += d * xh; db[j] += d;
    }
    const mg = sg / n, mgx = sgx / n;
    for (let j = 0; j < n; j++) dx[base + j] = rs * (g[j] - mg - xhat[j] * mgx);
  }
  for (let j = 0; j < n; j++) { dweight[j] = dw[j]; dbias[j] = db[j]; }
}
