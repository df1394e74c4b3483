// The optimiser base: parameter groups (each with its own lr and weight decay, as PyTorch's
// param_groups), per-parameter state (step count and buffers such as Adam's moments), zeroGrad,
// and a state_dict that a checkpoint can save and a resume restore.

import { keep, noGrad, zerosLike, type Tensor } from '../../engine/index.js';

/** One parameter's state: how many updates it has had, and its buffers by PyTorch's names. */
export interface ParamState { step: number; buffers: Record<string, Tensor> }

export type Hyper = Record<string, number | boolean>;

/** What a caller passes for one group: its parameters and what it overrides of the optimiser's defaults. */
export interface ParamGroupSpec { params: Iterable<Tensor>; name?: string; lr?: number; weightDecay?: number }

/** A live group. Schedulers scale `lr` from `initialLr`; the update reads `lr` and `weightDecay`. */
export interface ParamGroup { name: string; params: Tensor[]; lr: number; initialLr: number; weightDecay: number }

/** A group as saved: its size is checked on load, so a state never lands on another model's groups. */
export interface GroupState { name: string; size: number; lr: number; initialLr: number; weightDecay: number }

/** Everything an optimiser needs to continue exactly: its kind, hyper-parameters, groups and
 *  per-parameter state, keyed by the parameter's index in the flat list of every group's parameters. */
export interface OptimizerState { type: string; hyper: Hyper; groups: GroupState[]; state: Record<number, ParamState> }

const isGroupList = (p: Iterable<Tensor> | ParamGroupSpec[]): p is ParamGroupSpec[] =>
  Array.isArray(p) && p.length > 0 && !(p[0] as object as { shape?: unknown }).shape && 'params' in (p[0] as object);

export abstract class Optimizer {
  readonly groups: ParamGroup[];
  /** Every group's parameters, in order: the index that keys the state. */
  readonly params: Tensor[];
  protected readonly state = new Map<number, ParamState>();
  private readonly groupOf: ParamGroup[] = [];

  constructor(params: Iterable<Tensor> | ParamGroupSpec[], defaults: { lr: number; weightDecay: number }) {
    const specs: ParamGroupSpec[] = isGroupList(params) ? params : [{ params }];
    this.groups = specs.map((g, i) => {
      const lr = g.lr ?? defaults.lr;
      if (!(lr >= 0)) throw new Error(`${this.constructor.name}: lr must be >= 0, got ${lr}${specs.length > 1 ? ` (group ${g.name ?? i})` : ''}`);
      return { name: g.name ?? String(i), params: [...g.params], lr, initialLr: lr, weightDecay: g.weightDecay ?? defaults.weightDecay };
    });
    this.params = this.groups.flatMap((g) => g.params);
    if (new Set(this.params).size !== this.params.length) throw new Error(`${this.constructor.name}: a parameter appears in more than one group`);
    for (const g of this.groups) for (const _ of g.params) this.groupOf.push(g);
  }

  /** The first group's learning rate (the only one, unless groups were given). Setting it sets every group's. */
  get lr(): number { return this.groups[0]?.lr ?? 0; }
  set lr(v: number) { for (const g of this.groups) g.lr = v; }
  get initialLr(): number { return this.groups[0]?.initialLr ?? 0; }

  /** Apply one update to every parameter that has a gradient and still requires one (frozen ones are skipped). */
  step(): void {
    noGrad(() => this.params.forEach((p, i) => {
      if (!p.requiresGrad || !p.grad) return;
      this.update(p, p.grad, this.stateOf(i, p), this.groupOf[i]);
    }));
  }

  /** Drop every parameter's gradient (PyTorch's set_to_none = True). */
  zeroGrad(): void {
    for (const p of this.params) { p.grad?.dispose(); p.grad = null; }
  }

  /** Kind-specific update of one parameter, in place (st.step is already incremented). */
  protected abstract update(p: Tensor, g: Tensor, st: ParamState, group: ParamGroup): void;
  /** The names of the per-parameter buffers this optimiser keeps (e.g. exp_avg, exp_avg_sq). */
  protected abstract bufferNames(): string[];
  /** Hyper-parameters other than the groups' lr and weight decay. */
  protected abstract hyper(): Hyper;
  protected abstract setHyper(h: Hyper): void;

  private stateOf(i: number, p: Tensor): ParamState {
    let st = this.state.get(i);
    if (!st) {
      const buffers: Record<string, Tensor> = {};
      for (const b of this.bufferNames()) buffers[b] = keep(zerosLike(p));
      st = { step: 0, buffers };
      this.state.set(i, st);
    }
    st.step++;
    return st;
  }

  /** The live state (tensors are not copied: save them before the next step). */
  stateDict(): OptimizerState {
    return {
      type: this.constructor.name,
      hyper: this.hyper(),
      groups: this.groups.map((g) => ({ name: g.name, size: g.params.length, lr: g.lr, initialLr: g.initialLr, weightDecay: g.weightDecay })),
      state: Object.fromEntries(this.state),
    };
  }

  /** Restore a saved state; the tensors are copied, so the caller keeps ownership of its own. */
  loadStateDict(s: OptimizerState): void {
    const me = this.constructor.name;
    if (s.type !== me) throw new Error(`${me}.loadStateDict: the state is from ${s.type}`);
    const shape = (gs: { name: string; size: number }[]) => gs.map((g) => `${g.name}:${g.size}`).join(', ');
    if (shape(s.groups) !== shape(this.groups.map((g) => ({ name: g.name, size: g.params.length })))) {
      throw new Error(`${me}.loadStateDict: the state has parameter groups [${shape(s.groups)}] but this optimiser has [${shape(this.groups.map((g) => ({ name: g.name, size: g.params.length })))}]`);
    }
    for (const [key, st] of Object.entries(s.state)) {
      const i = Number(key), p = this.params[i];
      if (!p) throw new Error(`${me}.loadStateDict: state for parameter ${i}, but there are ${this.params.length}`);
      for (const name of this.bufferNames()) {
        const b = st.buffers[name];
        if (!b) throw new Error(`${me}.loadStateDict: parameter ${i} has no '${name}'`);
        if (b.shape.join() !== p.shape.join()) throw new Error(`${me}.loadStateDict: '${name}' of parameter ${i} is [${b.shape}] but the parameter is [${p.shape}]`);
      }
    }
    this.setHyper(s.hyper);
    s.groups.forEach((g, i) => Object.assign(this.groups[i], { lr: g.lr, initialLr: g.initialLr, weightDecay: g.weightDecay }));
    this.disposeState();
    for (const [key, st] of Object.entries(s.state)) {
      const buffers: Record<string, Tensor> = {};
      for (const name of this.bufferNames()) buffers[name] = keep(noGrad(() => st.buffers[name].clone()));
      this.state.set(Number(key), { step: st.step, buffers });
    }
  }

  private disposeState(): void {
    for (const st of this.state.values()) for (const b of Object.values(st.buffers)) b.dispose();
    this.state.clear();
  }

  dispose(): void { this.disposeState(); }
}
