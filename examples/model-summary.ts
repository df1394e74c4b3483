// The parameter counts of the two CNNs, by hand and from the engine's summary (the seed's counts
// were wrong): a conv layer has out·in·k·k weights and out biases, a dense layer in·out and out.
// cnn-small has 347,146 parameters; cnn has 121,930.
//
//   npx tsx examples/model-summary.ts

import { buildModel } from '../models/index.js';
import { summary, type Module } from '../nn/index.js';

const conv = (i: number, o: number, k: number) => o * i * k * k + o;
const dense = (i: number, o: number) => i * o + o;
// 28 → conv 3×3 (valid) → 26 → max-pool 2 → 13 → conv 3×3 → 11 → max-pool 2 → 5.
const byHand: Record<string, [string, number][]> = {
  'cnn-small': [['conv1 1→32 3×3', conv(1, 32, 3)], ['fc1 13·13·32 = 5408 → 64', dense(13 * 13 * 32, 64)], ['fc2 64 → 10', dense(64, 10)]],
  cnn: [['conv1 1→32 3×3', conv(1, 32, 3)], ['conv2 32→64 3×3', conv(32, 64, 3)], ['fc1 5·5·64 = 1600 → 64', dense(5 * 5 * 64, 64)], ['fc2 64 → 10', dense(64, 10)]],
};
for (const name of ['cnn-small', 'cnn']) {
  const { model, inputShape } = buildModel(name);
  const s = summary(model as Module, inputShape);
  const rows = byHand[name];
  const total = rows.reduce((a, [, n]) => a + n, 0);
  console.log(`${name}:`);
  console.log(s.table);
  console.log(`by hand: ${rows.map(([what, n]) => `${what}: ${n.toLocaleString('en-US')}`).join('; ')}`);
  console.log(`${name} total: by hand ${total.toLocaleString('en-US')}, summary() ${s.totalParams.toLocaleString('en-US')}`);
  console.log('');
  model.dispose();
}
