// Composite ops that models use, built from the engine's primitives (PyTorch's torch.nn.functional):
// losses, normalisation, dropout, attention, resizing. Their gradients come from autograd.

export { crossEntropy, nllLoss, mseLoss, binaryCrossEntropy, bceWithLogits, type Reduction, type CrossEntropyOptions } from './loss.js';
export { batchNorm, layerNorm, type BatchNormOptions, type RunningStats } from './normalization.js';
export { dropout } from './dropout.js';
export { interpolate, adaptiveAvgPool2d, type InterpolateOptions } from './resize.js';
export { scaledDotProductAttention, attention, attentionWeights, causalMask, paddingMask, combineMasks, type AttentionOptions } from './attention.js';
