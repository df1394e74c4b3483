// The tfjs LayersModel importer: a tfjs model built here (conv, depthwise conv, batch norm with
// non-trivial statistics, pooling, flatten, dense), saved through tf.io.withSaveHandler to a
// model.json and a weights file, loaded into zerograd from those files: the same outputs to 1e-5
// on the same images (NHWC there, NCHW here). An unsupported layer is refused by name and class.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noGrad, tensor } from '../engine/index.js';
import { importTfjsLayersModel, type TfjsModelJson } from '../nn/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zerograd-tfjs-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Save as tfjs's file format: model.json (topology + manifest) and weights.bin. */
async function saveToFiles(model: tf.LayersModel, name: string): Promise<string> {
  const folder = join(dir, name);
  await model.save(tf.io.withSaveHandler(async (a) => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(join(folder, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return folder;
}

function loadFromFiles(folder: string) {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as TfjsModelJson;
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(join(folder, p)))));
  return importTfjsLayersModel(json, shards);
}

describe('tfjs LayersModel import', () => {
  it('conv, depthwise, batch norm, pooling, dense: the same outputs to 1e-5', async () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', name: 'dw' }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.reLU({ maxValue: 6, name: 'r6' }),
      tf.layers.conv2d({ filters: 5, kernelSize: 1, useBias: false, name: 'pw' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dropout({ rate: 0.3, name: 'drop' }),
      tf.layers.dense({ units: 7, activation: 'tanh', name: 'fc' }),
      tf.layers.dense({ units: 3, name: 'out' }),
    ] });
    // BatchNorm's moving statistics away from 0 and 1, so a mix-up of mean and variance shows.
    const bn = m.getLayer('bn');
    const [gamma, beta, mean, variance] = bn.getWeights();
    bn.setWeights([tf.randomUniform(gamma.shape, 0.5, 1.5, 'float32', 1), tf.randomNormal(beta.shape, 0, 1, 'float32', 2),
      tf.randomNormal(mean.shape, 0, 1, 'float32', 3), tf.randomUniform(variance.shape, 0.5, 2, 'float32', 4)]);
    void mean; void variance;
    const folder = await saveToFiles(m, 'small');
    const { model, inputShape } = loadFromFiles(folder);
    expect(inputShape).toEqual([2, 12, 12]);
    const x = tf.randomNormal([3, 12, 12, 2], 0, 1, 'float32', 5);
    const want = (m.predict(x) as tf.Tensor).dataSync();
    model.eval();
    const xNchw = tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array;
    const got = await noGrad(() => model.forward(tensor(xNchw, { shape: [3, 2, 12, 12] }))).data();
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i]), `output ${i}: ${got[i]} vs tfjs ${want[i]}`).toBeLessThan(1e-5);
  });

  it('refuses an unsupported layer, naming it and its class', async () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'c1' }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'up' }),
    ] });
    const folder = await saveToFiles(m, 'unsupported');
    expect(() => loadFromFiles(folder)).toThrow(/layer 'up' of class Conv2DTranspose is not supported/);
  });
});
