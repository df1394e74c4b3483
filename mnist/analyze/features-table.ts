// A feature matrix (n rows × dim columns, row-major) and the per-column standardisation the probes share.

export interface FeatureMatrix {
  values: Float32Array;
  count: number;
  dim: number;
}

/** Column means and standard deviations of the training features (a constant column gets std 1, so it maps to 0). */
export function columnMoments(m: FeatureMatrix): { mean: Float32Array; std: Float32Array } {
  const s = new Float64Array(m.dim);
  const ss = new Float64Array(m.dim);
  for (let i = 0; i < m.count; i++) {
    for (let j = 0; j < m.dim; j++) {
      const v = m.values[i * m.dim + j];
      s[j] += v;
      ss[j] += v * v;
    }
  }
  const mean = Float32Array.from(s, (v) => v / Math.max(1, m.count));
  const std = Float32Array.from(ss, (v, j) => {
    const sd = Math.sqrt(Math.max(0, v / Math.max(1, m.count) - mean[j] ** 2));
    return sd > 1e-8 ? sd : 1;
  });
  return { mean, std };
}

/** (x − mean) / std, column by column, into a new matrix. */
export function standardise(m: FeatureMatrix, { mean, std }: { mean: Float32Array; std: Float32Array }): FeatureMatrix {
  const out = new Float32Array(m.values.length);
  for (let i = 0; i < m.count; i++) for (let j = 0; j < m.dim; j++) out[i * m.dim + j] = (m.values[i * m.dim + j] - mean[j]) / std[j];
  return { values: out, count: m.count, dim: m.dim };
}
