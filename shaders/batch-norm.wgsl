// Fused batch normalisation over x [N, C, S] (S: the axes after the channel axis 1), and the
// gradient of clamp (ReLU6 follows every BatchNorm in mobilenetv2). The per-channel reductions
// run one workgroup per channel; the statistics take two passes over each channel's N*S values
// (the mean first, then squared deviations from it), so f32 accumulation does not cancel a
// variance away.
override WG: u32 = 256u;
override HAS_W: bool = false;
override HAS_B: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read_write> out: array<f32>;    // y, dx or the channel means
@group(0) @binding(8) var<storage, read_write> out2: array<f32>;   // the variances or dweight
@group(0) @binding(9) var<storage, read_write> out3: array<f32>;   // dbias
@group(0) @binding(10) var<storage, read> sums_w: array<f32>;       // backward_sums_main's out2, out3
@group(0) @binding(11) var<storage, read> sums_b: array<f32>;

var<workgroup> red: array<f32, WG>;

// Sum red[] in place (each invocation has stored its part); every invocation gets the answer.
fn treeSum(lid: u32) -> f32 {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}

// Params: 0 N, 1 C, 2 S. Element k in [0, N*S) of channel c is at (k / S * C + c) * S + k % S.
fn at(c: u32, k: u32) -> u32 {
  let s = pu(2u);
  return ((k / s) * pu(1u) + c) * s + k % s;
}

// One workgroup per channel: out[c] = the mean. The variance is a second dispatch (var_main)
// reading the mean back: broadcasting it through workgroup memory within one dispatch gave all
// but the first 8 invocations a stale value on llvmpipe (its workgroups run in 8-wide slices).
@compute @workgroup_size(WG)
fn mean_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let c = flatGroup(wid, nwg);
  if (c >= pu(1u)) { return; }   // uniform across the workgroup
  let cnt = pu(0u) * pu(2u);
  var s = 0.0;
  for (var k = lid; k < cnt; k += WG) { s += x[at(c, k)]; }
  red[lid] = s;
  let m = treeSum(lid) / f32(cnt);
  if (lid == 0u) { out[c] = m; }
}

// One workgroup per channel: out2[c] = the biased variance, around mean[c] (two passes in all).
@compute @workgroup_size(WG)
fn var_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let c = flatGroup(wid, nwg);
  if (c >= pu(1u)) { return; }
  let cnt = pu(0u) * pu(2u);
  let m = mean[c];
  var q = 0.0;
  for (var k = lid; k < cnt; k += WG) { let d = x[at(c, k)] - m; q += d * d; }
  red[lid] = q;
  let v = treeSum(lid) / f32(cnt);
  if (lid == 0u) { out2[c] = v; }
}

// Params: 0 N, 1 C, 2 S, 3 total. y = (x - mean[c]) * rstd[c] * weight[c] + bias[c].
@compute @workgroup_size(WG)
fn apply_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(3u)) { return; }
  let c = (i / pu(2u)) % pu(1u);
  var a = rstd[c];
  if (HAS_W) { a = a * weight[c]; }
  var b = 0.0;
  if (HAS_B) { b = bias[c]; }
  out[i] = (x[i] - mean[c]) * a + b;
}

// One workgroup per channel: out3[c] = dbias = sum dy, out2[c] = dweight = sum dy * xhat.
@compute @workgroup_size(WG)
fn backward_sums_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
  let c = flatGroup(wid, nwg);
  if (c >= pu(1u)) { return; }
  let cnt = pu(0u) * pu(2u);
  let m = mean[c];
  var s1 = 0.0;
  var s2 = 0.0;
  for (var k = lid; k < cnt; k += WG) { let j = at(c, k); s1 += dy[j]; s2 += dy[j] * (x[j] - m); }
  red[lid] = s1;
  let g1 = treeSum(lid);
  red[lid] = s2;
  let g2 = treeSum(lid) * rstd[c];
  if (lid == 0u) { out2[c] = g2; out3[c] = g1; }
}

// Params: 0 N, 1 C, 2 S, 3 total. dx = rstd * w * (dy - dbias/cnt - xhat * dweight/cnt), from the sums above.
@compute @workgroup_size(WG)
fn backward_dx_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(3u)) { return; }
  let c = (i / pu(2u)) % pu(1u);
  let cnt = f32(pu(0u) * pu(2u));
  let r = rstd[c];
  var w = 1.0;
  if (HAS_W) { w = weight[c]; }
  out[i] = r * w * (dy[i] - sums_b[c] / cnt - (x[i] - mean[c]) * r * (sums_w[c] / cnt));
}

// Params: 0 n, 1 lo (f32), 2 hi (f32). out = dy * (lo <= x <= hi).
@compute @workgroup_size(WG)
fn clamp_backward_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let v = x[i];
  out[i] = dy[i] * select(0.0, 1.0, v >= pf(1u) && v <= pf(2u));
}
