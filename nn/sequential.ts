// Sequential: children run one after another, addressed by index ('0.weight') or by the names given.

import type { Tensor } from '../engine/index.js';
import { Module } from './module.js';

export class Sequential extends Module {
  private readonly order: string[];

  /** new Sequential(a, b, c) names children '0', '1', '2'; new Sequential({ conv1: a, ... }) uses the names. */
  constructor(...layers: Module[] | [Record<string, Module>]) {
    super();
    const named = layers.length === 1 && !(layers[0] instanceof Module)
      ? Object.entries(layers[0] as Record<string, Module>)
      : (layers as Module[]).map((m, i): [string, Module] => [String(i), m]);
    for (const [name, m] of named) {
      if (name in this) throw new Error(`Sequential: the name '${name}' is taken by a Module property`);
      (this as unknown as Record<string, Module>)[name] = m;
    }
    this.order = named.map(([n]) => n);
  }

  /** The children in running order, by name. */
  layers(): [string, Module][] {
    return this.order.map((n) => [n, (this as unknown as Record<string, Module>)[n]]);
  }

  forward(x: Tensor): Tensor {
    for (const [, m] of this.layers()) x = m.forward(x);
    return x;
  }
}
