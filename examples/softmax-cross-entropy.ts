// The gradient of softmax cross-entropy with respect to the logits is p − y: the predicted
// probabilities minus the one-hot label. (With the mean over a batch of N, (p − y)/N.)
//
//   npx tsx examples/softmax-cross-entropy.ts

import { oneHot, tensor } from '../engine/index.js';
import { crossEntropy } from '../nn/index.js';
import { show } from './show.js';

const logits = tensor([[2, 1, 0.1], [0.5, 2.5, -1]], { requiresGrad: true });
const labels = tensor(Int32Array.from([0, 2]));
const p = logits.softmax(1), y = oneHot(labels, 3);
console.log(`logits z = ${await show(logits)}, labels = [0, 2]`);
console.log(`p = softmax(z) = ${await show(p)}`);
console.log(`y = one-hot(labels) = ${await show(y)}`);
console.log(`p - y = ${await show(p.sub(y))}`);

crossEntropy(logits, labels, { reduction: 'sum' }).backward();
console.log(`dL/dz by backward(), L = sum of the two losses: ${await show(logits.grad!)}`);
logits.grad = null;
crossEntropy(logits, labels).backward();
console.log(`dL/dz by backward(), L = their mean: ${await show(logits.grad!)} = (p - y) / 2`);
