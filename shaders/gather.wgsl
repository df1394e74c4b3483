// index_select and its adjoint. scatterAdd is written as a gather: each output element walks the
// index list and sums the sources that land on it. No atomics (WGSL has no f32 atomics) and the
// summation order is fixed, so results are deterministic. Cost is outer*len*inner*m index reads:
// fine for embedding-sized problems, quadratic for huge ones (a sort-based CSR pass would fix it).
// An out-of-range index cannot throw on the GPU: gather reads 0 there and scatterAdd drops it.
alias T = f32;
override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

// Params: 0 n (output size), 1 len (source axis length), 2 m (index count), 3 inner.
@compute @workgroup_size(WG)
fn gather_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let len = pu(1u); let m = pu(2u); let inner = pu(3u);
  let k = i % inner; let t = i / inner; let j = t % m; let o = t / m;
  let r = idx[j];
  if (r < 0 || u32(r) >= len) { out[i] = T(0); return; }
  out[i] = x[(o * len + u32(r)) * inner + k];
}

// Params: 0 n (output size), 1 len (output axis length), 2 m (index count), 3 inner. x is src.
@compute @workgroup_size(WG)
fn scatter_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let len = pu(1u); let m = pu(2u); let inner = pu(3u);
  let k = i % inner; let t = i / inner; let r = i32(t % len); let o = t / len;
  var acc = T(0);
  for (var j = 0u; j < m; j++) {
    if (idx[j] == r) { acc += x[(o * m + j) * inner + k]; }
  }
  out[i] = acc;
}
