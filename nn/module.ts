// Module and Parameter: the tree of layers, and the named tensors (parameters and buffers) that
// optimisers update and checkpoints save, addressed by dotted paths like PyTorch's state_dict.

import { keep, noGrad, type Tensor } from '../engine/index.js';

const parameters = new WeakSet<Tensor>();
const HOOKS = Symbol('forwardHooks');

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

/** Called after a module's forward with its inputs and output (PyTorch's forward hook). */
export type ForwardHook = (module: AnyModule, inputs: unknown[], output: unknown) => void;

/** What registerForwardHook returns: remove() takes the hook off again. */
export interface HookHandle { remove(): void }

/** What loadStateDict found: keys the model has that the state lacks, and keys the state has that the model lacks. */
export interface LoadResult { missing: string[]; unexpected: string[] }

export interface LoadOptions {
  /** Missing or unexpected keys are an error (PyTorch's default); with false they are only reported. */
  strict?: boolean;
  /** Read only the state's keys under this prefix, with it stripped ('backbone.' loads a backbone out of a whole model). */
  prefix?: string;
}

/**
 * A layer or a model. Subclasses assign parameters (made with Parameter()), child modules and
 * buffers (registered with registerBuffer) to their own fields; the fields' assignment order is
 * the order of parameters() and of the state_dict, as in PyTorch. forward takes any inputs and
 * gives any output: `Module<[Tensor, Tensor, Tensor, Tensor?], Tensor>` is attention's q, k, v, mask.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  training = true;
  private readonly bufferNames = new Set<string>();

  abstract forward(...inputs: In): Out;

  /** A persistent non-learnable tensor (BatchNorm's running statistics), saved in the state_dict. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.bufferNames.add(name);
    keep(t);
    (this as unknown as Record<string, Tensor>)[name] = t;
    return t;
  }

  /** Direct children, by field name. */
  namedChildren(): [string, AnyModule][] {
    return Object.entries(this).filter((e): e is [string, AnyModule] => e[1] instanceof Module);
  }

  /** This module and every descendant, by dotted path ('' is this one). */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [[prefix, this as AnyModule]];
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
   * Copy the state_dict's values into this model's own parameters and buffers, in place: the
   * tensors stay the same objects, so an optimiser built before keeps updating them. Shapes and
   * dtypes must match. Returns the missing and unexpected keys; with `strict` (the default) either
   * is an error. The caller keeps ownership of `state`.
   */
  loadStateDict(state: StateDict, o: LoadOptions = {}): LoadResult {
    const { strict = true, prefix = '' } = o;
    const source = new Map<string, Tensor>();
    for (const [k, t] of state) if (k.startsWith(prefix)) source.set(k.slice(prefix.length), t);
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !source.has(k));
    const unexpected = [...source.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length || unexpected.length)) {
      const list = (ks: string[]) => (ks.length > 6 ? `${ks.slice(0, 6).join(', ')} and ${ks.length - 6} more` : ks.join(', '));
      const parts = [missing.length ? `missing ${list(missing)}` : '', unexpected.length ? `unexpected ${list(unexpected.map((k) => prefix + k))}` : ''];
      throw new Error(`loadStateDict: keys do not match the model (${parts.filter(Boolean).join('; ')})`);
    }
    for (const [key, mine] of own) {
      const src = source.get(key);
      if (src && (src.shape.join() !== mine.shape.join() || src.dtype !== mine.dtype)) {
        throw new Error(`loadStateDict: '${prefix + key}' is ${src.dtype}[${src.shape.join(',')}] but the model has ${mine.dtype}[${mine.shape.join(',')}]`);
      }
    }
    noGrad(() => { for (const [key, mine] of own) { const src = source.get(key); if (src) mine.copy_(src); } });
    return { missing, unexpected };
  }

  /** Free every parameter and buffer. */
  dispose(): void {
    for (const t of this.stateDict().values()) t.dispose();
  }

  /**
   * Call `hook(module, inputs, output)` after every forward of this module (PyTorch's
   * register_forward_hook): what a diagnostic needs to see each layer's activations without the
   * model's code changing. Callers call forward() directly, so the hooks live in a forward
   * installed on this instance (not enumerable, so never a child or parameter), removed with the
   * last hook.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    const self = this as unknown as { forward: (...a: unknown[]) => unknown; [HOOKS]?: ForwardHook[] };
    let hooks = self[HOOKS];
    if (!hooks) {
      const inner = self.forward;
      const list: ForwardHook[] = (hooks = []);
      Object.defineProperty(this, HOOKS, { value: list, configurable: true });
      Object.defineProperty(this, 'forward', {
        configurable: true, writable: true,
        value: (...inputs: unknown[]) => {
          const out = inner.apply(this, inputs);
          for (const h of [...list]) h(this as AnyModule, inputs, out);
          return out;
        },
      });
    }
    hooks.push(hook);
    return {
      remove: () => {
        const i = hooks!.indexOf(hook);
        if (i >= 0) hooks!.splice(i, 1);
        if (!hooks!.length && self[HOOKS] === hooks) { delete self[HOOKS]; delete (self as { forward?: unknown }).forward; }
      },
    };
  }

  /** The short name shown in summaries and errors. */
  get typeName(): string { return this.constructor.name; }
}

/** A module of any signature, as found in a tree of children. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], unknown>;

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}
