// A model back from its weights file: the card names the architecture and its config, the
// registry builds it, and the weights are loaded strictly. Bytes in, so this stays free of files.

import { tensor, type Tensor } from '../engine/index.js';
import { CheckpointError, decodeSafetensors, readCard, SafetensorsError, type AnyModule, type ModelCard } from '../nn/index.js';
import { hasModel, modelConfig, modelNames, modelSpec } from './registry.js';

/** `where` (the file's path) prefixes every error. Non-finite weights are refused, naming the tensor. */
export function restoreModel(bytes: Uint8Array, where: string): { model: AnyModule; card: ModelCard } {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(`${where}: ${e.message}`);
    throw e;
  }
  const card = readCard(file.metadata, where);
  if (!hasModel(card.architecture)) {
    throw new CheckpointError(`${where}: the card names architecture '${card.architecture}', which this zerograd does not have (known: ${modelNames().join(', ')})`);
  }
  const spec = modelSpec(card.architecture);
  let config;
  try {
    config = modelConfig(card.architecture, card.config);
    // A card is input like any other: its config must make a model of sane size before anything is allocated.
    spec.check?.(config);
  } catch (e) {
    throw new CheckpointError(`${where}: the model card's config: ${(e as Error).message}`);
  }
  const shape = spec.inputShape(config);
  if (shape.join() !== card.input_shape.join()) {
    throw new CheckpointError(`${where}: the model card's input_shape [${card.input_shape.join(', ')}] does not match its config's [${shape.join(', ')}]`);
  }
  for (const [name, t] of file.tensors) {
    if (t.dtype === 'F32' && !t.data.every(Number.isFinite)) {
      throw new CheckpointError(`${where}: tensor '${name}' holds NaN or infinite values; the weights are damaged (or the run diverged before this save)`);
    }
  }
  const model = spec.build(config);
  const state = new Map<string, Tensor>();
  try {
    for (const [name, t] of file.tensors) state.set(name, tensor(t.data, { shape: t.shape }));
    model.loadStateDict(state);
  } catch (e) {
    model.dispose();
    throw new CheckpointError(`${where}: ${(e as Error).message.replace(/^loadStateDict: /, '')}`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
  return { model, card };
}
