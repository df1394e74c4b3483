// Every named architecture: importing this module registers them all.

import './classifiers.js';

export { registerModel, modelNames, modelSpec, modelConfig, buildModel, hasModel, type ModelSpec } from './registry.js';
export { restoreModel } from './restore.js';
export type { ClassifierConfig } from './classifiers.js';
