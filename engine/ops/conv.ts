// Convolution and pooling (NCHW). conv2d, its input-gradient and its filter-gradient are three
// recorded ops, each the others' backward, so convTranspose2d is just the input-gradient op and
// double backward works. (Resizing and adaptive pooling, composed from these, live in nn/functional.)

import { record } from '../autograd.js';
import { conv2dOutShape, convOutSize, pool2dOutShape, type Conv2dParams, type Pool2dParams } from '../conv-geometry.js';
import { fmt, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { add } from './elementwise.js';
import { backendOf, requireFloat, requireRank, wrap } from './kernel.js';
import { indexSelect } from './indexing.js';
import { padFull, reshape } from './shape.js';

export type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface Conv2dOptions { stride?: Pair; padding?: Pair | 'valid' | 'same'; dilation?: Pair; groups?: number }

function convParams(op: string, x: Tensor, w: Tensor, o: Conv2dOptions): Conv2dParams {
  const [sh, sw] = pair(o.stride ?? 1), [dh, dw] = pair(o.dilation ?? 1);
  const groups = o.groups ?? 1;
  let ph: number, pw: number;
  if (o.padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new Error(`${op}: padding 'same' needs stride 1`);
    [ph, pw] = [Math.floor((dh * (w.shape[2] - 1)) / 2), Math.floor((dw * (w.shape[3] - 1)) / 2)];
  } else [ph, pw] = pair(o.padding === 'valid' || o.padding === undefined ? 0 : o.padding);
  for (const [name, v, min] of [['stride', sh, 1], ['stride', sw, 1], ['dilation', dh, 1], ['dilation', dw, 1], ['padding', ph, 0], ['padding', pw, 0], ['groups', groups, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  }
  return { strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, groups };
}

function conv2dRaw(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  const be = backendOf('conv2d', x, w);
  const shape = conv2dOutShape(x.shape, w.shape, p);
  const y = wrap(be, be.conv2d(x, w, p), shape, 'float32');
  return record('conv2d', [x, w], y, (g) => [
    x.requiresGrad ? conv2dBackwardInput(g, w, x.shape, p) : null,
    w.requiresGrad ? conv2dBackwardFilter(x, g, w.shape, p) : null,
  ]);
}

/** dL/dx of conv2d, given dy: also the forward of a transposed convolution. */
function conv2dBackwardInput(dy: Tensor, w: Tensor, xShape: Shape, p: Conv2dParams): Tensor {
  const be = backendOf('conv2d', dy, w);
  const dx = wrap(be, be.conv2dBackwardInput(dy, w, xShape, p), xShape, 'float32');
  return record('conv2dBackwardInput', [dy, w], dx, (u) => [
    dy.requiresGrad ? conv2dRaw(u, w, p) : null,
    w.requiresGrad ? conv2dBackwardFilter(u, dy, w.shape, p) : null,
  ]);
}

function conv2dBackwardFilter(x: Tensor, dy: Tensor, wShape: Shape, p: Conv2dParams): Tensor {
  const be = backendOf('conv2d', x, dy);
  const dw = wrap(be, be.conv2dBackwardFilter(x, dy, wShape, p), wShape, 'float32');
  return record('conv2dBackwardFilter', [x, dy], dw, (u) => [
    x.requiresGrad ? conv2dBackwardInput(dy, u, x.shape, p) : null,
    dy.requiresGrad ? conv2dRaw(x, u, p) : null,
  ]);
}

function addChannelBias(op: string, y: Tensor, bias: Tensor | null | undefined): Tensor {
  if (!bias) return y;
  if (bias.ndim !== 1 || bias.shape[0] !== y.shape[1]) throw new Error(`${op}: bias ${fmt(bias.shape)} must have one value per output channel (${y.shape[1]})`);
  return add(y, reshape(bias, [1, y.shape[1], 1, 1]));
}

/** x [N, C, H, W], weight [O, C/groups, KH, KW], bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  requireFloat('conv2d', x, weight);
  requireRank('conv2d', x, 4);
  requireRank('conv2d', weight, 4, 'weight');
  const p = convParams('conv2d', x, weight, opts);
  const [, c, h, wd] = x.shape;
  const [o, cg, kh, kw] = weight.shape;
  if (c !== cg * p.groups) {
    const groups = p.groups === 1 ? '' : ` (${cg} × ${p.groups} groups)`;
    throw new Error(`conv2d: input has ${c} channels but weight expects ${cg * p.groups}${groups} (input ${fmt(x.shape)}, weight ${fmt(weight.shape)})`);
  }
  if (o % p.groups !== 0) throw new Error(`conv2d: ${o} output channels are not divisible by groups = ${p.groups}`);
  const oh = convOutSize(h, kh, p.strideH, p.padH, p.dilationH), ow = convOutSize(wd, kw, p.strideW, p.padW, p.dilationW);
  if (oh < 1 || ow < 1) throw new Error(`conv2d: input ${h}×${wd} (padding ${p.padH},${p.padW}) is smaller than the dilated kernel ${kh}×${kw}`);
  // 'same' with an even dilated extent needs one more row/column of zeros after than before
  // (as PyTorch and TensorFlow pad); the symmetric part stays in the kernel's padding.
  const extraH = opts.padding === 'same' ? (p.dilationH * (kh - 1)) % 2 : 0;
  const extraW = opts.padding === 'same' ? (p.dilationW * (kw - 1)) % 2 : 0;
  const xp = extraH || extraW ? padFull(x, [0, 0, 0, 0], [0, 0, extraH, extraW], 0) : x;
  return addChannelBias('conv2d', conv2dRaw(xp, weight, p), bias);
}

export interface ConvTranspose2dOptions extends Conv2dOptions { outputPadding?: Pair }

/** x [N, Cin, H, W], weight [Cin, Cout/groups, KH, KW] (PyTorch's layout), bias [Cout]. */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  requireFloat('convTranspose2d', x, weight);
  requireRank('convTranspose2d', x, 4);
  requireRank('convTranspose2d', weight, 4, 'weight');
  if (opts.padding === 'same') throw new Error("convTranspose2d: padding 'same' is not supported");
  const p = convParams('convTranspose2d', x, weight, opts);
  const [n, c, h, wd] = x.shape;
  const [cin, coutG, kh, kw] = weight.shape;
  if (c !== cin) throw new Error(`convTranspose2d: input has ${c} channels but weight expects ${cin} (input ${fmt(x.shape)}, weight ${fmt(weight.shape)})`);
  const [oph, opw] = pair(opts.outputPadding ?? 0);
  if (oph >= Math.max(p.strideH, p.dilationH) || opw >= Math.max(p.strideW, p.dilationW)) throw new Error(`convTranspose2d: outputPadding (${oph},${opw}) must be smaller than stride or dilation`);
  const outH = (h - 1) * p.strideH - 2 * p.padH + p.dilationH * (kh - 1) + oph + 1;
  const outW = (wd - 1) * p.strideW - 2 * p.padW + p.dilationW * (kw - 1) + opw + 1;
  if (outH < 1 || outW < 1) throw new Error(`convTranspose2d: output would be ${outH}×${outW}`);
  return addChannelBias('convTranspose2d', conv2dBackwardInput(x, weight, [n, coutG * p.groups, outH, outW], p), bias);
}

// ---- pooling ----------------------------------------------------------------------------------

export interface Pool2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; countIncludePad?: boolean }

export const show = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** An integer >= min, or an [h, w] pair of them; anything else (an options object passed as the
 *  kernel, NaN, 1.5) is the caller's error, named here rather than as NaN shapes further down. */
export function pairArg(op: string, name: string, v: unknown, min: 0 | 1, hw: string): [number, number] {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new Error(`${op}: ${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer or [${hw}], got ${show(v)}`);
}

function poolParams(op: string, x: Tensor, kernel: Pair, o: Pool2dOptions): Pool2dParams {
  requireRank(op, x, 4);
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`${op}: options must be an object such as { stride, padding }, got ${show(o)}`);
  const [kh, kwid] = pairArg(op, 'kernelSize', kernel, 1, 'kh, kw');
  const [sh, sw] = o.stride == null ? [kh, kwid] : pairArg(op, 'stride', o.stride, 1, 'sh, sw');
  const [ph, pw] = pairArg(op, 'padding', o.padding ?? 0, 0, 'ph, pw');
  const [dh, dw] = pairArg(op, 'dilation', o.dilation ?? 1, 1, 'dh, dw');
  if (ph > kh / 2 || pw > kwid / 2) throw new Error(`${op}: padding (${ph},${pw}) must be at most half the kernel (${kh},${kwid})`);
  const p = { kernelH: kh, kernelW: kwid, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, countIncludePad: o.countIncludePad ?? true };
  const [, , oh, ow] = pool2dOutShape(x.shape, p);
  if (oh < 1 || ow < 1) throw new Error(`${op}: input ${fmt(x.shape)} is smaller than the kernel ${kh}×${kwid}`);
  return p;
}

export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  requireFloat('maxPool2d', x);
  const p = poolParams('maxPool2d', x, kernel, opts);
  const be = backendOf('maxPool2d', x);
  const { out, argmax } = be.maxPool2d(x, p);
  const shape = pool2dOutShape(x.shape, p);
  const idx = wrap(be, argmax, shape, 'int32');
  const y = wrap(be, out, shape, 'float32');
  // The argmax indices live as long as the graph needs them (freed with the tensor's scope).
  return record('maxPool2d', [x], y, (g) => [maxPool2dBackward(g, idx, x.shape)]);
}

/** dL/dx of maxPool2d: dy scattered to each window's argmax. Linear in dy, so it is recorded
 *  (double backward): its adjoint gathers u at the same argmax positions. */
function maxPool2dBackward(dy: Tensor, idx: Tensor, xShape: Shape): Tensor {
  const be = backendOf('maxPool2d', dy, idx);
  const dx = wrap(be, be.maxPool2dBackward(dy, idx, xShape), xShape, 'float32');
  return record('maxPool2dBackward', [dy], dx, (u) => {
    const [n, c, h, w] = xShape;
    // idx is a flat index within each (N, C) plane; add the plane's offset to index u flattened.
    const flat = add(idx, reshape(arange(0, n * c * h * w, h * w), [n, c, 1, 1]));
    return [indexSelect(reshape(u, [n * c * h * w]), 0, flat)];
  });
}

export function avgPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  requireFloat('avgPool2d', x);
  const p = poolParams('avgPool2d', x, kernel, opts);
  const be = backendOf('avgPool2d', x);
  const y = wrap(be, be.avgPool2d(x, p), pool2dOutShape(x.shape, p), 'float32');
  return record('avgPool2d', [x], y, (g) => [avgPool2dBackward(g, x.shape, p)]);
}

function avgPool2dBackward(g: Tensor, xShape: Shape, p: Pool2dParams): Tensor {
  const be = backendOf('avgPool2d', g);
  const dx = wrap(be, be.avgPool2dBackward(g, xShape, p), xShape, 'float32');
  // avgPool is linear, so its backward's backward is avgPool itself.
  return record('avgPool2dBackward', [g], dx, (u) => [wrap(be, be.avgPool2d(u, p), g.shape, 'float32')]);
}
