// 2-D convolution as implicit GEMM on the shared core: the im2col matrix is never stored, the
// loaders compute which input pixel a (k, n) entry is. One GEMM per group (batch = group).
//   MODE 0 forward:          Y[og, N*OH*OW]  = W[og, cg*KH*KW] . im2col(X)
//   MODE 1 backward input:   dX[cg, N*H*W]   = W^T[cg, og*KH*KW] . col(dY)   (a tap exists only where
//                            (iy + pad - ky*dil) is a multiple of the stride: zeros elsewhere)
//   MODE 2 backward filter:  dW[og, cg*KH*KW] = dY[og, N*OH*OW] . im2col(X)^T, with split-K
//                            partial sums in [splits, O, cg*KH*KW] that the host adds up.
// MODE: CONV_MODES in engine/backend/webgpu/codes.ts.
override MODE: u32 = 0u;

// Params: 8 N, 9 C, 10 H, 11 W, 12 O, 13 OH, 14 OW, 15 KH, 16 KW, 17 strideH, 18 strideW,
// 19 padH, 20 padW, 21 dilationH, 22 dilationW, 23 cg (channels per group), 24 og (outputs per group).
fn xAt(b: u32, c: u32, iy: i32, ix: i32) -> f32 {
  let H = pu(10u); let W = pu(11u);
  if (iy < 0 || ix < 0 || u32(iy) >= H || u32(ix) >= W) { return 0.0; }
  return srcB[((b * pu(9u) + c) * H + u32(iy)) * W + u32(ix)];
}

// The input pixel that kernel tap (ky, kx) of output pixel (oy, ox) reads.
fn tapY(oy: u32, ky: u32) -> i32 { return i32(oy * pu(17u)) - pi(19u) + i32(ky * pu(21u)); }
fn tapX(ox: u32, kx: u32) -> i32 { return i32(ox * pu(18u)) - pi(20u) + i32(kx * pu(22u)); }

// The output coordinate whose tap k reaches input coordinate i, or -1 if none (backward input).
fn srcOut(i: u32, k: u32, pad: u32, dil: u32, stride: u32, size: u32) -> i32 {
  let t = i32(i + pad) - i32(k * dil);
  if (t < 0 || u32(t) % stride != 0u || u32(t) / stride >= size) { return -1; }
  return t / i32(stride);
}

fn loadA(g: u32, m: u32, k: u32, kEnd: u32) -> f32 {
  if (m >= pu(0u) || k >= kEnd) { return 0.0; }
  let khw = pu(15u) * pu(16u);
  let cg = pu(23u); let og = pu(24u);
  switch MODE {
    case 0u: { return srcA[(g * og + m) * pu(2u) + k]; } // conv2d
    case 1u: { return srcA[((g * og + k / khw) * cg + m) * khw + k % khw]; } // conv2dBackwardInput
    case 2u: { // conv2dBackwardFilter
      let ohw = pu(13u) * pu(14u);
      return srcA[((k / ohw) * pu(12u) + g * og + m) * ohw + k % ohw];
    }
    default: { return bitcast<f32>(poisonBits()); } // no mode: NaN
  }
}

fn loadB(g: u32, k: u32, n: u32, kEnd: u32) -> f32 {
  if (n >= pu(1u) || k >= kEnd) { return 0.0; }
  let KH = pu(15u); let KW = pu(16u); let khw = KH * KW;
  let OH = pu(13u); let OW = pu(14u);
  let cg = pu(23u); let og = pu(24u);
  switch MODE {
    case 0u: { // conv2d: k = (ci, ky, kx), n = (b, oy, ox)
      let r = k % khw; let s = n % (OH * OW);
      return xAt(n / (OH * OW), g * cg + k / khw, tapY(s / OW, r / KW), tapX(s % OW, r % KW));
    }
    case 1u: { // conv2dBackwardInput: k = (oc, ky, kx), n = (b, iy, ix); reads dY
      let H = pu(10u); let W = pu(11u);
      let r = k % khw; let s = n % (H * W);
      let oy = srcOut(s / W, r / KW, pu(19u), pu(21u), pu(17u), OH);
      let ox = srcOut(s % W, r % KW, pu(20u), pu(22u), pu(18u), OW);
      if (oy < 0 || ox < 0) { return 0.0; }
      return srcB[(((n / (H * W)) * pu(12u) + g * og + k / khw) * OH + u32(oy)) * OW + u32(ox)];
    }
    case 2u: { // conv2dBackwardFilter: k = (b, oy, ox), n = (ci, ky, kx); reads X
      let r = n % khw; let s = k % (OH * OW);
      return xAt(k / (OH * OW), g * cg + n / khw, tapY(s / OW, r / KW), tapX(s % OW, r % KW));
    }
    default: { return bitcast<f32>(poisonBits()); } // no mode: NaN
  }
}

fn storeC(z: u32, g: u32, split: u32, m: u32, n: u32, v: f32) {
  let og = pu(24u); let cg = pu(23u);
  switch MODE {
    case 0u: { // conv2d
      let ohw = pu(13u) * pu(14u);
      dst[((n / ohw) * pu(12u) + g * og + m) * ohw + n % ohw] = v;
    }
    case 1u: { // conv2dBackwardInput
      let hw = pu(10u) * pu(11u);
      dst[((n / hw) * pu(9u) + g * cg + m) * hw + n % hw] = v;
    }
    case 2u: { dst[(split * pu(12u) + g * og + m) * pu(1u) + n] = v; } // conv2dBackwardFilter
    default: { dst[(split * pu(12u) + g * og + m) * pu(1u) + n] = v; } // no mode: the loads' NaN, in row-major [splits, O, N]
  }
}
