// LoRA (Hu et al. 2021): a frozen Linear W plus a trainable low-rank update, y = x Wᵀ + b +
// (α/r) · x Aᵀ Bᵀ with A [r, in] and B [out, r]. B starts at zero, so a fresh adapter leaves the
// model exactly as it was; A starts like a Linear's weight (Kaiming-uniform). applyLoRA() swaps
// the chosen Linears of a model for LoRALinears in place (their weight and bias keep their names
// in the state_dict, the adapters add lora_A and lora_B beside them); mergeLoRA() folds every
// update into its weight and puts plain Linears back, for export; LoRAAdapters is the view of
// the adapters alone, which the training loop saves and loads as a small file of its own.

import { Generator, linear, matmul, noGrad, zeros, type Tensor } from '../engine/index.js';
import { defaultWeight } from './init.js';
import { Linear } from './linear.js';
import { Module, Parameter, type AnyModule } from './module.js';

export interface LoRAOptions { rank: number; alpha: number; generator?: Generator }

export class LoRALinear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  lora_A: Tensor;
  lora_B: Tensor;
  readonly scale: number;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(base: Linear, readonly o: LoRAOptions) {
    super();
    if (!(Number.isInteger(o.rank) && o.rank >= 1)) throw new Error(`LoRALinear: rank must be a positive integer, got ${o.rank}`);
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    this.weight = base.weight;
    this.bias = base.bias;
    this.weight.requiresGrad = false;
    if (this.bias) this.bias.requiresGrad = false;
    this.lora_A = Parameter(defaultWeight([o.rank, base.inFeatures], { generator: o.generator }));
    this.lora_B = Parameter(zeros([base.outFeatures, o.rank]));
    this.scale = o.alpha / o.rank;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias).add(linear(linear(x, this.lora_A), this.lora_B).mul(this.scale));
  }

  /** W + (α/r)·B·A as a plain Linear (new tensors; this module is left as it was). */
  merged(): Linear {
    const lin = new Linear(this.inFeatures, this.outFeatures, { bias: this.bias !== null, generator: new Generator(0) });
    noGrad(() => {
      lin.weight.copy_(this.weight.add(matmul(this.lora_B, this.lora_A).mul(this.scale)));
      if (this.bias) lin.bias!.copy_(this.bias);
    });
    return lin;
  }
}

/** Which Linears get adapters: a predicate on their dotted path ('blocks.layers.0.self_attn.q_proj'). */
export type LoRATargets = (path: string) => boolean;

/** The parent module and field name of every Linear whose path `targets` accepts. */
function linearsOf(model: AnyModule, want: (path: string, m: AnyModule) => boolean): { parent: AnyModule; field: string; path: string; module: AnyModule }[] {
  const out: { parent: AnyModule; field: string; path: string; module: AnyModule }[] = [];
  for (const [path, parent] of model.namedModules()) {
    for (const [field, child] of parent.namedChildren()) {
      const p = path ? `${path}.${field}` : field;
      if (want(p, child)) out.push({ parent, field, path: p, module: child });
    }
  }
  return out;
}

/** Freeze `model` and put LoRA adapters on the Linears `targets` picks; returns their paths (at least one, or it throws). */
export function applyLoRA(model: AnyModule, targets: LoRATargets, o: LoRAOptions): string[] {
  model.freeze();
  const found = linearsOf(model, (p, m) => m instanceof Linear && targets(p));
  if (!found.length) throw new Error('applyLoRA: no Linear layer matches the targets');
  for (const { parent, field, module } of found) (parent as unknown as Record<string, AnyModule>)[field] = new LoRALinear(module as Linear, o);
  return found.map((f) => f.path);
}

/** Fold every adapter into its weight: the model holds plain Linears again (and no adapter tensors). */
export function mergeLoRA(model: AnyModule): void {
  for (const { parent, field, module } of linearsOf(model, (_, m) => m instanceof LoRALinear)) {
    const lora = module as LoRALinear;
    (parent as unknown as Record<string, AnyModule>)[field] = lora.merged();
    lora.lora_A.dispose(); lora.lora_B.dispose();
  }
}

/** The adapters of a LoRA model as a module of their own: its parameters and state_dict are the
 *  lora_A/lora_B tensors only (under their paths in the model), so they save and load alone. */
export class LoRAAdapters extends Module<[Tensor], Tensor> {
  declare private readonly model: AnyModule;

  constructor(model: AnyModule) {
    super();
    // Not enumerable: the model is not a child (its frozen weights are not the adapters' state).
    Object.defineProperty(this, 'model', { value: model, enumerable: false });
  }

  override namedParameters(prefix = ''): [string, Tensor][] {
    return this.model.namedParameters(prefix).filter(([k]) => /(^|\.)lora_[AB]$/.test(k));
  }

  override train(mode = true): this { this.model.train(mode); this.training = mode; return this; }

  forward(x: Tensor): Tensor { return this.model.forward(x) as Tensor; }
}
