// Normalisation layers: BatchNorm (running statistics kept as buffers) and LayerNorm.

import { ones, zeros, type Tensor } from '../engine/index.js';
import { batchNorm, layerNorm } from './functional/normalization.js';
import { Module, Parameter } from './module.js';

export interface BatchNormOptions { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean }

abstract class BatchNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean!: Tensor;
  running_var!: Tensor;
  readonly eps: number;
  readonly momentum: number;
  readonly track: boolean;

  constructor(readonly numFeatures: number, private readonly ranks: number[], o: BatchNormOptions = {}) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    this.track = o.trackRunningStats ?? true;
    const affine = o.affine ?? true;
    this.weight = affine ? Parameter(ones([numFeatures])) : null;
    this.bias = affine ? Parameter(zeros([numFeatures])) : null;
    if (this.track) {
      // PyTorch's buffer names, so state_dicts line up with theirs.
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
    }
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${this.typeName}: expected input [N, ${this.numFeatures}${this.ranks[0] === 4 ? ', H, W' : ''}], got [${x.shape.join(',')}]`);
    }
    const running = this.track ? { mean: this.running_mean, var: this.running_var } : null;
    const y = batchNorm(x, { weight: this.weight, bias: this.bias, running, training: this.training || !this.track, momentum: this.momentum, eps: this.eps });
    // batchNorm replaced the running tensors in the holder (training mode): take the new ones.
    if (running) { this.running_mean = running.mean; this.running_var = running.var; }
    return y;
  }
}

/** Over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormOptions = {}) { super(numFeatures, [2, 3], o); }
}

/** Over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormOptions = {}) { super(numFeatures, [4], o); }
}

export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    this.weight = elementwiseAffine ? Parameter(ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor { return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
}
