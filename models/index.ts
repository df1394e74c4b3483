// Every named architecture: importing this module registers them all.

import './classifiers.js';
import './transformer.js';
import './vit.js';
import './gpt.js';
import './dcgan.js';
import './mobilenetv2.js';

export { registerModel, modelNames, modelSpec, modelConfig, buildModel, hasModel, type ModelSpec } from './registry.js';
export { restoreModel } from './restore.js';
export type { ClassifierConfig } from './classifiers.js';
export { VisionTransformer, type VitConfig } from './vit.js';
export { Seq2SeqTransformer, SEQ2SEQ_DEFAULTS, type Seq2SeqConfig } from './transformer.js';
export { GPT, GPT_DEFAULTS, type GptConfig } from './gpt.js';
export { ConditionalGenerator, ConditionalDiscriminator, GENERATOR_DEFAULTS, DISCRIMINATOR_DEFAULTS, type GanModule, type GeneratorConfig, type DiscriminatorConfig } from './dcgan.js';
export { mobilenetV2Features, featureChannels, MOBILENET_BLOCKS, MOBILENET_SIZE, InvertedResidual, type MobileNetV2Config } from './mobilenetv2.js';
