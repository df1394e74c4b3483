// `zerograd eval`: a checkpoint's test-set accuracy, loss and confusion matrix.

import { join } from 'node:path';
import { loadModel } from '../mnist/checkpoint.js';
import { evaluate } from '../mnist/evaluate.js';
import { INPUT_SHAPE } from '../mnist/models.js';
import { allImages } from '../mnist/train-data.js';
import { writeConfusionMatrix } from '../mnist/train-report.js';
import { loadMnist } from '../mnist/idx.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, printJson, say } from './output.js';

export const command: Command = {
  name: 'eval',
  summary: 'test-set metrics of a checkpoint',
  usage: '--checkpoint F',
  description: 'Evaluates a saved model on the MNIST test set: accuracy, mean cross-entropy and the confusion matrix (rows: true digit, columns: predicted).',
  flags: [
    { name: 'checkpoint', value: 'F', help: 'the model.safetensors that zerograd train wrote (required)' },
    { name: 'test-limit', value: 'N', help: 'evaluate on the first N test images only (default: all 10,000)' },
    { name: 'data-dir', value: 'DIR', help: 'folder with the IDX files (default: the bundled MNIST)' },
    { name: 'out', value: 'DIR', help: 'also write the confusion matrix as DIR/confusion.svg' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd eval --checkpoint runs/cnn/model.safetensors', 'zerograd eval --checkpoint runs/cnn/model.safetensors --json'],
  run,
};

async function run(args: Args): Promise<number> {
  const path = args.string('checkpoint');
  if (!path) throw new UsageError('--checkpoint F is required');
  const testLimit = args.number('test-limit', { integer: true, min: 1 });
  const backend = await pickBackend(args);
  const test = loadMnist({ dataDir: args.string('data-dir'), split: 'test', limit: testLimit });
  const { model, modelName } = loadModel(path);
  const ev = await evaluate(model, allImages(test), test.labels, INPUT_SHAPE, test.numClasses);
  model.dispose();
  say(`${modelName} from ${path} on ${ev.count} test images: accuracy ${percent(ev.accuracy)}, loss ${ev.loss.toFixed(4)}`);
  say('confusion matrix (rows: true digit, columns: predicted)');
  const w = Math.max(4, ...ev.confusion.flat().map((v) => String(v).length + 1));
  say('     ' + ev.confusion.map((_, j) => String(j).padStart(w)).join(''));
  ev.confusion.forEach((row, i) => say(`  ${String(i).padStart(2)} ` + row.map((v) => String(v).padStart(w)).join('')));
  const out = args.string('out');
  if (out) writeConfusionMatrix(join(out, 'confusion.svg'), ev.confusion);
  if (args.flag('json')) printJson({ test_accuracy: ev.accuracy, test_loss: ev.loss, confusion_matrix: ev.confusion, count: ev.count, model: modelName, backend });
  return 0;
}
