// The autograd graph as DOT and Mermaid: exactly the nodes and edges of a known expression, names
// from a module's parameter paths, and the backward pass itself under createGraph.
import { describe, expect, it } from 'vitest';
import { autogradGraph, tensor, toDot, toMermaid } from '../engine/index.js';
import { Linear, ReLU, Sequential } from '../nn/index.js';

describe('toDot / toMermaid', () => {
  it('draws (x·y + x).sum() as exactly its five tensors and five edges', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = tensor([[5, 6], [7, 8]]);
    const z = x.mul(y).add(x).sum();
    const names = new Map([[x, 'x'], [y, 'y']]);
    expect(toDot(z, { names })).toBe([
      'digraph autograd {',
      '  rankdir=TB;',
      '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
      '  t0 [label="x\\n[2,2]", fillcolor="#b7e1a1"];',
      '  t1 [label="y\\n[2,2]", fillcolor="#e0e0e0"];',
      '  t2 [label="mul\\n[2,2]", fillcolor="#cfe2f3"];',
      '  t3 [label="add\\n[2,2]", fillcolor="#cfe2f3"];',
      '  t4 [label="sum\\n[]", fillcolor="#cfe2f3", penwidth=2];',
      '  t0 -> t2;',
      '  t1 -> t2;',
      '  t2 -> t3;',
      '  t0 -> t3;',
      '  t3 -> t4;',
      '}',
      '',
    ].join('\n'));
    const mermaid = toMermaid(z, { names });
    expect(mermaid.split('\n').filter((l) => /^ {2}t\d/.test(l))).toEqual([
      '  t0["x<br/>[2,2]"]:::leaf',
      '  t1["y<br/>[2,2]"]:::constant',
      '  t2["mul<br/>[2,2]"]:::op',
      '  t3["add<br/>[2,2]"]:::op',
      '  t4["sum<br/>[]"]:::opRoot',
      '  t0 --> t2',
      '  t1 --> t2',
      '  t2 --> t3',
      '  t0 --> t3',
      '  t3 --> t4',
    ]);
    expect(mermaid.startsWith('flowchart TD\n')).toBe(true);
  });

  it('names parameters by their module path and leaves unnamed tensors as leaf or constant', () => {
    const model = new Sequential({ fc1: new Linear(3, 2), act: new ReLU() });
    const x = tensor([[1, 2, 3]]);
    const out = model.forward(x).sum();
    const g = autogradGraph(out, { names: model });
    const leaves = g.nodes.filter((n) => !n.op).map((n) => [n.name, n.requiresGrad, n.shape]);
    // The input is folded to [1, 1, 3] by a reshape that is not recorded (x needs no gradient): a constant.
    expect(leaves).toEqual([[null, false, [1, 1, 3]], ['fc1.weight', true, [2, 3]], ['fc1.bias', true, [2]]]);
    expect(toDot(out, { names: model })).toContain('[label="fc1.weight\\n[2,3]", fillcolor="#b7e1a1"]');
    expect(g.nodes.filter((n) => n.op).map((n) => n.op)).toEqual(['reshape', 'matmul', 'reshape', 'add', 'relu', 'sum']);
    expect(g.edges).toHaveLength(8);
  });

  it('draws the backward pass recorded under createGraph, and it is the graph second-order gradients run through', async () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.pow(3).sum();
    y.backward(undefined, { createGraph: true });
    // dy/dx = g · (x² · 3) with g the seed of ones: the backward closure of pow, recorded.
    const g = autogradGraph(x.grad!, { names: new Map([[x, 'x']]) });
    expect(g.nodes.map((n) => [n.id, n.op ?? n.name ?? (n.requiresGrad ? 'leaf' : 'constant')])).toEqual([
      ['t0', 'constant'], ['t1', 'x'], ['t2', 'pow'], ['t3', 'affine'], ['t4', 'mul'],
    ]);
    expect(g.edges).toEqual([['t1', 't2'], ['t2', 't3'], ['t0', 't4'], ['t3', 't4']]);
    expect(await x.grad!.item()).toBe(12);
    const gx = x.grad!;
    x.grad = null;
    gx.backward();
    expect(await x.grad!.item()).toBe(12);   // d²(x³)/dx² = 6x
  });

  it('refuses a graph that backward() has freed, naming the fix', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(() => toDot(y)).toThrow(/freed by backward\(\).*retainGraph: true/);
  });
});
