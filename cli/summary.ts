// `zerograd summary`: the Keras-style table of a registered model, or of the model in a checkpoint.

import { readBytes } from '../io/files.js';
import { buildModel, modelNames, modelSpec, restoreModel } from '../models/index.js';
import { summary, type AnyModule, type Module } from '../nn/index.js';
import { resolveCheckpoint } from '../mnist/classifier.js';
import type { Args, Command } from './args.js';
import { printJson, say } from './output.js';

export const command: Command = {
  name: 'summary',
  summary: 'a Keras-style table of a model',
  usage: '[--model cnn | --checkpoint F]',
  description: 'Prints each layer of a model with its output shape (for one example) and parameter count, then the totals: trainable parameters, and non-trainable ones (frozen weights and BatchNorm statistics).',
  flags: [
    { name: 'model', value: 'NAME', default: 'cnn', help: `a registered architecture: ${modelNames().join(', ')}` },
    { name: 'checkpoint', value: 'F', help: 'summarise the model a checkpoint holds (its card names the architecture)' },
  ],
  examples: ['zerograd summary --model cnn', 'zerograd summary --model mlp --json', 'zerograd summary --checkpoint runs/cnn'],
  run,
};

async function run(args: Args): Promise<number> {
  let model: AnyModule, name: string, inputShape: number[];
  const checkpoint = args.string('checkpoint');
  if (checkpoint) {
    const path = resolveCheckpoint(checkpoint);
    const r = restoreModel(readBytes(path, 'checkpoint'), path);
    [model, name, inputShape] = [r.model, r.card.architecture, r.card.input_shape];
  } else {
    name = args.choice('model', modelNames());
    modelSpec(name);
    const b = buildModel(name);
    [model, inputShape] = [b.model, b.inputShape];
  }
  const s = summary(model as Module, inputShape, { dtype: modelSpec(name).inputDtype });
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
