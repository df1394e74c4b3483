// Fused batch normalisation over x [N, C, S] (S: the axes after the channel axis 1), and the
// gradient of clamp (ReLU6 follows every BatchNorm in mobilenetv2). The per-channel reductions
// run one workgroup per channel, each in two passes over its N*S values (the mean first, then
// squared deviations from it), so f32 accumulation does not cancel a variance away.
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

var<workgroup> red: array<f32, WG>;

fn treeSum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
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

// One workgroup per channel: out[c] = mean, out2[c] = biased variance.
@compute @workgroup_size(WG)
fn stats_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let c = flatGroup(wid, nwg);
  if (c >= pu(1u)) { return; }   // uniform across the workgroup
  let cnt = pu(0u) * pu(2u);
  var s = 0.0;
  for (var k = lid; k < cnt; k += WG) { s += x[at(c, k)]; }
  let m = treeSum(lid, s) / f32(cnt);
  var q = 0.0;
  for (var k = lid; k < cnt; k += WG) { let d = x[at(c, k)] - m; q += d * d; }
  let v = treeSum(lid, q) / f32(cnt);
  if (lid == 0u) { out[c] = m; out2[c] = v; }
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

// One workgroup per channel: g1 = sum dy, g2 = sum dy * xhat; out3[c] = dbias = g1,
// out2[c] = dweight = g2, and out = dx = rstd * w * (dy - g1/cnt - xhat * g2/cnt).
@compute @workgroup_size(WG)
fn backward_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let c = flatGroup(wid, nwg);
  if (c >= pu(1u)) { return; }
  let cnt = pu(0u) * pu(2u);
  let m = mean[c];
  let r = rstd[c];
  var s1 = 0.0;
  var s2 = 0.0;
  for (var k = lid; k < cnt; k += WG) { let j = at(c, k); s1 += dy[j]; s2 += dy[j] * (x[j] - m); }
  let g1 = treeSum(lid, s1);
  let g2 = treeSum(lid, s2) * r;
  if (lid == 0u) { out2[c] = g2; out3[c] = g1; }
  var w = 1.0;
  if (HAS_W) { w = weight[c]; }
  let k1 = r * w;
  let mg = g1 / f32(cnt);
  let mgx = g2 / f32(cnt);
  for (var k = lid; k < cnt; k += WG) {
    let j = at(c, k);
    out[j] = k1 * (dy[j] - mg - (x[j] - m) * r * mgx);
  }
}

// Params: 0 n, 1 lo (f32), 2 hi (f32). out = dy * (lo <= x <= hi).
@compute @workgroup_size(WG)
fn clamp_backward_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let v = x[i];
  out[i] = dy[i] * select(0.0, 1.0, v >= pf(1u) && v <= pf(2u));
}
