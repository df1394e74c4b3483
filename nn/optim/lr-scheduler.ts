// Learning-rate schedules, PyTorch's names: each is a closed-form factor of the initial lr at step
// t, so a resumed run restores one integer (lastEpoch) and composed schedules are just arithmetic.
// Every parameter group is scaled by the same factor from its own initial lr, so a backbone and a
// head keep their ratio through warm-up and decay.

import type { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  /** How many times step() has been called (PyTorch's last_epoch; count epochs or batches, as you step). */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer) {}

  /** Multiplier of the optimiser's initial lr at step t. */
  abstract factor(t: number): number;

  /** Apply the schedule at the current step (constructors of the outermost scheduler call this). */
  protected apply(): void {
    const f = this.factor(this.lastEpoch);
    for (const g of this.optimizer.groups) g.lr = g.initialLr * f;
  }

  step(): void { this.lastEpoch++; this.apply(); }
  getLastLr(): number { return this.optimizer.lr; }

  stateDict(): { lastEpoch: number } { return { lastEpoch: this.lastEpoch }; }
  loadStateDict(s: { lastEpoch: number }): void { this.lastEpoch = s.lastEpoch; this.apply(); }
}

/** lr · gamma^⌊t / stepSize⌋. */
export class StepLR extends LRScheduler {
  constructor(opt: Optimizer, readonly stepSize: number, readonly gamma = 0.1) { super(opt); this.apply(); }
  factor(t: number): number { return Math.pow(this.gamma, Math.floor(t / this.stepSize)); }
}

/** Half a cosine from lr down to etaMin over tMax steps, then etaMin. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: Optimizer, readonly tMax: number, readonly etaMin = 0) { super(opt); this.apply(); }
  factor(t: number): number {
    const base = this.optimizer.initialLr, floor = base > 0 ? this.etaMin / base : 0;
    return floor + ((1 - floor) * (1 + Math.cos((Math.PI * Math.min(t, this.tMax)) / this.tMax))) / 2;
  }
}

/** Linear ramp of the factor from startFactor to endFactor over totalIters steps (a warm-up). */
export class LinearLR extends LRScheduler {
  constructor(opt: Optimizer, readonly startFactor = 1 / 3, readonly endFactor = 1, readonly totalIters = 5) { super(opt); this.apply(); }
  factor(t: number): number {
    return this.startFactor + ((this.endFactor - this.startFactor) * Math.min(t, this.totalIters)) / this.totalIters;
  }
}

/** One schedule after another: schedulers[i] runs from milestones[i−1], its clock restarted at 0. */
export class SequentialLR extends LRScheduler {
  constructor(opt: Optimizer, readonly schedulers: LRScheduler[], readonly milestones: number[]) {
    super(opt);
    if (milestones.length !== schedulers.length - 1) throw new Error(`SequentialLR: ${schedulers.length} schedulers need ${schedulers.length - 1} milestones, got ${milestones.length}`);
    this.apply();
  }
  factor(t: number): number {
    let i = 0;
    while (i < this.milestones.length && t >= this.milestones[i]) i++;
    return this.schedulers[i].factor(t - (i ? this.milestones[i - 1] : 0));
  }
}

/** Several schedules at once: their factors multiply. */
export class ChainedScheduler extends LRScheduler {
  constructor(opt: Optimizer, readonly schedulers: LRScheduler[]) { super(opt); this.apply(); }
  factor(t: number): number { return this.schedulers.reduce((f, s) => f * s.factor(t), 1); }
}
