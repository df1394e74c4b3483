// Fused layer norm over the last axis (rows of n), forward and backward. One thread per row for
// the row passes (our rows are 128-512 long and there are hundreds of them: a workgroup per row
// would sit mostly at barriers, as softmax.wgsl found for short rows), one thread per column for
// the weight and bias gradients, which sum over the rows in row order (deterministic). The row
// statistics are recomputed from x by the backward; its row pass leaves them in `stats` (a
// temporary) for the column pass. Sums accumulate in f32 (the CPU's in f64: the tests allow for it).
override WG: u32 = 64u;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;     // y, or dx
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;   // mean, rstd per row
@group(0) @binding(7) var<storage, read_write> dw: array<f32>;
@group(0) @binding(8) var<storage, read_write> db: array<f32>;
override HAS_WEIGHT: bool = false;
override HAS_BIAS: bool = false;

// Params: 0 rows, 1 n, 2 eps (f32).

fn rowStats(base: u32, n: u32, eps: f32) -> vec2<f32> {
  var s = 0.0;
  for (var j = 0u; j < n; j++) { s += x[base + j]; }
  let mu = s / f32(n);
  var v = 0.0;
  for (var j = 0u; j < n; j++) { let d = x[base + j] - mu; v += d * d; }
  return vec2<f32>(mu, inverseSqrt(v / f32(n) + eps));
}

fn weightAt(j: u32) -> f32 { if (HAS_WEIGHT) { return w[j]; } return 1.0; }
fn biasAt(j: u32) -> f32 { if (HAS_BIAS) { return b[j]; } return 0.0; }

@compute @workgroup_size(WG)
fn layer_norm_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatId(gid, nwg, WG);
  if (r >= pu(0u)) { return; }
  let n = pu(1u);
  let base = r * n;
  let st = rowStats(base, n, pf(2u));
  for (var j = 0u; j < n; j++) { out[base + j] = (x[base + j] - st.x) * st.y * weightAt(j) + biasAt(j); }
}

// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)), ĝ = dy · weight.
@compute @workgroup_size(WG)
fn layer_norm_back_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatId(gid, nwg, WG);
  if (r >= pu(0u)) { return; }
  let n = pu(1u);
  let base = r * n;
  let st = rowStats(base, n, pf(2u));
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < n; j++) {
    let g = dy[base + j] * weightAt(j);
    sg += g;
    sgx += g * (x[base + j] - st.x) * st.y;
  }
  let mg = sg / f32(n);
  let mgx = sgx / f32(n);
  for (var j = 0u; j < n; j++) {
    let xh = (x[base + j] - st.x) * st.y;
    out[base + j] = st.y * (dy[base + j] * weightAt(j) - mg - xh * mgx);
  }
  stats[2u * r] = st.x;
  stats[2u * r + 1u] = st.y;
}

// dweight[j] = Σ_r dy·x̂, dbias[j] = Σ_r dy, after the row pass has left each row's statistics.
@compute @workgroup_size(WG)
fn layer_norm_back_cols(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flatId(gid, nwg, WG);
  let rows = pu(0u);
  let n = pu(1u);
  if (j >= n) { return; }
  var sw = 0.0;
  var sb = 0.0;
  for (var r = 0u; r < rows; r++) {
    let d = dy[r * n + j];
    sw += d * (x[r * n + j] - stats[2u * r]) * stats[2u * r + 1u];
    sb += d;
  }
  dw[j] = sw;
  db[j] = sb;
}
