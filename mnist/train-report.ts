// What a training run leaves beside its checkpoint: history.json, loss and accuracy curves, and
// the confusion matrix of the latest test evaluation (SVG, numbers in the cells).

import { join } from 'node:path';
import { writeFileAtomic } from './fsutil.js';
import { lineChart, matrixHeatmap } from './svg.js';

export interface EpochRecord {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  lr: number;
  seconds: number;
  samples_per_second: number;
}

export function writeTrainReport(dir: string, history: EpochRecord[], confusion: number[][]): void {
  writeFileAtomic(join(dir, 'history.json'), JSON.stringify(history, null, 1) + '\n');
  const x = history.map((h) => h.epoch);
  const withVal = history.some((h) => h.val_loss !== undefined);
  const series = (key: 'loss' | 'accuracy') => [
    { name: 'train', x, y: history.map((h) => h[`train_${key}`]) },
    ...(withVal ? [{ name: 'validation', x, y: history.map((h) => h[`val_${key}`] ?? NaN) }] : []),
    { name: 'test', x, y: history.map((h) => h[`test_${key}`]) },
  ];
  writeFileAtomic(join(dir, 'loss.svg'), lineChart(series('loss'), { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy' }));
  writeFileAtomic(join(dir, 'accuracy.svg'), lineChart(series('accuracy'), { title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy' }));
  writeConfusionMatrix(join(dir, 'confusion.svg'), confusion);
}

export function writeConfusionMatrix(path: string, confusion: number[][]): void {
  writeFileAtomic(path, matrixHeatmap({ matrix: confusion }, { title: 'Confusion matrix (rows: true digit, columns: predicted)', xLabel: 'predicted', yLabel: 'true', width: 560, height: 560 }));
}
