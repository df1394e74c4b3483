// Max and average pooling, NCHW, forward and backward. The backward passes are gathers: each
// input pixel visits the few output windows that can contain it (ky, kx such that
// iy + pad - ky*dil is a multiple of the stride) and sums their gradients. No atomics, and a
// fixed summation order, so the result is deterministic. If max-pool's window geometry is unknown
// (PLAIN_SCAN), each input pixel scans every argmax of its plane instead.
override WG: u32 = 256u;
override PLAIN_SCAN: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;         // forward input, or dy
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // forward output, or dx
@group(0) @binding(3) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(4) var<storage, read> argmaxIn: array<i32>;

// Params: 0 n (threads), 1 H, 2 W, 3 OH, 4 OW, 5 KH, 6 KW, 7 strideH, 8 strideW, 9 padH, 10 padW,
// 11 dilationH, 12 dilationW, 13 countIncludePad.
fn tapY(oy: u32, ky: u32) -> i32 { return i32(oy * pu(7u)) - pi(9u) + i32(ky * pu(11u)); }
fn tapX(ox: u32, kx: u32) -> i32 { return i32(ox * pu(8u)) - pi(10u) + i32(kx * pu(12u)); }
fn inY(iy: i32) -> bool { return iy >= 0 && u32(iy) < pu(1u); }
fn inX(ix: i32) -> bool { return ix >= 0 && u32(ix) < pu(2u); }

// The output coordinate whose tap k covers input coordinate i, or -1.
fn srcOut(i: u32, k: u32, pad: u32, dil: u32, stride: u32, size: u32) -> i32 {
  let t = i32(i + pad) - i32(k * dil);
  if (t < 0 || u32(t) % stride != 0u || u32(t) / stride >= size) { return -1; }
  return t / i32(stride);
}

// avg-pool's divisor for one output: taps inside the padded frame, or inside the image.
fn divisor(oy: u32, ox: u32) -> f32 {
  let H = i32(pu(1u)); let W = i32(pu(2u)); let ph = pi(9u); let pw = pi(10u);
  var count = 0u;
  for (var ky = 0u; ky < pu(5u); ky++) {
    let iy = tapY(oy, ky);
    for (var kx = 0u; kx < pu(6u); kx++) {
      let ix = tapX(ox, kx);
      let framed = iy >= -ph && iy < H + ph && ix >= -pw && ix < W + pw;
      let inside = inY(iy) && inX(ix);
      if ((pu(13u) == 1u && framed) || inside) { count++; }
    }
  }
  return f32(count);
}

@compute @workgroup_size(WG)
fn maxpool_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let ohw = pu(3u) * pu(4u);
  let plane = i / ohw; let oy = (i % ohw) / pu(4u); let ox = i % pu(4u);
  var best = -1;
  var bv = 0.0;
  for (var ky = 0u; ky < pu(5u); ky++) {
    let iy = tapY(oy, ky);
    if (!inY(iy)) { continue; }
    for (var kx = 0u; kx < pu(6u); kx++) {
      let ix = tapX(ox, kx);
      if (!inX(ix)) { continue; }
      let t = iy * i32(pu(2u)) + ix;
      let v = x[plane * pu(1u) * pu(2u) + u32(t)];
      if (best < 0 || v > bv) { bv = v; best = t; }
    }
  }
  out[i] = bv;
  argmax[i] = best;
}

@compute @workgroup_size(WG)
fn maxpool_back(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let hw = pu(1u) * pu(2u); let ohw = pu(3u) * pu(4u);
  let plane = i / hw; let t = i32(i % hw);
  let iy = u32(t) / pu(2u); let ix = u32(t) % pu(2u);
  var acc = 0.0;
  if (PLAIN_SCAN) {
    for (var o = 0u; o < ohw; o++) { if (argmaxIn[plane * ohw + o] == t) { acc += x[plane * ohw + o]; } }
  } else {
    for (var ky = 0u; ky < pu(5u); ky++) {
      let oy = srcOut(iy, ky, pu(9u), pu(11u), pu(7u), pu(3u));
      if (oy < 0) { continue; }
      for (var kx = 0u; kx < pu(6u); kx++) {
        let ox = srcOut(ix, kx, pu(10u), pu(12u), pu(8u), pu(4u));
        if (ox < 0) { continue; }
        let o = plane * ohw + u32(oy) * pu(4u) + u32(ox);
        if (argmaxIn[o] == t) { acc += x[o]; }
      }
    }
  }
  out[i] = acc;
}

@compute @workgroup_size(WG)
fn avgpool_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let ohw = pu(3u) * pu(4u);
  let plane = i / ohw; let oy = (i % ohw) / pu(4u); let ox = i % pu(4u);
  var s = 0.0;
  for (var ky = 0u; ky < pu(5u); ky++) {
    let iy = tapY(oy, ky);
    for (var kx = 0u; kx < pu(6u); kx++) {
      let ix = tapX(ox, kx);
      if (inY(iy) && inX(ix)) { s += x[(plane * pu(1u) + u32(iy)) * pu(2u) + u32(ix)]; }
    }
  }
  out[i] = s / divisor(oy, ox);
}

@compute @workgroup_size(WG)
fn avgpool_back(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let hw = pu(1u) * pu(2u); let ohw = pu(3u) * pu(4u);
  let plane = i / hw; let iy = (i % hw) / pu(2u); let ix = i % pu(2u);
  var acc = 0.0;
  for (var ky = 0u; ky < pu(5u); ky++) {
    let oy = srcOut(iy, ky, pu(9u), pu(11u), pu(7u), pu(3u));
    if (oy < 0) { continue; }
    for (var kx = 0u; kx < pu(6u); kx++) {
      let ox = srcOut(ix, kx, pu(10u), pu(12u), pu(8u), pu(4u));
      if (ox < 0) { continue; }
      acc += x[plane * ohw + u32(oy) * pu(4u) + u32(ox)] / divisor(u32(oy), u32(ox));
    }
  }
  out[i] = acc;
}
