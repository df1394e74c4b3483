// Module: dotted names, state_dict round trips, modes, freezing, BatchNorm buffers.
import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, randn, tensor } from '../engine/index.js';
import { crossEntropy, Adam, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, ReLU, Sequential } from '../nn/index.js';

const net = () => new Sequential({ conv: new Conv2d(1, 2, 3), bn: new BatchNorm2d(2), relu: new ReLU(), flat: new Flatten(), drop: new Dropout(0.5), fc: new Linear(8, 3) });

describe('Module', () => {
  it('names parameters and buffers by dotted path, in definition order', () => {
    const m = net();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['bn.running_mean', 'bn.running_var']);
    expect(new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1)).namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('train() and eval() reach every descendant; BatchNorm updates its running statistics only in training', () => {
    manualSeed(0);
    const m = net();
    const x = randn([4, 1, 4, 4]);
    m.eval();
    expect(m.namedModules().every(([, c]) => !c.training)).toBe(true);
    noGrad(() => m.forward(x));
    expect(Array.from(m.stateDict().get('bn.running_mean')!.dataSync())).toEqual([0, 0]);
    m.train();
    m.forward(x);
    expect(Array.from(m.stateDict().get('bn.running_mean')!.dataSync()).some((v) => v !== 0)).toBe(true);
  });

  it('loadStateDict copies values and checks keys and shapes', () => {
    manualSeed(1); const a = net();
    manualSeed(2); const b = net();
    a.train(); a.forward(randn([4, 1, 4, 4]));
    b.loadStateDict(a.stateDict());
    for (const [k, t] of a.stateDict()) expect(Array.from(b.stateDict().get(k)!.dataSync())).toEqual(Array.from(t.dataSync()));
    expect(b.parameters().every((p) => p.requiresGrad)).toBe(true);
    const missing = new Map(a.stateDict()); missing.delete('fc.bias');
    expect(() => b.loadStateDict(missing)).toThrow(/missing fc.bias/);
    const wrong = new Map(a.stateDict()); wrong.set('fc.bias', tensor([1, 2]));
    expect(() => b.loadStateDict(wrong)).toThrow(/'fc.bias' is float32\[2\] but the model has float32\[3\]/);
  });

  it('freeze() keeps gradients away from a layer', () => {
    const m = new Sequential({ a: new Linear(3, 3), b: new Linear(3, 2) });
    (m as unknown as { a: Linear }).a.freeze();
    crossEntropy(m.forward(randn([2, 3])), tensor(Int32Array.from([0, 1]))).backward();
    const [aw, , bw] = m.parameters();
    expect(aw.grad).toBeNull();
    expect(bw.grad).not.toBeNull();
    m.zeroGrad();
    expect(bw.grad).toBeNull();
  });

  it('loadStateDict copies in place: the same tensors, so an optimiser built before keeps training them', () => {
    manualSeed(1); const a = net();
    manualSeed(2); const b = net();
    const before = b.parameters();
    const opt = new Adam(b.parameters(), { lr: 0.1 });
    b.loadStateDict(a.stateDict());
    expect(b.parameters()).toEqual(before);
    expect(b.parameters().every((p, i) => p === before[i])).toBe(true);
    const w0 = Array.from(b.stateDict().get('fc.weight')!.dataSync());
    expect(w0).toEqual(Array.from(a.stateDict().get('fc.weight')!.dataSync()));
    b.train();
    crossEntropy(b.forward(randn([4, 1, 4, 4])), tensor(Int32Array.from([0, 1, 2, 0]))).backward();
    opt.step();
    // The optimiser moved the loaded weights (it holds the live tensors, not stale ones).
    const w1 = Array.from(b.stateDict().get('fc.weight')!.dataSync());
    expect(w1.some((v, i) => Math.abs(v - w0[i]) > 1e-3)).toBe(true);
    opt.dispose();
  });

  it('loadStateDict with a prefix loads a part; strict: false reports missing and unexpected keys', () => {
    manualSeed(3);
    const whole = new Sequential({ backbone: new Sequential({ fc: new Linear(3, 3) }), head: new Linear(3, 2) });
    const backbone = new Sequential({ fc: new Linear(3, 3) });
    const r = backbone.loadStateDict(whole.stateDict(), { prefix: 'backbone.' });
    expect(r).toEqual({ missing: [], unexpected: [] });
    expect(Array.from(backbone.stateDict().get('fc.weight')!.dataSync())).toEqual(Array.from(whole.stateDict().get('backbone.fc.weight')!.dataSync()));
    const partial = new Sequential({ fc: new Linear(3, 3), extra: new Linear(3, 1) });
    expect(partial.loadStateDict(whole.stateDict(), { prefix: 'backbone.', strict: false })).toEqual({ missing: ['extra.weight', 'extra.bias'], unexpected: [] });
    expect(() => partial.loadStateDict(whole.stateDict(), { prefix: 'backbone.' })).toThrow(/missing extra.weight, extra.bias/);
    expect(backbone.loadStateDict(whole.stateDict(), { strict: false }).unexpected).toEqual(['backbone.fc.weight', 'backbone.fc.bias', 'head.weight', 'head.bias']);
  });

  it('forward hooks see each layer\'s inputs and output, inside a Sequential, until removed', () => {
    manualSeed(2);
    const m = new Sequential({ fc: new Linear(3, 2), relu: new ReLU() });
    const seen: string[] = [];
    const [, fc] = m.layers()[0];
    const h1 = fc.registerForwardHook((mod, inputs, out) => seen.push(`${mod.typeName} ${(inputs[0] as { shape: number[] }).shape} -> ${(out as { shape: number[] }).shape}`));
    const h2 = m.registerForwardHook((_, __, out) => seen.push(`model -> ${(out as { shape: number[] }).shape}`));
    const y = m.forward(tensor([[1, 2, 3]]));
    expect(seen).toEqual(['Linear 1,3 -> 1,2', 'model -> 1,2']);
    // The hooks change nothing the module reports or computes.
    expect(m.namedChildren().map(([n]) => n)).toEqual(['fc', 'relu']);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    h1.remove(); h2.remove();
    const z = m.forward(tensor([[1, 2, 3]]));
    expect(seen).toHaveLength(2);
    expect(Object.prototype.hasOwnProperty.call(fc, 'forward')).toBe(false);
    expect(Array.from(z.dataSync())).toEqual(Array.from(y.dataSync()));
  });
});
