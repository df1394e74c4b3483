// A linear probe: softmax regression trained with our autograd and Adam, to measure how linearly separable a feature set is.
import { manualSeed, noGrad, tensor, tidy } from '../../engine/index.js';
import { crossEntropy, Adam, Linear } from '../../nn/index.js';
import { batches } from '../../train/order.js';
import { gather } from '../dataset.js';
import { columnMoments, type FeatureMatrix, standardise } from './features-table.js';

export interface ProbeOptions {
  epochs?: number; // default 8
  batchSize?: number; // default 128
  lr?: number; // Adam learning rate, default 0.01
  weightDecay?: number; // L2 on the weights, default 1e-4
  seed?: number;
}

export interface ProbeResult {
  predictions: Int32Array; // on the test rows
  trainLoss: number; // mean cross-entropy of the last epoch
}

/** Standardise with the training moments, fit a Linear(dim, C) by mini-batch Adam on cross-entropy, predict the test rows. */
export async function linearProbe(train: FeatureMatrix, trainLabels: Uint8Array, test: FeatureMatrix, numClasses: number, o: ProbeOptions = {}): Promise<ProbeResult> {
  const { epochs = 8, batchSize = 128, lr = 0.01, weightDecay = 1e-4, seed = 0 } = o;
  const moments = columnMoments(train);
  const xs = standardise(train, moments);
  const xt = standardise(test, moments);
  manualSeed(seed);
  const model = new Linear(train.dim, numClasses);
  const opt = new Adam(model.parameters(), { lr, weightDecay });
  let trainLoss = NaN;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let sum = 0;
      for (const idx of batches(train.count, batchSize, { seed: seed + epoch })) {
        const loss = tidy(() => {
          const x = tensor(gather(xs.values, idx, train.dim), { shape: [idx.length, train.dim] });
          const y = tensor(Int32Array.from(gather(trainLabels, idx, 1)));
          const l = crossEntropy(model.forward(x), y, { reduction: 'sum' });
          l.div(idx.length).backward();
          opt.step();
          opt.zeroGrad();
          return l.detach();
        });
        sum += (await loss.data())[0];
        loss.dispose();
      }
      trainLoss = sum / train.count;
    }
    const pred = noGrad(() => tidy(() => model.forward(tensor(xt.values, { shape: [test.count, test.dim] })).argmax(1)));
    const predictions = Int32Array.from(await pred.data());
    pred.dispose();
    return { predictions, trainLoss };
  } finally {
    for (const st of Object.values(opt.stateDict().state)) for (const t of Object.values(st.buffers)) t.dispose();
    model.dispose();
  }
}
