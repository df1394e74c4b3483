// Nearest-centroid classification on the engine: class means by a one-hot matmul, then the closest mean by distance.
import { noGrad, oneHot, tensor, tidy } from '../../engine/index.js';
import type { FeatureMatrix } from './features-table.js';

/** Fit class means on (train, trainLabels) and return the predicted class of every test row. */
export async function nearestCentroid(train: FeatureMatrix, trainLabels: Uint8Array, test: FeatureMatrix, numClasses: number): Promise<Int32Array> {
  if (train.dim !== test.dim) throw new RangeError(`nearestCentroid: train has ${train.dim} features but test has ${test.dim}`);
  const pred = noGrad(() => tidy(() => {
    const x = tensor(train.values, { shape: [train.count, train.dim] });
    const y = oneHot(tensor(Int32Array.from(trainLabels)), numClasses); // [n, C]
    const counts = y.sum(0).clamp(1).unsqueeze(1); // [C, 1]
    const centroids = y.t().matmul(x).div(counts); // [C, d]
    // argmin ‖x − c‖² = argmax (2 x·c − ‖c‖²): the ‖x‖² term is the same for every class.
    const xt = tensor(test.values, { shape: [test.count, test.dim] });
    const score = xt.matmul(centroids.t()).mul(2).sub(centroids.square().sum(1).unsqueeze(0));
    return score.argmax(1);
  }));
  const out = Int32Array.from(await pred.data());
  pred.dispose();
  return out;
}
