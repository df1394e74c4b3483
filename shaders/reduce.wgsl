// Reductions over any set of axes, and argmax/argmin along one axis. The host splits the input's
// axes into kept and reduced lists (shape + stride each, contiguous runs merged), so a kernel
// only unravels two small index spaces. Long reductions use a workgroup per output with a
// shared-memory tree; short ones a thread per output.
alias T = f32;
override OP: u32 = 0u;      // REDUCE_CODES (reduce_*) or ARG_REDUCE_CODES (arg_main) in codes.ts
override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<storage, read_write> outIdx: array<i32>;

var<workgroup> partial: array<T, WG>;

fn combine(a: T, b: T) -> T {
  switch OP {
    case 0u: { return a + b; } // sum
    case 1u: { return max(a, b); } // max
    case 2u: { return min(a, b); } // min
    default: { return bitcast<T>(poisonBits()); } // no op: NaN
  }
}

// Params: 0 outputs, 1 R (reduced count), 2 kept rank, 3 reduced rank, 4 identity (bits),
// 5.. kept shape[8], 13.. kept strides[8], 21.. reduced shape[8], 29.. reduced strides[8].
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

fn reduceRange(o: u32, first: u32, step: u32) -> T {
  let base = unravel(o, pu(2u), 5u, 13u);
  var acc = bitcast<T>(pu(4u));
  for (var r = first; r < pu(1u); r += step) { acc = combine(acc, x[base + unravel(r, pu(3u), 21u, 29u)]); }
  return acc;
}

@compute @workgroup_size(WG)
fn reduce_threads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flatId(gid, nwg, WG);
  if (o >= pu(0u)) { return; }
  out[o] = reduceRange(o, 0u, 1u);
}

@compute @workgroup_size(WG)
fn reduce_groups(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let o = flatGroup(wid, nwg);    // uniform across the workgroup, so the barriers below are too
  let live = o < pu(0u);
  partial[lid] = select(bitcast<T>(pu(4u)), reduceRange(o, lid, WG), live);
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
  }
  if (lid == 0u && live) { out[o] = partial[0]; }
}

var<private> unknownOp = false;

// Whether v takes the place of the best value so far (strictly: ties keep the first index).
fn better(v: T, best: T) -> bool {
  switch OP {
    case 1u: { return v > best; } // argmax
    case 2u: { return v < best; } // argmin
    default: { unknownOp = true; return false; } // no op: arg_main writes index -1
  }
}

// Params: 0 outputs (outer*inner), 1 n (axis length), 2 inner.
@compute @workgroup_size(WG)
fn arg_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flatId(gid, nwg, WG);
  if (o >= pu(0u)) { return; }
  let n = pu(1u); let inner = pu(2u);
  let base = (o / inner) * n * inner + o % inner;
  var best = 0u;
  var bv = x[base];
  for (var k = 1u; k < n; k++) {
    let v = x[base + k * inner];
    if (better(v, bv)) { bv = v; best = k; }
  }
  outIdx[o] = select(i32(best), -1, unknownOp);
}
