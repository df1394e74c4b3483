// Direct depthwise convolution (groups = C, weight [C*mult, 1, KH, KW]), NCHW, forward and both
// gradients. The implicit-GEMM conv runs one 1-row GEMM per channel here, tiles of 64 rows mostly
// empty; these walk the taps directly. The backward passes gather (no atomics, fixed order):
// backward input, one thread per input pixel over the outputs that read it; backward filter,
// one workgroup per weight, its threads striding over N*OH*OW, then a tree sum.
override WG: u32 = 64u;

@group(0) @binding(1) var<storage, read> a: array<f32>;        // x (forward, filter), or dy (input)
@group(0) @binding(2) var<storage, read> b: array<f32>;        // w (forward, input), or dy (filter)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Params: 0 n (threads or weights), 1 N, 2 C, 3 H, 4 W, 5 O, 6 OH, 7 OW, 8 KH, 9 KW,
// 10 strideH, 11 strideW, 12 padH, 13 padW, 14 dilationH, 15 dilationW, 16 mult.
fn tapY(oy: u32, ky: u32) -> i32 { return i32(oy * pu(10u)) - pi(12u) + i32(ky * pu(14u)); }
fn tapX(ox: u32, kx: u32) -> i32 { return i32(ox * pu(11u)) - pi(13u) + i32(kx * pu(15u)); }

// The output coordinate whose tap k reads input coordinate i, or -1 if none.
fn srcOut(i: u32, k: u32, pad: u32, dil: u32, stride: u32, size: u32) -> i32 {
  let t = i32(i + pad) - i32(k * dil);
  if (t < 0 || u32(t) % stride != 0u || u32(t) / stride >= size) { return -1; }
  return t / i32(stride);
}

@compute @workgroup_size(WG)
fn dw_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let H = pu(3u); let W = pu(4u); let OH = pu(6u); let OW = pu(7u); let KH = pu(8u); let KW = pu(9u);
  let ox = i % OW; let oy = (i / OW) % OH; let plane = i / (OH * OW);   // plane = n * O + oc
  let oc = plane % pu(5u);
  let xBase = (plane / pu(5u) * pu(2u) + oc / pu(16u)) * H * W;
  var acc = 0.0;
  for (var ky = 0u; ky < KH; ky++) {
    let iy = tapY(oy, ky);
    if (iy < 0 || u32(iy) >= H) { continue; }
    for (var kx = 0u; kx < KW; kx++) {
      let ix = tapX(ox, kx);
      if (ix < 0 || u32(ix) >= W) { continue; }
      acc += a[xBase + u32(iy) * W + u32(ix)] * b[(oc * KH + ky) * KW + kx];
    }
  }
  out[i] = acc;
}

@compute @workgroup_size(WG)
fn dw_backward_input(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let H = pu(3u); let W = pu(4u); let OH = pu(6u); let OW = pu(7u); let KH = pu(8u); let KW = pu(9u);
  let ix = i % W; let iy = (i / W) % H; let plane = i / (H * W);   // plane = n * C + c
  let C = pu(2u); let mult = pu(16u);
  let img = plane / C; let c = plane % C;
  var acc = 0.0;
  for (var m = 0u; m < mult; m++) {
    let oc = c * mult + m;
    let yBase = (img * pu(5u) + oc) * OH * OW;
    for (var ky = 0u; ky < KH; ky++) {
      let oy = srcOut(iy, ky, pu(12u), pu(14u), pu(10u), OH);
      if (oy < 0) { continue; }
      for (var kx = 0u; kx < KW; kx++) {
        let ox = srcOut(ix, kx, pu(13u), pu(15u), pu(11u), OW);
        if (ox < 0) { continue; }
        acc += a[yBase + u32(oy) * OW + u32(ox)] * b[(oc * KH + ky) * KW + kx];
      }
    }
  }
  out[i] = acc;
}

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn dw_backward_filter(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_index) lid: u32) {
  let wi = flatGroup(wid, nwg);   // uniform across the workgroup, so the barriers below are too
  let live = wi < pu(0u);
  let H = pu(3u); let W = pu(4u); let OH = pu(6u); let OW = pu(7u); let KH = pu(8u); let KW = pu(9u);
  let kx = wi % KW; let ky = (wi / KW) % KH; let oc = wi / (KH * KW);
  let O = pu(5u); let C = pu(2u); let c = oc / pu(16u);
  var acc = 0.0;
  let total = select(0u, pu(1u) * OH * OW, live);
  for (var j = lid; j < total; j += WG) {
    let ox = j % OW; let oy = (j / OW) % OH; let img = j / (OH * OW);
    let iy = tapY(oy, ky); let ix = tapX(ox, kx);
    if (iy < 0 || ix < 0 || u32(iy) >= H || u32(ix) >= W) { continue; }
    acc += b[((img * O + oc) * OH + oy) * OW + ox] * a[((img * C + c) * H + u32(iy)) * W + u32(ix)];
  }
  partial[lid] = acc;
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) { partial[lid] += partial[lid + s]; }
  }
  if (lid == 0u && live) { out[wi] = partial[0]; }
}
