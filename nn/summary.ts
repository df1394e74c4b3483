// A Keras-style summary: one row per layer (its path, type, output shape and parameter count),
// then exact totals, found by running one dummy example through the model without a graph.

import { noGrad, tidy, zeros, type Tensor } from '../engine/index.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

export interface SummaryRow { name: string; type: string; outputShape: number[]; params: number }

export interface Summary {
  layers: SummaryRow[];
  /** Every parameter and buffer element (Keras counts BatchNorm's running statistics as non-trainable). */
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The table, ready to print. */
  table: string;
}

const count = (ts: Tensor[]) => ts.reduce((n, t) => n + t.size, 0);

/** A Sequential's layers one by one (nested Sequentials opened up); any other module is one row. */
function rows(m: Module, name: string, x: Tensor, out: SummaryRow[]): Tensor {
  if (m instanceof Sequential) {
    for (const [child, layer] of m.layers()) x = rows(layer, name ? `${name}.${child}` : child, x, out);
    return x;
  }
  const y = m.forward(x);
  out.push({ name, type: m.typeName, outputShape: [...y.shape], params: count(m.parameters()) + count(m.namedBuffers().map(([, b]) => b)) });
  return y;
}

/** inputShape excludes the batch axis, e.g. [1, 28, 28]; token models take int32 ids (`dtype`). The model runs in eval mode and is left as it was. */
export function summary(model: Module, inputShape: readonly number[], o: { dtype?: 'float32' | 'int32' } = {}): Summary {
  const layers: SummaryRow[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    tidy(() => noGrad(() => { rows(model, '', zeros([1, ...inputShape], { dtype: o.dtype }), layers); }));
  } finally {
    model.train(wasTraining);
  }
  const params = model.parameters();
  const trainableParams = count(params.filter((p) => p.requiresGrad));
  const totalParams = count(params) + count(model.namedBuffers().map(([, b]) => b));
  const s = { layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams };
  return { ...s, table: formatTable(s) };
}

const thousands = (n: number) => n.toLocaleString('en-US');

function formatTable(s: Omit<Summary, 'table'>): string {
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const body = s.layers.map((r) => [`${r.name} (${r.type})`, `[None, ${r.outputShape.slice(1).join(', ')}]`, thousands(r.params)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)) + 2);
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  const rule = (ch: string) => ch.repeat(w.reduce((a, b) => a + b, 0) + 4);
  return [
    rule('─'), line(head), rule('═'),
    ...body.map(line),
    rule('═'),
    `Total params: ${thousands(s.totalParams)}`,
    `Trainable params: ${thousands(s.trainableParams)}`,
    `Non-trainable params: ${thousands(s.nonTrainableParams)}`,
    rule('─'),
  ].join('\n');
}
