// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_), computed on the device: no read-back.

import { keep, noGrad, scalar, tidy, type Tensor } from '../../engine/index.js';

/** Scale every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm over all of them.
 *  Returns the norm before clipping (a 0-d tensor the caller owns). */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  const withGrad = [...params].filter((p) => p.grad);
  if (!withGrad.length) return scalar(0);
  return noGrad(() => {
    const norm = tidy(() => withGrad.map((p) => p.grad!.square().sum()).reduce((a, b) => a.add(b)).sqrt());
    tidy(() => {
      const coef = norm.add(1e-6).reciprocal().mul(maxNorm).clamp(undefined, 1);
      for (const p of withGrad) {
        const g = keep(p.grad!.mul(coef));
        p.grad!.dispose();
        p.grad = g;
      }
    });
    return norm;
  });
}
