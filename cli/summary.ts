// `zerograd summary`: the Keras-style table of a named model.

import { INPUT_SHAPE, MODEL_NAMES, buildModel } from '../mnist/models.js';
import { summary } from '../nn/index.js';
import type { Args, Command } from './args.js';
import { printJson, say } from './output.js';

export const command: Command = {
  name: 'summary',
  summary: 'a Keras-style table of a model',
  usage: '[--model cnn]',
  description: 'Prints each layer of a model with its output shape (for one 1×28×28 image) and parameter count, then the totals.',
  flags: [{ name: 'model', value: MODEL_NAMES.join('|'), default: 'cnn', help: 'architecture' }],
  examples: ['zerograd summary --model cnn', 'zerograd summary --model mlp --json'],
  run,
};

async function run(args: Args): Promise<number> {
  const name = args.choice('model', MODEL_NAMES);
  const model = buildModel(name);
  const s = summary(model, INPUT_SHAPE);
  model.dispose();
  say(`model: ${name}`);
  say(s.table);
  if (args.flag('json')) {
    printJson({
      model: name,
      layers: s.layers.map((l) => ({ name: l.name, type: l.type, output_shape: [null, ...l.outputShape.slice(1)], params: l.params })),
      total_params: s.totalParams, trainable_params: s.trainableParams, non_trainable_params: s.nonTrainableParams,
    });
  }
  return 0;
}
