// The optimiser base: the parameter list, per-parameter state (step count and buffers such as
// Adam's moments), zeroGrad, and a state_dict that a checkpoint can save and a resume restore.

import { keep, noGrad, zerosLike, type Tensor } from '../../engine/index.js';

/** One parameter's state: how many updates it has had, and its buffers by PyTorch's names. */
export interface ParamState { step: number; buffers: Record<string, Tensor> }

export type Hyper = Record<string, number | boolean>;

/** Everything an optimiser needs to continue exactly: its kind, hyper-parameters (lr included) and per-parameter state, keyed by parameter index. */
export interface OptimizerState { type: string; hyper: Hyper; state: Record<number, ParamState> }

export abstract class Optimizer {
  readonly params: Tensor[];
  protected readonly state = new Map<number, ParamState>();
  /** The learning rate; schedulers change it between steps. */
  lr: number;
  /** The learning rate it was made with: what schedulers scale (PyTorch's initial_lr). */
  readonly initialLr: number;

  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (!(lr >= 0)) throw new Error(`${this.constructor.name}: lr must be >= 0, got ${lr}`);
    this.lr = lr;
    this.initialLr = lr;
  }

  /** Apply one update to every parameter that has a gradient. */
  step(): void {
    noGrad(() => this.params.forEach((p, i) => {
      if (!p.requiresGrad || !p.grad) return;
      this.update(p, p.grad, this.stateOf(i, p));
    }));
  }

  /** Drop every parameter's gradient (PyTorch's set_to_none = True). */
  zeroGrad(): void {
    for (const p of this.params) { p.grad?.dispose(); p.grad = null; }
  }

  /** Kind-specific update of one parameter, in place (st.step is already incremented). */
  protected abstract update(p: Tensor, g: Tensor, st: ParamState): void;
  /** The names of the per-parameter buffers this optimiser keeps (e.g. exp_avg, exp_avg_sq). */
  protected abstract bufferNames(): string[];
  /** Hyper-parameters other than lr. */
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
    return { type: this.constructor.name, hyper: { lr: this.lr, ...this.hyper() }, state: Object.fromEntries(this.state) };
  }

  /** Restore a saved state; the tensors are copied, so the caller keeps ownership of its own. */
  loadStateDict(s: OptimizerState): void {
    if (s.type !== this.constructor.name) throw new Error(`${this.constructor.name}.loadStateDict: the state is from ${s.type}`);
    this.lr = Number(s.hyper.lr);
    this.setHyper(s.hyper);
    this.disposeState();
    for (const [key, st] of Object.entries(s.state)) {
      const i = Number(key), p = this.params[i];
      if (!p) throw new Error(`${this.constructor.name}.loadStateDict: state for parameter ${i}, but there are ${this.params.length}`);
      const buffers: Record<string, Tensor> = {};
      for (const name of this.bufferNames()) {
        const b = st.buffers[name];
        if (!b) throw new Error(`${this.constructor.name}.loadStateDict: parameter ${i} has no '${name}'`);
        if (b.shape.join() !== p.shape.join()) throw new Error(`${this.constructor.name}.loadStateDict: '${name}' of parameter ${i} is [${b.shape}] but the parameter is [${p.shape}]`);
        buffers[name] = keep(noGrad(() => b.clone()));
      }
      this.state.set(i, { step: st.step, buffers });
    }
  }

  private disposeState(): void {
    for (const st of this.state.values()) for (const b of Object.values(st.buffers)) b.dispose();
    this.state.clear();
  }

  dispose(): void { this.disposeState(); }
}
