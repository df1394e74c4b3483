// Data movement that never looks at values: the strided gather (permute, slice, expand) and
// constant padding. Elements move as raw 32-bit words, so one pipeline serves float32 and int32.
override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

// Params: 0 n, 1 rank, 2 offset, 3.. out shape[8], 11.. source strides[8] (may be 0).
@compute @workgroup_size(WG)
fn strided_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  var rem = i;
  var src = pi(2u);
  for (var d = i32(pu(1u)) - 1; d >= 0; d--) {
    let k = u32(d);
    let n = pu(3u + k);
    src += i32(rem % n) * pi(11u + k);
    rem = rem / n;
  }
  out[i] = x[u32(src)];
}

// Params: 0 n, 1 rank, 2 value (bits), 3.. out shape[8], 11.. before[8], 19.. input shape[8].
@compute @workgroup_size(WG)
fn pad_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  var rem = i;
  var src = 0u;
  var stride = 1u;
  var inside = true;
  for (var d = i32(pu(1u)) - 1; d >= 0; d--) {
    let k = u32(d);
    let n = pu(3u + k);
    let c = i32(rem % n) - pi(11u + k);
    rem = rem / n;
    let len = pu(19u + k);
    inside = inside && c >= 0 && u32(c) < len;
    src += u32(max(c, 0)) * stride;
    stride *= len;
  }
  out[i] = select(pu(2u), x[src], inside);
}
