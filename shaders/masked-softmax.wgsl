// Fused masked softmax for attention: softmax(scale * x) along one axis, where a nonzero mask
// element excludes its position (probability 0) and an all-masked row is all zeros. One workgroup
// per row, as softmax.wgsl; the mask is read through broadcast strides, so a [B,1,1,T] padding
// mask or a [T,T] causal mask serves a [B,H,T,T] score tensor without being expanded first.
alias TM = f32;
override WG: u32 = 64u;
override HAS_MASK: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<TM>;

var<workgroup> red: array<f32, WG>;

// Tree-reduce red[] in place (max when isMax, else sum); every invocation gets the answer.
fn treeReduce(lid: u32, isMax: bool) -> f32 {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) { red[lid] = select(red[lid] + red[lid + s], max(red[lid], red[lid + s]), isMax); }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}

// Params: 0 rows (outer*inner), 1 n (axis length), 2 inner, 3 scale (f32), 4 mask stride along
// the axis, 5 outer rank, 6 inner rank, 8.. outer shape[8], 16.. its mask strides[8],
// 24.. inner shape[8], 32.. its mask strides[8].
fn unravel(i: u32, rank: u32, shapeAt: u32, strideAt: u32) -> u32 {
  var rem = i;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let n = pu(shapeAt + k);
    off += (rem % n) * pu(strideAt + k);
    rem = rem / n;
  }
  return off;
}

fn kept(mbase: u32, k: u32) -> bool {
  if (!HAS_MASK) { return true; }
  return mask[mbase + k * pu(4u)] == TM(0);
}

@compute @workgroup_size(WG)
fn masked_softmax_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
  let row = flatGroup(wid, nwg);
  if (row >= pu(0u)) { return; }   // uniform across the workgroup
  let n = pu(1u); let inner = pu(2u); let scale = pf(3u);
  let o = row / inner; let i = row % inner;
  let base = o * n * inner + i;
  var mbase = 0u;
  if (HAS_MASK) { mbase = unravel(o, pu(5u), 8u, 16u) + unravel(i, pu(6u), 24u, 32u); }
  let lowest = -3.40282e38;   // an infinite literal does not compile
  var m = lowest;
  var cnt = 0.0;
  for (var k = lid; k < n; k += WG) {
    if (kept(mbase, k)) { m = max(m, scale * x[base + k * inner]); cnt += 1.0; }
  }
  red[lid] = m;
  m = treeReduce(lid, true);
  red[lid] = cnt;
  cnt = treeReduce(lid, false);
  var s = 0.0;
  for (var k = lid; k < n; k += WG) {
    if (kept(mbase, k)) { s += exp(scale * x[base + k * inner] - m); }
  }
  red[lid] = s;
  s = treeReduce(lid, false);
  for (var k = lid; k < n; k += WG) {
    let j = base + k * inner;
    out[j] = select(0.0, exp(scale * x[j] - m) / s, cnt > 0.0 && kept(mbase, k));
  }
}
