// A model card: what a weights file is (architecture and its config), what it was trained on (the
// dataset, its class names and a fingerprint of its test labels), how its input must be prepared
// (shape and normalisation), how it was made (seed, command) and how well it did. It travels in
// the safetensors metadata, so a checkpoint alone is enough to rebuild, evaluate and use a model.

/** Architecture hyper-parameters: plain JSON values. */
export type ModelConfig = { [key: string]: number | string | boolean | number[] | string[] };

export interface DatasetCard {
  /** 'mnist', 'fashion-mnist', or the folder's name for an unknown set. */
  name: string;
  classes: string[];
  /** Hash of the test labels: evaluating on another dataset than the one trained on is refused. */
  fingerprint?: string;
  train_count?: number;
}

export interface ModelCard {
  /** The registry name the builder is found under ('cnn', 'mobilenetv2', 'dcgan-generator', ...). */
  architecture: string;
  config: ModelConfig;
  /** 'classification', 'backbone', 'generator', 'translation', 'language-model', ... */
  task: string;
  /** One example's shape, without the batch axis ([1, 28, 28]); [] where inputs are not one tensor. */
  input_shape: number[];
  dataset?: DatasetCard;
  /** Per-channel (or single) mean and std the inputs are standardised with after /255. */
  normalisation?: { mean: number[]; std: number[] };
  seed?: number;
  metrics?: Record<string, number>;
  /** The command line that trained it. */
  command?: string;
  /** Free-form extras a family needs (a tokenizer's vocabulary, a latent size, ...). */
  extra?: Record<string, unknown>;
}

export const CARD_KEY = 'zerograd.card';

/** A weights file whose card or contents do not describe a usable model; the message names the file. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The card as safetensors metadata (string values only). */
export function cardMetadata(card: ModelCard): Record<string, string> {
  return { format: 'zerograd', [CARD_KEY]: JSON.stringify(card) };
}

/** A card that a file claims to carry, checked field by field; `where` prefixes every error. */
export function readCard(metadata: Record<string, string>, where: string): ModelCard {
  const text = metadata[CARD_KEY];
  if (text === undefined) {
    throw new CheckpointError(metadata.model
      ? `${where}: a checkpoint from an older zerograd (no model card; it names model '${metadata.model}'): train it again`
      : `${where}: not a zerograd checkpoint (its metadata has no model card)`);
  }
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${where}: the model card is not valid JSON (${(e as Error).message})`);
  }
  const fail = (what: string): never => { throw new CheckpointError(`${where}: the model card's ${what}`); };
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return fail('must be a JSON object');
  const card = c as Partial<ModelCard>;
  if (typeof card.architecture !== 'string' || !card.architecture) fail('architecture must be a name');
  if (typeof card.config !== 'object' || card.config === null || Array.isArray(card.config)) fail('config must be an object');
  if (typeof card.task !== 'string') fail('task must be a string');
  if (!Array.isArray(card.input_shape) || !card.input_shape.every((d) => Number.isInteger(d) && d > 0)) fail('input_shape must be a list of positive integers');
  if (card.dataset !== undefined) {
    const d = card.dataset as Partial<DatasetCard>;
    if (typeof d.name !== 'string' || !Array.isArray(d.classes) || !d.classes.every((x) => typeof x === 'string')) fail('dataset must have a name and a list of class names');
  }
  if (card.normalisation !== undefined) {
    const n = card.normalisation as { mean?: unknown; std?: unknown };
    const nums = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!nums(n.mean) || !nums(n.std) || (n.std as number[]).some((s) => s <= 0)) fail('normalisation must have finite mean and positive std lists');
  }
  return card as ModelCard;
}
