// The engine, in a Web Worker: the page's main thread only draws. Here the backend is chosen
// (WebGPU through navigator.gpu, or the CPU backend's WebAssembly SIMD kernels, on two threads
// when the page is cross-origin isolated), the model is restored from its safetensors bytes, a
// drawing is read as `zerograd predict` reads a PNG, its saliency is taken through our autograd,
// and training runs the same loop and task as `zerograd train`, saving into memory.

import { initBackend } from '../engine/index.js';
import { saliency } from '../mnist/analyze/saliency.js';
import { ClassifyTask, DEFAULT_CONFIG } from '../mnist/classify.js';
import { imageDataFromIdx, type ImageData } from '../mnist/image-data.js';
import { readDigit } from '../mnist/read-digit.js';
import { restoreModel } from '../models/index.js';
import type { AnyModule, Module, ModelCard } from '../nn/index.js';
import { memoryStore, runLoop } from '../train/core.js';
import type { BackendKind, GrayImage, InitResult, Message, ModelInfo, PredictResult, Request, TrainResult, TrainSettings } from './protocol.js';

const scope = self as unknown as { postMessage(m: Message, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };
const post = (m: Message, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

// The weights in use as safetensors bytes: the model is rebuilt from them on a backend switch.
interface Weights { bytes: Uint8Array; origin: string; testCount: number }
let weights: Weights | null = null;
let current: { model: AnyModule; card: ModelCard; origin: string; testCount: number } | null = null;
let backend: BackendKind | null = null;
let stopRequested = false;
let data: Promise<ImageData> | null = null;
let base = self.location.href;

async function fetchBytes(path: string): Promise<Uint8Array> {
  const r = await fetch(new URL(path, base));
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  // Some hosts serve a .gz with Content-Encoding: gzip, so the browser has already undone it.
  if (!(path.endsWith('.gz') && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

/** The bundled MNIST subset (web/make-data.ts). */
async function loadData(): Promise<ImageData> {
  const dir = 'data/';
  const [meta, trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    fetchBytes(`${dir}dataset.json`).then((b) => JSON.parse(new TextDecoder().decode(b))),
    ...['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => fetchBytes(dir + f)),
  ]);
  return imageDataFromIdx({ trainImages, trainLabels, testImages, testLabels }, meta, meta.stats, dir);
}

const paramCount = (m: AnyModule) => m.parameters().reduce((n, p) => n + p.size, 0);

function info(): ModelInfo {
  const { model, card, origin, testCount } = current!;
  return { architecture: card.architecture, origin, params: paramCount(model), testAccuracy: card.metrics?.test_accuracy, testCount };
}

/** Rebuild the model in use from its bytes on the current backend (after a switch, or new weights). */
function useWeights(w: Weights): void {
  const restored = restoreModel(w.bytes, w.origin);
  current?.model.dispose();
  current = { ...restored, origin: w.origin, testCount: w.testCount };
  current.model.eval();
  weights = w;
}

async function init(kind: BackendKind, page: string): Promise<InitResult> {
  const t0 = performance.now();
  base = page;
  const chosen = await initBackend(kind);
  backend = kind;
  useWeights(weights ?? { bytes: await fetchBytes('models/cnn.safetensors'), origin: 'models/cnn.safetensors (shipped)', testCount: 10_000 });
  return { backend: kind, description: chosen.description, model: info(), ms: performance.now() - t0 };
}

async function predict(image: GrayImage): Promise<PredictResult> {
  if (!current) throw new Error('predict: no model yet (init first)');
  const t0 = performance.now();
  const model = current.model as Module;
  const r = await readDigit(model, current.card, image);
  const grad = await saliency(model, r.input, Int32Array.of(r.prediction), current.card.input_shape, r.probabilities.length);
  return { digit: r.digit, probabilities: r.probabilities, prediction: r.prediction, saliency: grad, ms: performance.now() - t0 };
}

async function train(s: TrainSettings): Promise<TrainResult> {
  data ??= loadData();
  const images = await data;
  stopRequested = false;
  const config = { ...DEFAULT_CONFIG, model: s.model, epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, seed: s.seed };
  const store = memoryStore();
  const r = await runLoop(() => new ClassifyTask(config, images), {
    epochs: s.epochs, seed: s.seed, progressEvery: 1,
    hooks: {
      onProgress: (p) => post({ event: 'progress', epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, loss: p.metrics.loss, accuracy: p.metrics.accuracy, samplesPerSecond: p.samplesPerSecond }),
      onEpoch: (record) => post({ event: 'epoch', record }),
      shouldStop: () => stopRequested,
    },
  }, store);
  const bytes = store.files.get('model.safetensors');
  if (!(bytes instanceof Uint8Array)) throw new Error('train: stopped before a single step; nothing was saved');
  const epochs = `${r.history.length} epoch${r.history.length === 1 ? '' : 's'}${r.stopped ? ', stopped' : ''}`;
  useWeights({ bytes, origin: `${s.model} trained in this page (${epochs} on ${images.train.count} images, ${backend})`, testCount: images.test.count });
  return { stopped: r.stopped, history: r.history, model: info(), weights: bytes, seconds: r.seconds, samplesPerSecond: r.samplesPerSecond };
}

// One request at a time, except 'stop', which must reach a training run between its steps.
let queue: Promise<unknown> = Promise.resolve();
scope.onmessage = (e: MessageEvent<{ id: number; request: Request }>) => {
  const { id, request: q } = e.data;
  if (q.type === 'stop') { stopRequested = true; post({ id, ok: true, result: null }); return; }
  queue = queue.then(async () => {
    try {
      const result = q.type === 'init' ? await init(q.backend, q.base) : q.type === 'predict' ? await predict(q.image) : await train(q.settings);
      post({ id, ok: true, result });
    } catch (err) {
      post({ id, ok: false, error: (err as Error).message ?? String(err) });
    }
  });
};
