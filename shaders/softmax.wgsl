// Numerically stable softmax / log-softmax along one axis. Long rows: one workgroup per row, the
// row's max and then its sum of exp(x - max) found with shared-memory tree reductions. Many short
// rows: one thread per row, three passes (as reduce.wgsl does; a workgroup of mostly idle threads
// meeting at barriers costs far more than the row, most of all on a software adapter). A row's
// elements sit at base + k*inner, so no transpose is needed for an inner axis.
override WG: u32 = 128u;
override LOG: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

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

// Params: 0 rows (outer*inner), 1 n (axis length), 2 inner.
@compute @workgroup_size(WG)
fn softmax_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let row = flatGroup(wid, nwg);
  if (row >= pu(0u)) { return; }   // uniform across the workgroup
  let n = pu(1u); let inner = pu(2u);
  let base = (row / inner) * n * inner + row % inner;
  var m = -3.40282e38;   // lowest f32: an infinite literal does not compile
  for (var k = lid; k < n; k += WG) { m = max(m, x[base + k * inner]); }
  red[lid] = m;
  m = treeReduce(lid, true);
  var s = 0.0;
  for (var k = lid; k < n; k += WG) { s += exp(x[base + k * inner] - m); }
  red[lid] = s;
  s = treeReduce(lid, false);
  let lse = m + log(s);
  for (var k = lid; k < n; k += WG) {
    let v = x[base + k * inner];
    out[base + k * inner] = select(exp(v - m) / s, v - lse, LOG);
  }
}

// The same per row, one thread each. Params as softmax_main.
@compute @workgroup_size(WG)
fn softmax_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flatId(gid, nwg, WG);
  if (row >= pu(0u)) { return; }
  let n = pu(1u); let inner = pu(2u);
  let base = (row / inner) * n * inner + row % inner;
  var m = -3.40282e38;
  for (var k = 0u; k < n; k++) { m = max(m, x[base + k * inner]); }
  var s = 0.0;
  for (var k = 0u; k < n; k++) { s += exp(x[base + k * inner] - m); }
  let lse = m + log(s);
  for (var k = 0u; k < n; k++) {
    let v = x[base + k * inner];
    out[base + k * inner] = select(exp(v - m) / s, v - lse, LOG);
  }
}
