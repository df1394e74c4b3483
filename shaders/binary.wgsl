// Binary ops and where(), with NumPy broadcasting done by strides: a broadcast axis has stride 0.
// The host collapses axes that are contiguous in every operand first, so the common cases (same
// shape, scalar, row vector) run with rank 1 or 2. Comparisons write 1 or 0 in the output type.
alias TIn = f32;
alias TOut = f32;
alias TC = f32;
override OP: u32 = 0u;
override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> a: array<TIn>;
@group(0) @binding(2) var<storage, read> b: array<TIn>;
@group(0) @binding(3) var<storage, read_write> out: array<TOut>;
@group(0) @binding(4) var<storage, read> cond: array<TC>;

// Params: 0 n, 1 rank, 2.. shape[8], 10.. strides of a, 18.. of b, 26.. of cond.
fn offsets(i: u32) -> vec3<u32> {
  var rem = i;
  var o = vec3<u32>(0u);
  for (var d = i32(pu(1u)) - 1; d >= 0; d--) {
    let k = u32(d);
    let n = pu(2u + k);
    let c = rem % n;
    rem = rem / n;
    o += c * vec3<u32>(pu(10u + k), pu(18u + k), pu(26u + k));
  }
  return o;
}

// Codes: BINARY_CODES in engine/backend/webgpu/codes.ts.
fn apply(x: TIn, y: TIn) -> TOut {
  switch OP {
    case 0u: { return TOut(x + y); } // add
    case 1u: { return TOut(x - y); } // sub
    case 2u: { return TOut(x * y); } // mul
    case 3u: { return TOut(x / y); } // div
    case 4u: { return TOut(powf(f32(x), f32(y))); } // pow
    case 5u: { return TOut(max(x, y)); } // maximum
    case 6u: { return TOut(min(x, y)); } // minimum
    case 7u: { return select(TOut(0), TOut(1), x == y); } // eq
    case 8u: { return select(TOut(0), TOut(1), x != y); } // ne
    case 9u: { return select(TOut(0), TOut(1), x < y); } // lt
    case 10u: { return select(TOut(0), TOut(1), x <= y); } // le
    case 11u: { return select(TOut(0), TOut(1), x > y); } // gt
    case 12u: { return select(TOut(0), TOut(1), x >= y); } // ge
    default: { return bitcast<TOut>(poisonBits()); } // no op: NaN (2143289344 in i32)
  }
}

@compute @workgroup_size(WG)
fn binary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let o = offsets(i);
  out[i] = apply(a[o.x], b[o.y]);
}

@compute @workgroup_size(WG)
fn where_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let o = offsets(i);
  out[i] = TOut(select(b[o.y], a[o.x], cond[o.z] != TC(0)));
}
