// Fused, in-place optimiser updates (PyTorch's update rules, step by step).

import type { AdamHyper, SgdHyper } from '../backend.js';
import type { FloatArray } from './storage.js';

export function adamStepInPlace(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamHyper): void {
  const bc1 = 1 - Math.pow(h.beta1, h.step), bc2 = 1 - Math.pow(h.beta2, h.step);
  const decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
  const l2 = h.decoupled ? 0 : h.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + l2 * p[i];
    const mi = (m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi);
    const vi = (v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi);
    p[i] = p[i] * decay - (h.lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + h.eps);
  }
}

export function sgdStepInPlace(p: FloatArray, g: FloatArray, buf: FloatArray | null, h: SgdHyper): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i] + h.weightDecay * p[i];
    if (buf) {
      buf[i] = h.first ? d : h.momentum * buf[i] + (1 - h.dampening) * d;
      d = h.nesterov ? d + h.momentum * buf[i] : buf[i];
    }
    p[i] -= h.lr * d;
  }
}
