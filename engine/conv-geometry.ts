// Shapes and output sizes of 2-D convolution and pooling, shared by the op layer and every backend.

export interface Conv2dParams {
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  groups: number;
}

/** Output length along one axis: floor((in + 2p - d(k-1) - 1) / s) + 1, as in PyTorch. */
export function convOutSize(inSize: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((inSize + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** conv2d: x [N, C, H, W], w [O, C/groups, KH, KW] -> [N, O, OH, OW]. */
export function conv2dOutShape(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): number[] {
  const [n, , h, w] = xShape;
  const [o, , kh, kw] = wShape;
  return [n, o, convOutSize(h, kh, p.strideH, p.padH, p.dilationH), convOutSize(w, kw, p.strideW, p.padW, p.dilationW)];
}

/** Depthwise: every group is one input channel (weight [C·mult, 1, KH, KW]); backends have direct kernels for it. */
export function isDepthwise(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): boolean {
  return p.groups > 1 && p.groups === xShape[1] && wShape[1] === 1 && wShape[0] % p.groups === 0;
}

export interface Pool2dParams {
  kernelH: number; kernelW: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  /** avgPool2d only: count padded zeros in the divisor (PyTorch's count_include_pad, default true). */
  countIncludePad: boolean;
}

export function pool2dOutShape(xShape: readonly number[], p: Pool2dParams): number[] {
  const [n, c, h, w] = xShape;
  return [n, c, convOutSize(h, p.kernelH, p.strideH, p.padH, p.dilationH), convOutSize(w, p.kernelW, p.strideW, p.padW, p.dilationW)];
}
