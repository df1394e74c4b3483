// The messages between the page (main.ts) and the engine's Web Worker (engine-worker.ts).

export type BackendKind = 'webgpu' | 'cpu';

export interface GrayImage { data: Float32Array; width: number; height: number }

export interface TrainSettings { model: 'mlp' | 'cnn'; epochs: number; batchSize: number; lr: number; seed: number }

/** The model the drawing panel uses. */
export interface ModelInfo { architecture: string; origin: string; params: number; testAccuracy?: number; testCount?: number }

export type Request =
  /** `base`: the page's URL, which the bundled files (models/, data/) are relative to. */
  | { type: 'init'; backend: BackendKind; base: string }
  | { type: 'predict'; image: GrayImage }
  | { type: 'train'; settings: TrainSettings }
  | { type: 'stop' };

export interface InitResult { backend: BackendKind; description: string; model: ModelInfo; ms: number }
export interface PredictResult { digit: Float32Array; probabilities: Float32Array; prediction: number; saliency: Float32Array; ms: number }
export interface TrainResult { stopped: boolean; history: Record<string, number>[]; model: ModelInfo; weights: Uint8Array; seconds: number; samplesPerSecond: number }

export interface Results { init: InitResult; predict: PredictResult; train: TrainResult; stop: null }

/** From the worker: the answer to request `id`, or a training event. */
export type Message =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'progress'; epoch: number; epochs: number; step: number; steps: number; loss: number; accuracy: number; samplesPerSecond: number }
  | { event: 'epoch'; record: Record<string, number> };
