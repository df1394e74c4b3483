// A TensorFlow.js LayersModel (model.json + binary weight shards) as a zerograd Sequential: the
// user's Keras/tfjs model evaluated and fine-tuned here. Supported: a Sequential topology of
// InputLayer, Conv2D, DepthwiseConv2D, Dense, BatchNormalization, MaxPooling2D, AveragePooling2D,
// GlobalAveragePooling2D, Flatten, Dropout, Activation, ReLU and the layers' own activations.
// Layout: Keras is NHWC, zerograd NCHW, so kernels are permuted ([KH,KW,Cin,Cout] → [Cout,Cin,KH,KW];
// depthwise [KH,KW,C,M] → [C·M,1,KH,KW]), and a Dense after a Flatten of a feature map has its
// rows reordered from (h, w, c) to (c, h, w). 'same' padding with a stride pads as TensorFlow
// does (the odd pixel after). Anything else is refused, naming the layer and its class.
// No files here (nn/ imports no Node built-ins): the caller hands over the JSON and the shards.

import { noGrad, pad, tensor, type Tensor } from '../../engine/index.js';
import { ReLU, ReLU6, Sigmoid, Tanh } from '../activation.js';
import { Conv2d } from '../conv.js';
import { Dropout } from '../dropout.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';
import { BatchNorm1d, BatchNorm2d } from '../normalization.js';
import { AvgPool2d, GlobalAvgPool2d, MaxPool2d } from '../pooling.js';
import { Sequential } from '../sequential.js';

interface WeightSpec { name: string; shape: number[]; dtype: string }
interface LayerJson { class_name: string; config: Record<string, unknown> }
export interface TfjsModelJson {
  modelTopology: { class_name?: string; config?: { layers?: LayerJson[] } | LayerJson[]; model_config?: { class_name: string; config: { layers?: LayerJson[] } } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export class TfjsImportError extends Error {}

class Softmax extends Module { forward(x: Tensor): Tensor { return x.softmax(-1); } }

/** TensorFlow's 'same' padding for a strided window: floor(total/2) before, the rest after. */
class TfSamePad extends Module {
  constructor(readonly kernel: [number, number], readonly stride: [number, number], readonly dilation: [number, number]) { super(); }
  forward(x: Tensor): Tensor {
    const amount = (size: number, k: number, s: number, d: number) => Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
    const th = amount(x.shape[2], this.kernel[0], this.stride[0], this.dilation[0]), tw = amount(x.shape[3], this.kernel[1], this.stride[1], this.dilation[1]);
    return pad(x, [Math.floor(tw / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), th - Math.floor(th / 2)]);
  }
}

const ACTIVATIONS: Record<string, (() => Module) | null> = {
  linear: null, relu: () => new ReLU(), relu6: () => new ReLU6(), sigmoid: () => new Sigmoid(), tanh: () => new Tanh(), softmax: () => new Softmax(),
};

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]);

/** Keras's layers out of a model.json (Sequential saved by tfjs or converted from Keras). */
function layerList(j: TfjsModelJson): LayerJson[] {
  const t = j.modelTopology.model_config ?? j.modelTopology;
  const kind = t.class_name ?? 'Sequential';
  if (kind !== 'Sequential') throw new TfjsImportError(`tfjs import: the model is a ${kind}; only Sequential models are supported`);
  const layers = Array.isArray(t.config) ? t.config : t.config?.layers;
  if (!layers) throw new TfjsImportError('tfjs import: model.json has no layers in modelTopology');
  return layers;
}

/**
 * Build the Sequential. `shards` are the weight files' bytes in weightsManifest order (path by path).
 * Returns the model and its input shape without the batch axis, NCHW ([C, H, W] or [features]).
 */
export function importTfjsLayersModel(modelJson: TfjsModelJson, shards: Uint8Array[]): { model: Sequential; inputShape: number[] } {
  return noGrad(() => build(modelJson, shards));
}

function build(modelJson: TfjsModelJson, shards: Uint8Array[]): { model: Sequential; inputShape: number[] } {
  // Weights by name: the shards are one concatenated buffer holding the specs in order.
  const total = shards.reduce((n, s) => n + s.length, 0), all = new Uint8Array(total);
  let o = 0;
  for (const s of shards) { all.set(s, o); o += s.length; }
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  let off = 0;
  for (const group of modelJson.weightsManifest) for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new TfjsImportError(`tfjs import: weight '${w.name}' is ${w.dtype}; only float32 weights are supported`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (off + 4 * n > total) throw new TfjsImportError(`tfjs import: the weight files end before '${w.name}' (${total} bytes)`);
    weights.set(w.name, { shape: w.shape, data: new Float32Array(all.slice(off, off + 4 * n).buffer) });
    off += 4 * n;
  }
  const layers = layerList(modelJson);
  const first = layers[0]?.config ?? {};
  const batchShape = (first.batch_input_shape ?? first.batchInputShape) as (number | null)[] | undefined;
  if (!batchShape) throw new TfjsImportError(`tfjs import: the first layer '${String(first.name)}' gives no batch_input_shape`);
  let shape = batchShape.slice(1).map(Number);   // NHWC as Keras sees it
  const inputShape = shape.length === 3 ? [shape[2], shape[0], shape[1]] : shape;
  let flattenedFrom: number[] | null = null;   // [H, W, C] of the last Flatten's input
  const out: Record<string, Module> = {};
  const take = (layer: string, suffix: string, want: number) => {
    const w = [...weights.entries()].find(([k]) => k === `${layer}/${suffix}` || k.endsWith(`/${layer}/${suffix}`));
    if (!w) throw new TfjsImportError(`tfjs import: layer '${layer}' has no weight '${suffix}' in the manifest`);
    if (w[1].data.length !== want) throw new TfjsImportError(`tfjs import: weight '${w[0]}' has ${w[1].data.length} values, the layer needs ${want}`);
    return w[1];
  };
  const add = (name: string, m: Module) => { out[name in out ? `${name}_${Object.keys(out).length}` : name] = m; };
  const activation = (name: string, a: unknown) => {
    const act = String(a ?? 'linear');
    if (!(act in ACTIVATIONS)) throw new TfjsImportError(`tfjs import: layer '${name}' has activation '${act}', which is not supported (${Object.keys(ACTIVATIONS).join(', ')})`);
    const make = ACTIVATIONS[act];
    if (make) add(`${name}_${act}`, make());
  };
  const spatial = (name: string, c: Record<string, unknown>, k: [number, number], s: [number, number], d: [number, number]) => {
    const [h, w] = shape;
    const padding = String(c.padding ?? 'valid');
    if (padding === 'same') {
      if (s[0] === 1 && s[1] === 1) return { padding: 'same' as const, oh: h, ow: w };
      add(`${name}_pad`, new TfSamePad(k, s, d));
      return { padding: 0, oh: Math.ceil(h / s[0]), ow: Math.ceil(w / s[1]) };
    }
    if (padding !== 'valid') throw new TfjsImportError(`tfjs import: layer '${name}' has padding '${padding}'`);
    return { padding: 0, oh: Math.floor((h - (k[0] - 1) * d[0] - 1) / s[0]) + 1, ow: Math.floor((w - (k[1] - 1) * d[1] - 1) / s[1]) + 1 };
  };
  const set = (t: Tensor, data: Float32Array) => t.copy_(tensor(data, { shape: t.shape }));

  for (const { class_name: cls, config: c } of layers) {
    const name = String(c.name);
    if (c.data_format && c.data_format !== 'channels_last') throw new TfjsImportError(`tfjs import: layer '${name}' (${cls}) is ${String(c.data_format)}; only channels_last is supported`);
    switch (cls) {
      case 'InputLayer': break;
      case 'Conv2D': case 'DepthwiseConv2D': {
        const k = pair(c.kernel_size), s = pair(c.strides ?? 1), d = pair(c.dilation_rate ?? 1), cin = shape[2], bias = c.use_bias !== false;
        if (Number(c.groups ?? 1) !== 1) throw new TfjsImportError(`tfjs import: layer '${name}' (${cls}) is grouped; not supported`);
        const g = spatial(name, c, k, s, d);
        const depthwise = cls === 'DepthwiseConv2D', mult = Number(c.depth_multiplier ?? 1);
        const cout = depthwise ? cin * mult : Number(c.filters);
        const conv = new Conv2d(cin, cout, k, { stride: s, dilation: d, padding: g.padding, groups: depthwise ? cin : 1, bias });
        const kern = take(name, depthwise ? 'depthwise_kernel' : 'kernel', k[0] * k[1] * cin * (depthwise ? mult : cout));
        // [KH, KW, Cin, Cout|M] → [Cout, Cin, KH, KW] or [C, M, KH, KW] (= [C·M, 1, KH, KW]).
        const w = tensor(kern.data, { shape: [k[0], k[1], cin, depthwise ? mult : cout] }).permute(depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1]);
        conv.weight.copy_(w.reshape(conv.weight.shape));
        if (bias) set(conv.bias!, take(name, 'bias', cout).data);
        add(name, conv);
        activation(name, c.activation);
        shape = [g.oh, g.ow, cout];
        break;
      }
      case 'Dense': {
        const units = Number(c.units), bias = c.use_bias !== false;
        if (shape.length !== 1) throw new TfjsImportError(`tfjs import: layer '${name}' (Dense) gets a ${shape.length + 1}-D input; only 2-D is supported`);
        const fin = shape[0], lin = new Linear(fin, units, { bias });
        const k = take(name, 'kernel', fin * units).data;
        // Our row j of the flattened input is TF's row perm[j] when it came from an NCHW Flatten.
        const perm = new Int32Array(fin).map((_, j) => j);
        if (flattenedFrom) {
          const [h, w, ch] = flattenedFrom;
          for (let cc = 0; cc < ch; cc++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) perm[(cc * h + y) * w + x] = (y * w + x) * ch + cc;
        }
        const wt = new Float32Array(units * fin);
        for (let u = 0; u < units; u++) for (let j = 0; j < fin; j++) wt[u * fin + j] = k[perm[j] * units + u];
        set(lin.weight, wt);
        if (bias) set(lin.bias!, take(name, 'bias', units).data);
        add(name, lin);
        activation(name, c.activation);
        shape = [units];
        flattenedFrom = null;
        break;
      }
      case 'BatchNormalization': {
        const ch = shape[shape.length - 1], axis = Array.isArray(c.axis) ? c.axis[0] : c.axis;
        if (axis !== -1 && axis !== shape.length) throw new TfjsImportError(`tfjs import: layer '${name}' (BatchNormalization) normalises axis ${String(axis)}; only the channel axis is supported`);
        const o2 = { eps: Number(c.epsilon ?? 1e-3), momentum: 1 - Number(c.momentum ?? 0.99), affine: c.scale !== false || c.center !== false };
        const bn = shape.length === 3 ? new BatchNorm2d(ch, o2) : new BatchNorm1d(ch, o2);
        if (c.scale !== false) set(bn.weight!, take(name, 'gamma', ch).data);
        if (c.center !== false) set(bn.bias!, take(name, 'beta', ch).data);
        set(bn.running_mean, take(name, 'moving_mean', ch).data);
        set(bn.running_var, take(name, 'moving_variance', ch).data);
        add(name, bn);
        break;
      }
      case 'MaxPooling2D': case 'AveragePooling2D': {
        const k = pair(c.pool_size ?? 2), s = pair(c.strides ?? c.pool_size ?? 2);
        if (String(c.padding ?? 'valid') !== 'valid') throw new TfjsImportError(`tfjs import: layer '${name}' (${cls}) has padding '${String(c.padding)}'; only 'valid' pooling is supported`);
        const g = spatial(name, c, k, s, [1, 1]);
        add(name, cls === 'MaxPooling2D' ? new MaxPool2d(k, { stride: s }) : new AvgPool2d(k, { stride: s }));
        shape = [g.oh, g.ow, shape[2]];
        break;
      }
      case 'GlobalAveragePooling2D': add(name, new GlobalAvgPool2d()); shape = [shape[2]]; break;
      case 'Flatten': add(name, new Flatten()); flattenedFrom = shape.length === 3 ? shape : null; shape = [shape.reduce((a, b) => a * b, 1)]; break;
      case 'Dropout': add(name, new Dropout(Number(c.rate ?? 0))); break;
      case 'Activation': activation(name, c.activation); break;
      case 'ReLU': {
        const max = c.max_value == null ? null : Number(c.max_value);
        if (max !== null && max !== 6) throw new TfjsImportError(`tfjs import: layer '${name}' (ReLU) has max_value ${max}; only none or 6 are supported`);
        add(name, max === 6 ? new ReLU6() : new ReLU());
        break;
      }
      default: throw new TfjsImportError(`tfjs import: layer '${name}' of class ${cls} is not supported (supported: InputLayer, Conv2D, DepthwiseConv2D, Dense, BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dropout, Activation, ReLU)`);
    }
  }
  return { model: new Sequential(out), inputShape };
}
