// A trained classifier back from its checkpoint, and the checks that keep it honest: its card must
// describe a classifier, and the images it is run on must be the dataset it was trained on (a
// Fashion-MNIST model is never silently scored on MNIST) and of the shape it takes.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, readBytes } from '../io/files.js';
import { restoreModel } from '../models/index.js';
import type { Module, ModelCard } from '../nn/index.js';
import type { DatasetInfo } from './classes.js';
import type { Stats } from './data.js';
import { cardStats } from './read-digit.js';

/** A checkpoint argument may name the weights file or the run folder that holds model.safetensors. */
export function resolveCheckpoint(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.safetensors') : path;
}

/** A classifier maps a batch of images to logits. */
export interface Classifier { model: Module; card: ModelCard; path: string; stats: Stats; classes: string[] }

export function loadClassifier(checkpoint: string): Classifier {
  const path = resolveCheckpoint(checkpoint);
  const { model, card } = restoreModel(readBytes(path, 'checkpoint (a model.safetensors from zerograd train, or its run folder)'), path);
  if (card.task !== 'classification') {
    model.dispose();
    throw new DataError(`${path}: holds a ${card.task} model (${card.architecture}), not a classifier`);
  }
  return { model: model as Module, card, path, stats: cardStats(card), classes: card.dataset?.classes ?? [] };
}

/** Refuse to run a classifier on another dataset than its own, or on images of another size. */
export function checkDataFits(c: Classifier, info: DatasetInfo, rows: number, cols: number, dataFlag = '--data-dir'): void {
  const trained = c.card.dataset;
  if (trained?.fingerprint && trained.fingerprint !== info.fingerprint) {
    throw new DataError(`${c.path}: was trained on ${trained.name}, but the test images are ${info.name}; `
      + `evaluating it there would be meaningless (point ${dataFlag} at the ${trained.name} files)`);
  }
  const [, h, w] = c.card.input_shape;
  if (h !== rows || w !== cols) throw new DataError(`${c.path}: takes ${h}×${w} images, but the data has ${rows}×${cols}`);
}
