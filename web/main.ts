// The page: a drawing pad, what the model makes of the drawing (probabilities, the 28×28 input it
// sees, a saliency map), a backend switch and in-page training. All the computing happens in
// engine-worker.ts; this thread draws, with the same SVG charts and colour maps as the reports.

import { heatmap, grayscale, type Raster } from '../viz/png.js';
import { barChart, lineChart } from '../viz/svg.js';
import type { BackendKind, GrayImage, InitResult, Message, ModelInfo, Request, Results, TrainSettings } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>('pad'), ctx = pad.getContext('2d', { willReadFrequently: true })!;
const body = document.body;

// ---- the engine worker ----------------------------------------------------------------------

const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
let nextId = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
const listeners: Array<(m: Message) => void> = [];

worker.onmessage = (e: MessageEvent<Message>) => {
  const m = e.data;
  if ('event' in m) { for (const l of listeners) l(m); return; }
  const p = pending.get(m.id);
  pending.delete(m.id);
  if (m.ok) p?.resolve(m.result); else p?.reject(new Error(m.error));
};
worker.onerror = (e) => fail(`the engine worker failed: ${e.message}`);

function call<K extends Request['type']>(request: Extract<Request, { type: K }>): Promise<Results[K]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ id, request });
  });
}

function fail(message: string): void {
  body.dataset.state = 'error';
  $('backend').textContent = message;
  console.error(message);
}

// ---- drawing --------------------------------------------------------------------------------

let inked = false, drawing = false, last: [number, number] | null = null;
/** Bumped on every change of the pad (and on a new model); a prediction names the version it read. */
let version = 0;
const bump = () => { pad.dataset.version = String(++version); };

function clearPad(): void {
  ctx.fillStyle = 'black';
  ctx.fillRect(0, 0, pad.width, pad.height);
  inked = false;
  bump();
  showBlank();
}

const at = (e: PointerEvent): [number, number] => {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)];
};

function stroke(to: [number, number]): void {
  ctx.strokeStyle = 'white';
  ctx.lineWidth = 20;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(...(last ?? to));
  ctx.lineTo(...to);
  ctx.stroke();
  last = to;
  inked = true;
  bump();
  void schedule();
}

pad.addEventListener('pointerdown', (e) => { drawing = true; last = null; pad.setPointerCapture(e.pointerId); stroke(at(e)); });
pad.addEventListener('pointermove', (e) => { if (drawing) stroke(at(e)); });
for (const end of ['pointerup', 'pointercancel'] as const) pad.addEventListener(end, () => { drawing = false; last = null; });
$('clear').addEventListener('click', clearPad);

function padImage(): GrayImage {
  const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
  const data = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i] / 255;
  return { data, width: pad.width, height: pad.height };
}

// ---- reading the drawing --------------------------------------------------------------------

let ready = false, predicting = false;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function paint(canvas: HTMLCanvasElement, r: Raster): void {
  const img = new ImageData(r.width, r.height);
  for (let i = 0; i < r.width * r.height; i++) {
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = r.data[i * r.channels + (r.channels === 3 ? c : 0)];
    img.data[4 * i + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

function bars(p: ArrayLike<number>): void {
  $('bars').innerHTML = barChart({ categories: DIGITS, series: [{ name: 'probability', values: Array.from(p, (v) => Number(v.toFixed(4))) }] },
    { width: 560, height: 220, yLabel: 'probability', xLabel: 'digit' });
}

function showBlank(): void {
  const out = $('prediction');
  out.textContent = '';
  out.dataset.digit = '';
  out.dataset.version = String(version);
  bars(new Array(10).fill(0));
  for (const id of ['seen', 'saliency']) paint($<HTMLCanvasElement>(id), grayscale(new Float32Array(784), 28, 28));
}

async function schedule(): Promise<void> {
  if (predicting || !ready || !inked) return;
  predicting = true;
  const v = version;
  try {
    const r = await call({ type: 'predict', image: padImage() });
    if (inked) {
      const out = $('prediction');
      out.textContent = String(r.prediction);
      out.dataset.digit = String(r.prediction);
      out.dataset.probabilities = JSON.stringify(Array.from(r.probabilities));
      out.dataset.version = String(v);
      bars(r.probabilities);
      paint($<HTMLCanvasElement>('seen'), grayscale(r.digit, 28, 28));
      paint($<HTMLCanvasElement>('saliency'), heatmap(r.saliency.map(Math.abs), 28, 28, { map: 'viridis' }));
      $('timing').textContent = `prediction and saliency in ${r.ms.toFixed(0)} ms`;
    }
  } catch (e) {
    fail(`predict: ${(e as Error).message}`);
  } finally {
    predicting = false;
    if (version !== v) void schedule();
  }
}

// ---- the backend switch ---------------------------------------------------------------------

const radios = Array.from(document.querySelectorAll<HTMLInputElement>('input[name=backend]'));

function describeModel(m: ModelInfo): string {
  const acc = m.testAccuracy === undefined ? '' : ` — test accuracy ${(100 * m.testAccuracy).toFixed(2)} % on ${m.testCount?.toLocaleString('en') ?? '?'} images`;
  return `model: ${m.architecture}, ${m.params.toLocaleString('en')} parameters, ${m.origin}${acc}`;
}

async function useBackend(kind: BackendKind): Promise<InitResult | null> {
  body.dataset.state = 'loading';
  ready = false;
  for (const r of radios) { r.disabled = true; r.checked = r.value === kind; }
  $('backend').textContent = `starting ${kind}…`;
  try {
    const r = await call({ type: 'init', backend: kind, base: document.baseURI });
    $('backend').textContent = r.description;
    $('backend').dataset.kind = r.backend;
    $('model-line').textContent = describeModel(r.model);
    body.dataset.state = 'ready';
    ready = true;
    bump();
    void schedule();
    return r;
  } catch (e) {
    fail(`${kind}: ${(e as Error).message}`);
    return null;
  } finally {
    for (const r of radios) r.disabled = false;
  }
}

for (const r of radios) r.addEventListener('change', () => { if (r.checked) void useBackend(r.value as BackendKind); });

// ---- training -------------------------------------------------------------------------------

const points = { step: [] as number[], loss: [] as number[], accuracy: [] as number[], testStep: [] as number[], testAccuracy: [] as number[] };

function drawTraining(): void {
  const loss = lineChart([{ name: 'train', x: points.step, y: points.loss }], { title: 'Loss (train: running mean over the epoch)', xLabel: 'step', yLabel: 'cross-entropy', width: 500, height: 260 });
  const acc = lineChart([{ name: 'train', x: points.step, y: points.accuracy }, { name: 'test', x: points.testStep, y: points.testAccuracy }],
    { title: 'Accuracy (test: 500 images, each epoch)', xLabel: 'step', yLabel: 'accuracy', width: 500, height: 260 });
  $('train-chart').innerHTML = loss + acc;
}

listeners.push((m) => {
  const status = $('train-status');
  if ('event' in m && m.event === 'progress') {
    const step = (m.epoch - 1) * m.steps + m.step;
    points.step.push(step); points.loss.push(m.loss); points.accuracy.push(m.accuracy);
    status.textContent = `epoch ${m.epoch}/${m.epochs}, step ${m.step}/${m.steps}: loss ${m.loss.toFixed(4)}, accuracy ${(100 * m.accuracy).toFixed(1)} %, ${m.samplesPerSecond.toFixed(0)} samples/s`;
    status.dataset.firstLoss ??= String(m.loss);
    status.dataset.lastLoss = String(m.loss);
    status.dataset.steps = String(step);
    drawTraining();
  } else if ('event' in m && m.event === 'epoch') {
    points.testStep.push(points.step[points.step.length - 1] ?? 0);
    points.testAccuracy.push(m.record.test_accuracy);
    drawTraining();
  }
});

$('train').addEventListener('click', async () => {
  const settings: TrainSettings = {
    model: $<HTMLSelectElement>('train-model').value as 'mlp' | 'cnn', epochs: Number($<HTMLInputElement>('train-epochs').value),
    batchSize: Number($<HTMLInputElement>('train-batch').value), lr: Number($<HTMLInputElement>('train-lr').value), seed: 0,
  };
  for (const k of Object.keys(points) as (keyof typeof points)[]) points[k] = [];
  const status = $('train-status');
  delete status.dataset.firstLoss;
  status.dataset.state = 'running';
  status.textContent = `loading the MNIST subset and building the ${settings.model}…`;
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  for (const r of radios) r.disabled = true;
  try {
    const r = await call({ type: 'train', settings });
    const lastEpoch = r.history[r.history.length - 1];
    status.dataset.state = 'done';
    status.dataset.testAccuracy = String(lastEpoch?.test_accuracy ?? '');
    status.dataset.history = JSON.stringify(r.history);
    status.textContent = `${r.stopped ? 'stopped' : 'done'}: ${r.history.length} epoch(s) in ${r.seconds.toFixed(1)} s, ${r.samplesPerSecond.toFixed(0)} samples/s`
      + (lastEpoch ? `; test accuracy ${(100 * lastEpoch.test_accuracy).toFixed(1)} % on 500 images` : '') + '. The drawing panel now uses these weights.';
    $('model-line').textContent = describeModel(r.model);
    const link = $<HTMLAnchorElement>('download');
    link.href = URL.createObjectURL(new Blob([r.weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    link.hidden = false;
    bump();
    void schedule();
  } catch (e) {
    status.dataset.state = 'error';
    status.textContent = `training failed: ${(e as Error).message}`;
    console.error(status.textContent);
  } finally {
    $<HTMLButtonElement>('train').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
    for (const r of radios) r.disabled = false;
  }
});
$('stop').addEventListener('click', () => void call({ type: 'stop' }));

// ---- start ----------------------------------------------------------------------------------

clearPad();
// ?backend=cpu or ?backend=webgpu picks one; else WebGPU where the browser has it, falling back to the CPU.
const asked = new URLSearchParams(location.search).get('backend');
const hasGpu = !!(navigator as Navigator & { gpu?: unknown }).gpu;
void useBackend(asked === 'cpu' || asked === 'webgpu' ? asked : hasGpu ? 'webgpu' : 'cpu').then((r) => {
  if (!r && !asked && hasGpu) return useBackend('cpu');
  return r;
}).then(() => {
  body.dataset.readyMs = String(Math.round(performance.now()));
  $('timing').textContent = `page ready in ${body.dataset.readyMs} ms (${crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: the CPU backend runs on one thread'})`;
});
