// Initialisers: PyTorch's default bounds for Linear and Conv2d, and the spread of the explicit ones.
import { describe, expect, it } from 'vitest';
import { manualSeed, type Tensor } from '../engine/index.js';
import { Conv2d, init, Linear } from '../nn/index.js';

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  const v = t.dataSync();
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const x of v) { s += x; s2 += x * x; min = Math.min(min, x); max = Math.max(max, x); }
  const mean = s / v.length;
  return { min, max, mean, std: Math.sqrt(s2 / v.length - mean * mean) };
}

describe('init', () => {
  it('Linear: weight and bias uniform in ±1/√fan_in (kaiming_uniform with a = √5)', () => {
    manualSeed(0);
    const l = new Linear(1600, 64), bound = 1 / 40;
    const w = stats(l.weight), b = stats(l.bias!);
    expect(w.max).toBeLessThanOrEqual(bound); expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeGreaterThan(0.99 * bound); expect(w.min).toBeLessThan(-0.99 * bound);
    expect(w.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(Math.abs(w.mean)).toBeLessThan(2e-4);
    expect(b.max).toBeLessThanOrEqual(bound); expect(b.min).toBeGreaterThanOrEqual(-bound);
  });

  it('Conv2d: fan_in is in_channels × kernel area', () => {
    manualSeed(1);
    const c = new Conv2d(32, 64, 3), bound = 1 / Math.sqrt(32 * 9);
    const w = stats(c.weight);
    expect(w.max).toBeLessThanOrEqual(bound); expect(w.max).toBeGreaterThan(0.99 * bound);
    expect(stats(c.bias!).max).toBeLessThanOrEqual(bound);
  });

  it('kaimingNormal, xavierUniform and xavierNormal have the stated spread', () => {
    manualSeed(2);
    expect(stats(init.kaimingNormal([256, 512], { nonlinearity: 'relu' })).std).toBeCloseTo(Math.sqrt(2 / 512), 3);
    const xu = stats(init.xavierUniform([256, 512])), bound = Math.sqrt(6 / 768);
    expect(xu.max).toBeLessThanOrEqual(bound); expect(xu.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(stats(init.xavierNormal([256, 512])).std).toBeCloseTo(Math.sqrt(2 / 768), 3);
  });

  it('the same seed gives the same weights', () => {
    manualSeed(7); const a = new Linear(10, 5).weight.dataSync();
    manualSeed(7); const b = new Linear(10, 5).weight.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
