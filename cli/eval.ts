// `zerograd eval`: a checkpoint's test-set accuracy, loss and confusion matrix.

import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import { checkDataFits, loadClassifier } from '../mnist/classifier.js';
import { confusionSvg } from '../mnist/classify.js';
import { allImages, loadTestData } from '../mnist/data.js';
import { evaluate } from '../mnist/evaluate.js';
import { UsageError, type Args, type Command } from './args.js';
import { BACKEND_FLAG, pickBackend } from './backend.js';
import { percent, printJson, say } from './output.js';
import { formatMetric, ProgressBar } from './progress.js';

export const command: Command = {
  name: 'eval',
  summary: 'test-set metrics of a checkpoint',
  usage: '--checkpoint F',
  description: 'Evaluates a saved classifier on its dataset\'s test set: accuracy, mean cross-entropy and the confusion matrix (rows: true class, columns: predicted). The checkpoint\'s model card says which architecture, dataset and normalisation it needs; evaluating it on another dataset is refused.',
  flags: [
    { name: 'checkpoint', value: 'F', help: 'the model.safetensors that zerograd train wrote, or its run folder (required)' },
    { name: 'test-limit', value: 'N', help: 'evaluate on the first N test images only (default: all)' },
    { name: 'data-dir', value: 'DIR', help: 'folder with the IDX files (default: the bundled MNIST)' },
    { name: 'out', value: 'DIR', help: 'also write the confusion matrix as DIR/confusion.svg' },
    BACKEND_FLAG,
  ],
  examples: ['zerograd eval --checkpoint runs/cnn/model.safetensors', 'zerograd eval --checkpoint runs/cnn --json'],
  run,
};

async function run(args: Args): Promise<number> {
  const path = args.string('checkpoint');
  if (!path) throw new UsageError('--checkpoint F is required');
  const testLimit = args.number('test-limit', { integer: true, min: 1 });
  const backend = await pickBackend(args);
  const c = loadClassifier(path);
  try {
    const { test, info } = loadTestData({ dataDir: args.string('data-dir'), testLimit });
    checkDataFits(c, info, test.rows, test.cols);
    const bar = new ProgressBar();
    const ev = await evaluate(c.model, allImages(test, c.stats), test.labels, c.card.input_shape, test.numClasses,
      { onProgress: (done, total) => bar.count(`evaluating on the ${info.name} test images`, done, total) });
    bar.done();
    const name = c.card.architecture;
    say(`${name} from ${c.path} on ${ev.count} ${info.name} test images: accuracy ${percent(ev.accuracy)}, loss ${formatMetric('loss', ev.loss)}`);
    say('confusion matrix (rows: true class, columns: predicted)');
    const w = Math.max(4, ...ev.confusion.flat().map((v) => String(v).length + 1));
    say('     ' + ev.confusion.map((_, j) => String(j).padStart(w)).join(''));
    ev.confusion.forEach((row, i) => say(`  ${String(i).padStart(2)} ` + row.map((v) => String(v).padStart(w)).join('') + (info.digits ? '' : `  ${c.classes[i] ?? ''}`)));
    const out = args.string('out');
    if (out) writeFileAtomic(join(out, 'confusion.svg'), confusionSvg(ev.confusion, c.classes));
    if (args.flag('json')) printJson({ test_accuracy: ev.accuracy, test_loss: ev.loss, confusion_matrix: ev.confusion, count: ev.count, model: name, dataset: info.name, backend });
    return 0;
  } finally {
    c.model.dispose();
  }
}
