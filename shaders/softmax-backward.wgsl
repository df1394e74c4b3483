// The backward of softmax(scale · x), masked or not, from its output y: dx = scale · y · (dy − Σ dy·y)
// along one axis (y is 0 where a mask excluded a position, so its gradient is 0 too). One thread
// per row, as softmax.wgsl's short-row path: attention rows are 10-128 long. A row's elements sit
// at base + k*inner, so an inner axis needs no transpose.
override WG: u32 = 128u;

@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Params: 0 rows (outer*inner), 1 n (axis length), 2 inner, 3 scale (f32).
@compute @workgroup_size(WG)
fn softmax_backward_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flatId(gid, nwg, WG);
  if (row >= pu(0u)) { return; }
  let n = pu(1u); let inner = pu(2u); let scale = pf(3u);
  let base = (row / inner) * n * inner + row % inner;
  var d = 0.0;
  for (var k = 0u; k < n; k++) { let j = base + k * inner; d += dy[j] * y[j]; }
  for (var k = 0u; k < n; k++) { let j = base + k * inner; dx[j] = scale * y[j] * (dy[j] - d); }
}
