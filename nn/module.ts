// Module and Parameter: the tree of layers, and the named tensors (parameters and buffers) that
// optimisers update and checkpoints save, addressed by dotted paths like PyTorch's state_dict.

import { keep, noGrad, type Tensor } from '../engine/index.js';

const parameters = new WeakSet<Tensor>();

/** PyTorch's nn.Parameter: marks a tensor as a learnable weight (requiresGrad, kept out of every
 *  tidy() scope so a training step never frees it). Returns the same tensor. */
export function Parameter(t: Tensor): Tensor {
  keep(t);
  t.requiresGrad = true;
  parameters.add(t);
  return t;
}

export function isParameter(t: unknown): t is Tensor {
  return typeof t === 'object' && t !== null && parameters.has(t as Tensor);
}

/** A state_dict: every parameter and buffer by its dotted path ('conv1.weight', 'bn.running_mean'). */
export type StateDict = Map<string, Tensor>;

/**
 * A layer or a model. Subclasses assign parameters (made with Parameter()), child modules and
 * buffers (registered with registerBuffer) to their own fields; the fields' assignment order is
 * the order of parameters() and of the state_dict, as in PyTorch.
 */
export abstract class Module {
  training = true;
  private readonly bufferNames = new Set<string>();

  abstract forward(x: Tensor): Tensor;

  /** A persistent non-learnable tensor (BatchNorm's running statistics), saved in the state_dict. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.bufferNames.add(name);
    keep(t);
    (this as unknown as Record<string, Tensor>)[name] = t;
    return t;
  }

  /** Direct children, by field name. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** This module and every descendant, by dotted path ('' is this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /** Every parameter, by dotted path. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, v] of Object.entries(m)) if (isParameter(v)) out.push([join(path, name), v]);
    }
    return out;
  }

  parameters(): Tensor[] { return this.namedParameters().map(([, p]) => p); }

  /** Every buffer, by dotted path. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const name of m.bufferNames) out.push([join(path, name), (m as unknown as Record<string, Tensor>)[name]]);
    }
    return out;
  }

  /** Training mode (dropout on, batch statistics) for this module and every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, running statistics. */
  eval(): this { return this.train(false); }

  /** Stop (or restart) learning these parameters: they keep their values and lose requiresGrad. */
  freeze(): this { for (const p of this.parameters()) p.requiresGrad = false; return this; }
  unfreeze(): this { for (const p of this.parameters()) p.requiresGrad = true; return this; }

  /** Drop every parameter's accumulated gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Parameters then buffers, by dotted path. The tensors are the live ones, not copies. */
  stateDict(): StateDict {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Replace every parameter's and buffer's values with the state_dict's (shapes must match;
   * every key must be present and none may be extra, as PyTorch's strict mode). The model owns
   * copies: the caller may dispose `state` afterwards. Parameters are new tensors, so build the
   * optimiser after loading.
   */
  loadStateDict(state: StateDict): void {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    if (missing.length || unexpected.length) {
      const parts = [missing.length ? `missing ${missing.join(', ')}` : '', unexpected.length ? `unexpected ${unexpected.join(', ')}` : ''];
      throw new Error(`loadStateDict: keys do not match the model (${parts.filter(Boolean).join('; ')})`);
    }
    for (const [key, old] of own) {
      const src = state.get(key)!;
      if (src.shape.join() !== old.shape.join() || src.dtype !== old.dtype) {
        throw new Error(`loadStateDict: '${key}' is ${src.dtype}[${src.shape.join(',')}] but the model has ${old.dtype}[${old.shape.join(',')}]`);
      }
    }
    for (const [key, old] of own) {
      const { owner, name } = this.locate(key);
      const copy = noGrad(() => state.get(key)!.clone());
      const fresh = isParameter(old) ? Parameter(copy) : keep(copy);
      fresh.requiresGrad = old.requiresGrad;
      fresh.label = old.label;
      (owner as unknown as Record<string, Tensor>)[name] = fresh;
      old.dispose();
    }
  }

  /** Free every parameter and buffer. */
  dispose(): void {
    for (const t of this.stateDict().values()) t.dispose();
  }

  private locate(path: string): { owner: Module; name: string } {
    const parts = path.split('.');
    let owner: Module = this;
    for (const p of parts.slice(0, -1)) owner = (owner as unknown as Record<string, Module>)[p];
    return { owner, name: parts[parts.length - 1] };
  }

  /** The short name shown in summaries and errors. */
  get typeName(): string { return this.constructor.name; }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}
