// zerograd's neural-network library: modules, layers, functional ops, initialisers, optimisers, schedules, summary, safetensors and model cards.

export { Module, Parameter, isParameter, type StateDict, type AnyModule, type LoadOptions, type LoadResult, type ForwardHook, type HookHandle } from './module.js';
export { Sequential } from './sequential.js';
export { ModuleList } from './module-list.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, ConvTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, GlobalAvgPool2d } from './pooling.js';
export { Flatten, Unflatten } from './flatten.js';
export { Upsample } from './upsample.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions } from './normalization.js';
export { Embedding } from './embedding.js';
export { MultiheadAttention, KVCache, type MultiheadAttentionOptions, type AttentionCall } from './attention.js';
export { SinusoidalPositionalEmbedding, LearnedPositionalEmbedding, sinusoidTable } from './positional.js';
export {
  FeedForward, TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, DecoderCache,
  type TransformerLayerOptions, type EncoderLayerCall, type DecoderLayerCall, type DecoderLayerCache, type DecoderCall, type StackOptions,
} from './transformer.js';
export { ReLU, ReLU6, LeakyReLU, GELU, Tanh, Sigmoid, ELU } from './activation.js';
export * as init from './init.js';
export { Optimizer, type OptimizerState, type ParamState, type Hyper, type ParamGroup, type ParamGroupSpec, type GroupState } from './optim/optimizer.js';
export { SGD, type SgdOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { LRScheduler, StepLR, CosineAnnealingLR, LinearLR, SequentialLR, ChainedScheduler } from './optim/lr-scheduler.js';
export { clipGradNorm } from './optim/clip.js';
export { summary, type Summary, type SummaryRow } from './summary.js';
export {
  encodeSafetensors, decodeSafetensors, saveSafetensors, loadSafetensors, SafetensorsError,
  type HostTensor, type SafeDType, type SafetensorsFile,
} from './io/safetensors.js';
export { importTfjsLayersModel, TfjsImportError, type TfjsModelJson } from './io/tfjs-layers.js';
export { cardMetadata, readCard, CARD_KEY, CheckpointError, type ModelCard, type ModelConfig, type DatasetCard } from './io/card.js';
export * from './functional/index.js';
export * as F from './functional/index.js';
export { LoRALinear, LoRAAdapters, applyLoRA, mergeLoRA, type LoRAOptions, type LoRATargets } from './lora.js';
