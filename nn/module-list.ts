// ModuleList: modules held in order, named '0', '1', … in the state_dict (PyTorch's nn.ModuleList),
// for stacks of layers that the owner runs itself (each with its own masks or cache).

import { Module, type AnyModule } from './module.js';

export class ModuleList<M extends AnyModule = AnyModule> extends Module<[], never> {
  private count = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: M): this {
    (this as unknown as Record<string, M>)[String(this.count++)] = m;
    return this;
  }

  get length(): number { return this.count; }

  at(i: number): M {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) throw new Error(`ModuleList: index ${i} is outside [0, ${this.count})`);
    return (this as unknown as Record<string, M>)[String(i)];
  }

  *[Symbol.iterator](): Iterator<M> { for (let i = 0; i < this.count; i++) yield this.at(i); }

  forward(): never { throw new Error('ModuleList: it has no forward; run its modules one by one'); }
}
