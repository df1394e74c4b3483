// Optimisers and schedules against PyTorch's update rules computed by hand (in float64, three steps).
import { describe, expect, it } from 'vitest';
import { tensor } from '../engine/index.js';
import { Adam, AdamW, ChainedScheduler, clipGradNorm, CosineAnnealingLR, LinearLR, SequentialLR, SGD, StepLR, type Optimizer } from '../nn/index.js';
import { Parameter } from '../nn/module.js';

const P0 = [1, -2, 0.5];
const GRADS = [[0.1, -0.3, 2], [-0.2, 0.4, 1], [0.05, 0, -1]];

/** Three steps with fixed gradients; returns the parameter's values. */
function run(make: (p: ReturnType<typeof Parameter>) => Optimizer): number[] {
  const p = Parameter(tensor(P0));
  const opt = make(p);
  for (const g of GRADS) {
    opt.zeroGrad();
    p.grad = tensor(g);
    opt.step();
  }
  return Array.from(p.dataSync());
}

const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));

describe('optimisers match PyTorch', () => {
  it('Adam with L2 weight decay', () => close(run((p) => new Adam([p], { lr: 0.1, weightDecay: 0.1 })), [0.8290411471342661, -1.8221640685289167, 0.26487265607467686]));
  it('AdamW (decoupled weight decay)', () => close(run((p) => new AdamW([p], { lr: 0.1, weightDecay: 0.1 })), [0.9222023219573281, -1.876703943423027, 0.2551831931851515]));
  it('SGD with momentum and weight decay', () => close(run((p) => new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 })), [1.000312789, -1.983563568, -0.1339428005]));
  it('SGD with Nesterov momentum', () => close(run((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })), [1.002305612551, -1.989324136512, -0.2703983212295]));
  it('plain SGD', () => close(run((p) => new SGD([p], { lr: 0.1 })), [1.005, -2.01, 0.3]));

  it('a saved state continues exactly like an uninterrupted optimiser', () => {
    const straight = run((p) => new Adam([p], { lr: 0.1 }));
    const p = Parameter(tensor(P0));
    let opt = new Adam([p], { lr: 0.1 });
    GRADS.forEach((g, i) => {
      if (i === 2) { const s = opt.stateDict(); const next = new Adam([p], { lr: 0.1 }); next.loadStateDict(s); opt.dispose(); opt = next; }
      p.grad = tensor(g);
      opt.step();
    });
    expect(Array.from(p.dataSync())).toEqual(straight);
  });
});

describe('schedules and clipping', () => {
  const opt = () => new SGD([Parameter(tensor([0]))], { lr: 1 });
  const lrs = (s: { step(): void; getLastLr(): number }, n: number) => [s.getLastLr(), ...Array.from({ length: n }, () => (s.step(), s.getLastLr()))];

  it('StepLR, CosineAnnealingLR and LinearLR follow their formulas', () => {
    expect(lrs(new StepLR(opt(), 2, 0.5), 4)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const cos = lrs(new CosineAnnealingLR(opt(), 4), 5);
    close(cos, [1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0, 0]);
    close(lrs(new LinearLR(opt(), 0.1, 1, 3), 4), [0.1, 0.4, 0.7, 1, 1]);
  });

  it('warm-up then cosine (SequentialLR), and factors multiply (ChainedScheduler)', () => {
    const o = opt();
    close(lrs(new SequentialLR(o, [new LinearLR(o, 0.5, 1, 2), new CosineAnnealingLR(o, 2)], [2]), 4), [0.5, 0.75, 1, 0.5, 0]);
    const o2 = opt();
    close(lrs(new ChainedScheduler(o2, [new StepLR(o2, 1, 0.5), new LinearLR(o2, 0.5, 1, 1)]), 2), [0.5, 0.5, 0.25]);
  });

  it('clipGradNorm scales every gradient by maxNorm / global norm', () => {
    const a = Parameter(tensor([3, 0])), b = Parameter(tensor([4]));
    a.grad = tensor([3, 0]); b.grad = tensor([4]);
    const norm = clipGradNorm([a, b], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    close(Array.from(a.grad!.dataSync()), [0.6, 0]);
    close(Array.from(b.grad!.dataSync()), [0.8]);
  });
});

describe('parameter groups', () => {
  it('each group steps at its own lr and weight decay, and schedules scale every group from its own initial lr', () => {
    const a = Parameter(tensor([1, 1])), b = Parameter(tensor([1, 1]));
    const opt = new SGD([{ params: [a], name: 'backbone', lr: 0.01 }, { params: [b], name: 'head', weightDecay: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1, 1]); b.grad = tensor([1, 1]);
    opt.step();
    // a: 1 − 0.01·1; b: 1 − 0.1·(1 + 0.5·1)
    close(Array.from(a.dataSync()), [0.99, 0.99]);
    close(Array.from(b.dataSync()), [0.85, 0.85]);
    const sched = new StepLR(opt, 1, 0.5);
    sched.step();
    close(opt.groups.map((g) => g.lr), [0.005, 0.05]);
  });

  it('Adam groups: the same update as two separate optimisers; the state keeps groups and refuses other ones', () => {
    const together = [Parameter(tensor(P0)), Parameter(tensor(P0))];
    const apart = [Parameter(tensor(P0)), Parameter(tensor(P0))];
    const opt = new Adam([{ params: [together[0]], lr: 0.1 }, { params: [together[1]], lr: 0.01, weightDecay: 0.1 }]);
    const o1 = new Adam([apart[0]], { lr: 0.1 }), o2 = new Adam([apart[1]], { lr: 0.01, weightDecay: 0.1 });
    for (const g of GRADS) {
      for (const p of [...together, ...apart]) p.grad = tensor(g);
      opt.step(); o1.step(); o2.step();
    }
    expect(Array.from(together[0].dataSync())).toEqual(Array.from(apart[0].dataSync()));
    expect(Array.from(together[1].dataSync())).toEqual(Array.from(apart[1].dataSync()));
    const s = opt.stateDict();
    expect(s.groups.map((g) => [g.size, g.lr, g.weightDecay])).toEqual([[1, 0.1, 0], [1, 0.01, 0.1]]);
    const same = new Adam([{ params: [together[0]] }, { params: [together[1]] }]);
    same.loadStateDict(s);
    expect(same.groups.map((g) => g.lr)).toEqual([0.1, 0.01]);
    expect(() => new Adam(together).loadStateDict(s)).toThrow(/parameter groups \[0:1, 1:1\] but this optimiser has \[0:2\]/);
  });

  it('a parameter in two groups is refused', () => {
    const p = Parameter(tensor([1]));
    expect(() => new SGD([{ params: [p] }, { params: [p] }], { lr: 1 })).toThrow(/more than one group/);
  });
});
