// Autograd and engine behaviour: accumulation, noGrad/detach, error messages, memory scopes,
// seeded randomness, int32 tensors and NumPy broadcasting. Every assertion is on values.

import { describe, expect, it } from 'vitest';
import { Tensor, tensor, zeros, ones, randn, rand, arange, full, noGrad, tidy, keep, memory, manualSeed, Generator, add, sub, mul, div, maximum, matmul, conv2d, maxPool2d, linear, relu, sum, where, argmax, isGradEnabled, enableGrad, eq, oneHot, slice, indexSelect, permute, expand, sumTo, avgPool2d } from '../engine/index.js';
import { dropout, crossEntropy, adaptiveAvgPool2d } from '../nn/index.js';
import { record } from '../engine/autograd.js';

const vals = (t: Tensor) => Array.from(t.dataSync());
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])));
};

describe('gradients: accumulation, reset, reuse', () => {
  it('.grad accumulates over two backward calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();            // 2x
    close(vals(x.grad!), [2, 4, 6]);
    x.mul(3).sum().backward();            // + 3
    close(vals(x.grad!), [5, 7, 9]);
  });
  it('zeroGrad-style reset: dispose and null, then a fresh gradient', () => {
    const x = tensor([1, -2], { requiresGrad: true });
    x.square().sum().backward();
    close(vals(x.grad!), [2, -4]);
    x.grad!.dispose(); x.grad = null;
    x.mul(5).sum().backward();
    close(vals(x.grad!), [5, 5]);
  });
  it('a tensor used twice gets the summed gradient (x*x, x+x, and through two branches)', () => {
    const x = tensor([0.5, -1.5, 2], { requiresGrad: true });
    x.mul(x).sum().backward();
    close(vals(x.grad!), [1, -3, 4]);
    x.grad = null;
    x.add(x).sum().backward();
    close(vals(x.grad!), [2, 2, 2]);
    x.grad = null;
    const y = x.exp();
    y.mul(x).add(y).sum().backward();    // d/dx (x e^x + e^x) = e^x (x + 2)
    close(vals(x.grad!), [0.5, -1.5, 2].map((v) => Math.exp(v) * (v + 2)));
  });
  it('gradient of a broadcast operand is summed over the broadcast axes', () => {
    const a = tensor([[1], [2]], { requiresGrad: true });     // [2,1]
    const b = tensor([10, 20, 30], { requiresGrad: true });   // [3]
    a.mul(b).sum().backward();
    close(vals(a.grad!), [60, 60]);
    close(vals(b.grad!), [3, 3, 3]);
  });
  it('backward() sums a gradient of the broadcast shape down to each input (a rule may return g as is)', () => {
    // A custom op whose backward hands every input the output's gradient unchanged: the engine
    // does the reduction, for leading axes ([3] from [2,3]) and size-1 axes ([2,1] from [2,3]).
    const a = tensor([[1], [2]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const y = record('plus', [a, b], noGrad(() => add(a, b)), (g) => [g, g]);
    y.backward(tensor([[1, 2, 3], [4, 5, 6]]));
    close(vals(a.grad!), [6, 15]);
    close(vals(b.grad!), [5, 7, 9]);
    // expand's backward is (g) => [g] for the same reason.
    const c = tensor([[1], [2]], { requiresGrad: true });
    expand(c, [4, 2, 3]).mul(tensor([1, 2, 3])).sum().backward();
    close(vals(c.grad!), [24, 24]);
  });
  it('a gradient that does not broadcast to its input is an internal error naming the op', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const bad = record('badShape', [x], noGrad(() => x.mul(2)), (g) => [g.reshape([3, 1])]);
    expect(() => bad.sum().backward()).toThrow('internal: badShape backward gave a gradient of shape [3,1] for an input of shape [3], which does not broadcast to it');
    const bad2 = record('badShape2', [x], noGrad(() => x.mul(2)), () => [ones([2])]);
    expect(() => bad2.sum().backward()).toThrow('internal: badShape2 backward gave a gradient of shape [2] for an input of shape [3]');
  });
  it('sumTo is the public face of the same reduction, with its own error', () => {
    close(vals(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), [1, 3])), [5, 7, 9]);
    close(vals(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), [2, 1])), [6, 15]);
    close(vals(sumTo(tensor([[1, 2, 3], [4, 5, 6]]), [])), [21]);
    expect(() => sumTo(tensor([[1, 2, 3]]), [2])).toThrow('sumTo: shape [2] does not broadcast to [1,3]');
  });
  it('second order through a broadcast: d/dw of (d/dw sum(x·w))² with w broadcast over rows', () => {
    // y = sum(x * w), w [1,3] broadcast over x [2,3]: dy/dw_j = sum_i x_ij (the engine's sumTo);
    // f = sum_j (dy/dw_j)^2, so df/dx_ij = 2 sum_i' x_i'j (through sumTo's adjoint, broadcastTo).
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const w = tensor([[0.5, -1, 2]], { requiresGrad: true });
    x.mul(w).sum().backward(undefined, { createGraph: true });
    const gw = w.grad!;
    close(vals(gw), [5, 7, 9]);
    x.grad = null; w.grad = null;
    gw.square().sum().backward();
    close(vals(x.grad!), [10, 14, 18, 10, 14, 18]);
    expect(w.grad).toBeNull();
  });
  it('backward with an explicit gradient for a non-scalar output', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.square().backward(tensor([1, 0.5, -1]));
    close(vals(x.grad!), [2, 2, -6]);
  });
  it('backward twice through a freed graph throws; retainGraph allows it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.square().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/graph behind this tensor was freed.*retainGraph/);
    const x2 = tensor([1, 2], { requiresGrad: true });
    const y2 = x2.square().sum();
    y2.backward(undefined, { retainGraph: true });
    y2.backward();
    close(vals(x2.grad!), [4, 8]);
  });
  it('createGraph gives differentiable gradients (d²/dx² x³ = 6x)', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    close(vals(g), [3, 12, 0.75]);
    x.grad = null;
    g.sum().backward();
    close(vals(x.grad!), [6, -12, 3]);
  });
  it('createGraph gradients accumulated over two backward calls stay differentiable', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    x.square().sum().backward(undefined, { createGraph: true });
    const g = x.grad!;                      // 3x² + 2x
    close(vals(g), [5, 8, 1.75]);
    x.grad = null;
    g.sum().backward();                     // 6x + 2
    close(vals(x.grad!), [8, -10, 5]);
  });
  it('backward on a leaf itself', () => {
    const x = tensor(3, { requiresGrad: true });
    x.backward();
    close(vals(x.grad!), [1]);
  });
  it('parameters that do not take part get no gradient; non-leaves keep none', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([3], { requiresGrad: true });
    const h = x.mul(2);
    h.sum().backward();
    expect(unused.grad).toBeNull();
    expect(h.grad).toBeNull();
    expect(x.isLeaf).toBe(true);
  });
});

describe('noGrad and detach', () => {
  it('noGrad records nothing, and restores the mode', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      expect(enableGrad(() => isGradEnabled())).toBe(true);
      return x.mul(2).exp();
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });
  it('detach shares the values, cuts the graph', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.node).toBeNull();
    close(vals(d), [2, 4, 6]);
    // Only the non-detached path contributes: d/dx (x * stop(2x)) = 2x
    x.mul(x.mul(2).detach()).sum().backward();
    close(vals(x.grad!), [2, 4, 6]);
  });
});

describe('error messages', () => {
  it('non-scalar backward without a gradient', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow('backward: output has shape [2,2]; a non-scalar output needs an explicit gradient of that shape');
  });
  it('gradient of the wrong shape', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => x.mul(2).backward(ones([2]))).toThrow('backward: gradient has shape [2] but the output has shape [3]');
  });
  it('backward through argmax names the op', () => {
    const x = tensor([[1, 5, 2], [7, 0, 1]], { requiresGrad: true });
    expect(() => argmax(x, 1).backward(ones([2], { dtype: 'int32' }))).toThrow(/'argmax', which is not differentiable/);
    expect(() => argmax(x, 1).float().sum().backward()).toThrow(/'argmax', which is not differentiable/);
  });
  it('backward through a comparison names the op, also after further ops', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    expect(() => x.gt(0).sum().backward()).toThrow(/'gt', which is not differentiable/);
    expect(() => x.gt(0).mul(2).add(1).sum().backward()).toThrow(/'gt', which is not differentiable/);
    expect(() => eq(x, 1).exp().mean().backward()).toThrow(/'eq', which is not differentiable/);
  });
  it('requiresGrad on an int32 tensor', () => {
    expect(() => arange(3).requiresGrad_()).toThrow('requiresGrad: only float32 tensors can require gradients (this one is int32 [3])');
  });
  it('using a disposed tensor', () => {
    const x = tensor([1, 2]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.add(1)).toThrow(/tensor float32\[2\] was disposed/);
    expect(() => x.dataSync()).toThrow(/dataSync: tensor float32\[2\] was disposed/);
    expect(() => x.dispose()).not.toThrow();
    const kept = tidy(() => tensor([1]));
    const lost = { t: null as Tensor | null };
    tidy(() => { lost.t = tensor([2]); });
    expect(kept.isDisposed).toBe(false);
    expect(() => lost.t!.mul(2)).toThrow(/was disposed; keep it out of tidy\(\)/);
  });
  it('broadcast mismatch names the op and both shapes', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow('add: shapes [2,3] and [4] cannot be broadcast together (axis -1 is 3 vs 4)');
    expect(() => mul(zeros([5, 2, 3]), zeros([4, 3]))).toThrow('mul: shapes [5,2,3] and [4,3] cannot be broadcast together');
  });
  it('matmul inner dimension mismatch', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow('matmul: inner dimensions differ: [2,3] @ [4,5] (3 vs 4)');
    expect(() => zeros([2, 7, 3]).matmul(zeros([2]))).toThrow('matmul: inner dimensions differ');
  });
  it('conv2d channel mismatch, exactly as the contract says', () => {
    expect(() => conv2d(zeros([64, 3, 28, 28]), zeros([32, 1, 3, 3])))
      .toThrow('conv2d: input has 3 channels but weight expects 1 (input [64,3,28,28], weight [32,1,3,3])');
  });
  it('other shape errors name the op', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]))).toThrow('linear: input [2,3] has 3 features but weight [4,5] expects 5');
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) into [4,2]');
    expect(() => zeros([2, 3]).sum(2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
    expect(() => crossEntropy(zeros([2, 3]), tensor([0, 3], { dtype: 'int32' }))).toThrow('crossEntropy: target 3 at position 1 is outside [0, 3)');
    expect(() => indexSelect(zeros([3, 2]), 0, tensor([0, 3], { dtype: 'int32' }))).toThrow(/indexSelect: index 3 at position 1 is out of range/);
    expect(() => maxPool2d(zeros([1, 1, 1, 1]), 2)).toThrow(/maxPool2d: input \[1,1,1,1\] is smaller than the kernel/);
  });
  it('pooling checks its kernel, stride, padding and dilation (an options object as the kernel gave NaN shapes)', () => {
    const x = zeros([2, 3, 6, 6]);
    const bad = <T,>(v: unknown) => v as T;
    expect(() => maxPool2d(x, bad({ kernelSize: 2 }))).toThrow('maxPool2d: kernelSize must be a positive integer or [kh, kw], got {"kernelSize":2}');
    expect(() => avgPool2d(x, bad({ kernelSize: 2 }))).toThrow('avgPool2d: kernelSize must be a positive integer or [kh, kw], got {"kernelSize":2}');
    expect(() => maxPool2d(x, [2, 1.5])).toThrow('maxPool2d: kernelSize must be a positive integer or [kh, kw], got [2,1.5]');
    expect(() => maxPool2d(x, 0)).toThrow('maxPool2d: kernelSize must be a positive integer or [kh, kw], got 0');
    expect(() => maxPool2d(x, bad(undefined))).toThrow('maxPool2d: kernelSize must be a positive integer or [kh, kw], got undefined');
    expect(() => avgPool2d(x, 2, { stride: 0 })).toThrow('avgPool2d: stride must be a positive integer or [sh, sw], got 0');
    expect(() => avgPool2d(x, 2, { stride: bad('2') })).toThrow('avgPool2d: stride must be a positive integer or [sh, sw], got "2"');
    expect(() => maxPool2d(x, 3, { padding: -1 })).toThrow('maxPool2d: padding must be a non-negative integer or [ph, pw], got -1');
    expect(() => maxPool2d(x, 2, { dilation: bad([2]) })).toThrow('maxPool2d: dilation must be a positive integer or [dh, dw], got [2]');
    expect(() => maxPool2d(x, 2, bad<object>(2))).toThrow('maxPool2d: options must be an object such as { stride, padding }, got 2');
    expect(() => adaptiveAvgPool2d(x, bad(NaN))).toThrow('adaptiveAvgPool2d: outputSize must be a positive integer or [oh, ow], got NaN');
    // The good forms still work: a number, a pair, stride defaulting to the kernel.
    expect(maxPool2d(x, 2).shape).toEqual([2, 3, 3, 3]);
    expect(avgPool2d(x, [3, 2], { stride: [1, 2], padding: [1, 0] }).shape).toEqual([2, 3, 6, 3]);
  });
});

describe('memory', () => {
  it('tidy frees intermediates and keeps what it returns (nested too)', () => {
    const before = memory().tensors;
    const x = tensor([1, 2, 3]);
    let inner: Tensor | null = null;
    const out = tidy(() => {
      const a = x.mul(2);
      const b = a.add(1);
      inner = tidy(() => b.exp().sum());
      return { result: b.square(), list: [a] };
    });
    expect(x.isDisposed).toBe(false);
    expect(out.result.isDisposed).toBe(false);
    expect(out.list[0].isDisposed).toBe(false);
    expect(inner!.isDisposed).toBe(true);          // returned from the inner scope, not the outer
    close(vals(out.result), [9, 25, 49]);
    expect(memory().tensors).toBe(before + 3);
    out.result.dispose(); out.list[0].dispose(); x.dispose();
    expect(memory().tensors).toBe(before);
  });
  it('backward through broadcasting ops frees every temporary (the engine\'s sumTo included)', () => {
    const w = tensor([[0.5, -1, 2]], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const x = randn([4, 3]);
    const step = () => {
      // No tidy(): whatever backward() leaves behind would show in the count.
      const made: Tensor[] = [];
      const m = (t: Tensor) => { made.push(t); return t; };
      const y = m(m(m(m(m(x.mul(w)).add(b)).sub(w)).div(m(w.add(3)))).relu());
      m(y.sum()).backward();
      for (const t of made) t.dispose();
      w.grad!.dispose(); w.grad = null; b.grad!.dispose(); b.grad = null;
    };
    step();
    const start = memory();
    for (let i = 0; i < 20; i++) step();
    expect(memory()).toEqual(start);
  });
  it('keep() takes a tensor out of the scope', () => {
    let k: Tensor | null = null;
    tidy(() => { k = keep(tensor([4])); tensor([5]); });
    expect(k!.isDisposed).toBe(false);
    k!.dispose();
  });
  it('tidy disposes on error too', () => {
    const before = memory();
    expect(() => tidy(() => { tensor([1, 2]).mul(3); throw new Error('x'); })).toThrow('x');
    expect(memory()).toEqual(before);
  });
  it('live tensors and buffers stay flat over 200 steps of forward + backward + SGD', () => {
    manualSeed(0);
    const w1 = randn([4, 2, 3, 3], { requiresGrad: true });
    const w2 = randn([3, 36], { requiresGrad: true });
    const x = randn([2, 2, 6, 6]);
    const y = tensor([0, 2], { dtype: 'int32' });
    const params = [w1, w2];
    const step = () => {
      tidy(() => {
        const h = relu(maxPool2d(conv2d(x, w1, null, { padding: 1 }), 2, { stride: 2 })).flatten(1);
        const loss = crossEntropy(linear(h, w2), y);
        loss.backward();
      });
      noGrad(() => {
        for (const p of params) {
          p.backend.sgdStep(p.storage, p.grad!.storage, null, { lr: 0.01, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, first: true });
          p.grad!.dispose(); p.grad = null;
        }
      });
    };
    const lossNow = () => tidy(() => crossEntropy(linear(relu(maxPool2d(conv2d(x, w1, null, { padding: 1 }), 2, { stride: 2 })).flatten(1), w2), y).dataSync()[0]);
    const first = lossNow();
    for (let i = 0; i < 5; i++) step();
    const start = memory();
    for (let i = 0; i < 200; i++) step();
    expect(memory()).toEqual(start);
    expect(lossNow()).toBeLessThan(first);   // the loop really trained
  });
});

describe('seeded randomness', () => {
  it('manualSeed makes randn, rand and dropout reproducible; other seeds differ', () => {
    const draw = (seed: number) => {
      manualSeed(seed);
      return [vals(randn([20])), vals(rand([20])), vals(dropout(ones([40]), 0.5))];
    };
    const a = draw(42), b = draw(42), c = draw(43);
    expect(a).toEqual(b);
    for (let i = 0; i < 3; i++) expect(a[i]).not.toEqual(c[i]);
    // rand in [0, 1), dropout gives 0 or 1/(1-p)
    expect(a[1].every((v) => v >= 0 && v < 1)).toBe(true);
    expect(a[2].every((v) => v === 0 || v === 2)).toBe(true);
    expect(a[2].some((v) => v === 0) && a[2].some((v) => v === 2)).toBe(true);
  });
  it('randn has roughly standard moments; a Generator is independent of the default one', () => {
    manualSeed(1);
    const v = vals(randn([4000]));
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
    expect(Math.abs(m)).toBeLessThan(0.06);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    manualSeed(5);
    const r1 = vals(rand([5]));
    manualSeed(5);
    rand([3], { generator: new Generator(9) });   // does not advance the default generator
    expect(vals(rand([5]))).toEqual(r1);
  });
});

describe('int32 tensors', () => {
  it('arange is int32 for integer arguments, float32 otherwise', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(vals(a)).toEqual([0, 1, 2, 3, 4]);
    expect(vals(arange(2, 11, 3))).toEqual([2, 5, 8]);
    const f = arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(vals(f)).toEqual([0, 0.25, 0.5, 0.75]);
  });
  it('argmax/argmin are int32 along an axis or flattened', () => {
    const x = tensor([[1, 9, 3], [7, 2, 8]]);
    const a = argmax(x, 1);
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([2]);
    expect(vals(a)).toEqual([1, 2]);
    expect(vals(x.argmax())).toEqual([1]);
    expect(vals(x.argmin(0))).toEqual([0, 1, 0]);
    expect(x.argmax(0, true).shape).toEqual([1, 3]);
  });
  it('int32 arithmetic stays int32; mixing with float32 promotes', () => {
    const i = tensor([1, 2, 3], { dtype: 'int32' });
    const s = i.add(i).mul(2);
    expect(s.dtype).toBe('int32');
    expect(vals(s)).toEqual([4, 8, 12]);
    const f = i.add(0.5);
    expect(f.dtype).toBe('float32');
    expect(vals(f)).toEqual([1.5, 2.5, 3.5]);
    const g = i.mul(tensor([0.5, 0.5, 0.5]));
    expect(g.dtype).toBe('float32');
    expect(vals(g)).toEqual([0.5, 1, 1.5]);
    expect(vals(tensor([-1.7, 2.9]).int())).toEqual([-1, 2]);   // truncation, like PyTorch
    expect(i.sum().dtype).toBe('int32');
    expect(vals(i.sum())).toEqual([6]);
  });
  it('oneHot, comparisons and where with int tensors', () => {
    expect(vals(oneHot(tensor([2, 0], { dtype: 'int32' }), 3))).toEqual([0, 0, 1, 1, 0, 0]);
    const i = arange(4);
    expect(vals(i.gt(1))).toEqual([0, 0, 1, 1]);
    expect(i.gt(1).dtype).toBe('int32');
    expect(vals(where(i.lt(2), i, tensor(-1, { dtype: 'int32' })))).toEqual([0, 1, -1, -1]);
  });
});

describe('NumPy broadcasting semantics (values)', () => {
  it('[2,1] + [3] → outer sum', () => {
    expect(vals(add(tensor([[1], [2]]), tensor([10, 20, 30])))).toEqual([11, 21, 31, 12, 22, 32]);
  });
  it('[2,3] - [3] subtracts row-wise; [2,3] / [2,1] divides column-wise', () => {
    expect(vals(sub(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 2, 3])))).toEqual([0, 0, 0, 3, 3, 3]);
    expect(vals(div(tensor([[2, 4, 6], [3, 6, 9]]), tensor([[2], [3]])))).toEqual([1, 2, 3, 1, 2, 3]);
  });
  it('[3,1,2] * [2,1] → [3,2,2] as in numpy', () => {
    const a = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    const b = tensor([[10], [100]]);
    const c = mul(a, b);
    expect(c.shape).toEqual([3, 2, 2]);
    // numpy: (np.array([[[1,2]],[[3,4]],[[5,6]]]) * np.array([[10],[100]])).ravel()
    expect(vals(c)).toEqual([10, 20, 100, 200, 30, 40, 300, 400, 50, 60, 500, 600]);
  });
  it('0-d and scalars broadcast everywhere; maximum broadcasts too', () => {
    expect(vals(add(tensor([[1, 2], [3, 4]]), tensor(10)))).toEqual([11, 12, 13, 14]);
    expect(add(tensor(1), tensor(2)).shape).toEqual([]);
    expect(vals(maximum(tensor([[1, 5], [3, 2]]), tensor([2, 4])))).toEqual([2, 5, 3, 4]);
    expect(vals(sub(10, tensor([1, 2])))).toEqual([9, 8]);
    expect(vals(div(1, tensor([2, 4])))).toEqual([0.5, 0.25]);
  });
  it('matmul broadcasts batch dimensions ([2,1,2,2] @ [3,2,2] → [2,3,2,2])', () => {
    const a = tensor([[[[1, 0], [0, 1]]], [[[2, 0], [0, 2]]]]);             // identities ×1, ×2
    const b = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[0, 1], [1, 0]]]);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 2, 2]);
    const bv = vals(b);
    expect(vals(c)).toEqual([...bv, ...bv.map((v) => 2 * v)]);
  });
  it('sum over broadcast-expanded views and full()', () => {
    expect(vals(sum(full([2, 3], 1.5), 1))).toEqual([4.5, 4.5]);
    expect(vals(tensor([1, 2]).expand([3, 2]))).toEqual([1, 2, 1, 2, 1, 2]);
    expect(vals(slice(arange(10), [-3], [10]))).toEqual([7, 8, 9]);
    expect(vals(permute(tensor([[[1, 2], [3, 4]]]), [2, 0, 1]))).toEqual([1, 3, 2, 4]);
  });
});
