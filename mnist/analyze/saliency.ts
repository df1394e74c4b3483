// Saliency maps: the gradient of a class score with respect to the input pixels, taken through our autograd.
import { oneHot, tensor, tidy } from '../../engine/index.js';
import type { Module } from '../../nn/index.js';

/**
 * ∂ logit[target] / ∂ pixel for each image (n × size, row-major), the model in eval mode.
 * Parameter gradients that the backward pass also accumulates are dropped afterwards.
 */
export async function saliency(model: Module, images: Float32Array, targets: Int32Array, shape: readonly number[], numClasses: number): Promise<Float32Array> {
  const n = targets.length;
  const wasTraining = model.training;
  model.eval();
  const x = tensor(images, { shape: [n, ...shape], requiresGrad: true });
  try {
    tidy(() => {
      const logits = model.forward(x);
      logits.mul(oneHot(tensor(targets), numClasses)).sum().backward();
    });
    if (!x.grad) throw new Error('saliency: the input received no gradient');
    return Float32Array.from(await x.grad.data());
  } finally {
    x.grad?.dispose();
    x.dispose();
    model.zeroGrad();
    model.train(wasTraining);
  }
}
