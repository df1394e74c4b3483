// Resizing (F.interpolate: nearest or bilinear) and adaptive average pooling, each a separable
// linear map along the two spatial axes: out = Mh · x · Mwᵀ, two matmuls with small fixed matrices,
// so the gradient (and the gradient of the gradient) comes from matmul's.

import { avgPool2d, matmul, pairArg, requireRank, show, tensor, transpose, type Tensor } from '../../engine/index.js';

type Pair = number | readonly [number, number];

/** Row i of the matrix averages (adaptive pool) or interpolates (resize) input positions. */
type Weights = (i: number) => [index: number, weight: number][];

function linearMap(outSize: number, inSize: number, weights: Weights): Tensor {
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) for (const [j, wgt] of weights(i)) m[i * inSize + j] += wgt;
  return tensor(m, { shape: [outSize, inSize] });
}

/** out = Mh · x · Mwᵀ over the last two axes. */
function separable(x: Tensor, mh: Tensor, mw: Tensor): Tensor {
  return matmul(matmul(mh, x), transpose(mw, 0, 1));
}

function adaptiveWeights(outSize: number, inSize: number): Weights {
  return (i) => {
    const s = Math.floor((i * inSize) / outSize), e = Math.ceil(((i + 1) * inSize) / outSize);
    return Array.from({ length: e - s }, (_, k) => [s + k, 1 / (e - s)] as [number, number]);
  };
}

/** PyTorch's adaptive_avg_pool2d: any output size from any input size. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  requireRank('adaptiveAvgPool2d', x, 4);
  const [oh, ow] = pairArg('adaptiveAvgPool2d', 'outputSize', outputSize, 1, 'oh, ow');
  const [, , h, w] = x.shape;
  if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
  return separable(x, linearMap(oh, h, adaptiveWeights(oh, h)), linearMap(ow, w, adaptiveWeights(ow, w)));
}

export interface InterpolateOptions { size?: Pair; scaleFactor?: number; mode?: 'nearest' | 'bilinear'; alignCorners?: boolean }

/**
 * Source positions along one axis, as PyTorch's CPU upsampling kernels pick them (1.13, per axis):
 * an axis whose size does not change is copied; otherwise the source step per output step is
 * 1/scaleFactor when a factor was given (recompute_scale_factor=None, PyTorch's default: the
 * output size is floor(in * factor), but the factor itself maps coordinates), else in/out. With
 * alignCorners the step is (in-1)/(out-1) whatever was given. Steps and positions are rounded to
 * float32 where PyTorch holds them in floats, so an index on a rounding edge lands where its does.
 */
function interpWeights(outSize: number, inSize: number, mode: 'nearest' | 'bilinear', alignCorners: boolean, scaleFactor?: number): Weights {
  const f = Math.fround;
  if (outSize === inSize) return (i) => [[i, 1]];
  const step = f(scaleFactor !== undefined ? 1 / scaleFactor : inSize / outSize);
  // nearest: exact halving for 2x (as PyTorch does, whatever the factor), else floor(i * step).
  if (mode === 'nearest') return (i) => [[outSize === 2 * inSize ? i >> 1 : Math.min(Math.floor(f(i * step)), inSize - 1), 1]];
  const scale = !alignCorners ? step : outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0;
  return (i) => {
    // Half-pixel centres; a position left of the first centre clamps to it.
    const src = alignCorners ? f(scale * i) : Math.max(0, f(scale * (i + 0.5) - 0.5));
    const i0 = Math.min(Math.floor(src), inSize - 1), i1 = Math.min(i0 + 1, inSize - 1);
    const t = f(src - i0);
    return [[i0, f(1 - t)], [i1, t]];
  };
}

/** F.interpolate for NCHW: nearest or bilinear (28×28 → 32×32 for pretrained backbones). A
 *  scaleFactor follows PyTorch's default recompute_scale_factor=None (see interpWeights). */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  requireRank('interpolate', x, 4);
  const [, , h, w] = x.shape;
  if (opts.size === undefined && opts.scaleFactor === undefined) throw new Error('interpolate: give size or scaleFactor');
  if (opts.size !== undefined && opts.scaleFactor !== undefined) throw new Error('interpolate: give size or scaleFactor, not both');
  const sf = opts.scaleFactor;
  if (sf !== undefined && !(typeof sf === 'number' && Number.isFinite(sf) && sf > 0)) throw new Error(`interpolate: scaleFactor must be a positive number, got ${show(sf)}`);
  const [oh, ow] = opts.size !== undefined ? pairArg('interpolate', 'size', opts.size, 1, 'h, w') : [Math.floor(h * sf!), Math.floor(w * sf!)];
  if (oh < 1 || ow < 1) throw new Error(`interpolate: output size ${oh}×${ow} must be positive`);
  const mode = opts.mode ?? 'nearest', ac = opts.alignCorners ?? false;
  if (mode !== 'nearest' && mode !== 'bilinear') throw new Error(`interpolate: mode must be 'nearest' or 'bilinear', got ${show(mode)}`);
  return separable(x, linearMap(oh, h, interpWeights(oh, h, mode, ac, sf)), linearMap(ow, w, interpWeights(ow, w, mode, ac, sf)));
}
