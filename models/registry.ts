// The model registry: every named architecture with its builder, default config and input shape.
// A family registers its models in its own file (models/classifiers.ts, ...); `train --model X`,
// `summary --model X` and every checkpoint's card look them up here, so a weights file always
// meets the architecture that made it.

import type { AnyModule, ModelConfig } from '../nn/index.js';

export interface ModelSpec<C extends ModelConfig = ModelConfig> {
  name: string;
  /** One line for --help and summary. */
  summary: string;
  /** What the model does: 'classification', 'backbone', 'generator', ... (cards carry it too). */
  task: string;
  defaults: C;
  /** One example's input shape, without the batch axis, for this config. */
  inputShape(config: C): number[];
  /** What the input holds: float32 values (the default) or int32 token ids. */
  inputDtype?: 'float32' | 'int32';
  /** A fresh model, initialised from the engine's default generator (seed it first). */
  build(config: C): AnyModule;
  /** Throws (saying which setting and why) for a config the architecture cannot be built from, or should not be: called before build. */
  check?(config: C): void;
}

const REGISTRY = new Map<string, ModelSpec>();

export function registerModel<C extends ModelConfig>(spec: ModelSpec<C>): ModelSpec<C> {
  if (REGISTRY.has(spec.name)) throw new Error(`registerModel: '${spec.name}' is registered twice`);
  REGISTRY.set(spec.name, spec as unknown as ModelSpec);
  return spec;
}

/** Registered names, optionally only those for one task. */
export function modelNames(task?: string): string[] {
  return [...REGISTRY.values()].filter((s) => !task || s.task === task).map((s) => s.name);
}

export function hasModel(name: string): boolean { return REGISTRY.has(name); }

export function modelSpec(name: string): ModelSpec {
  const spec = REGISTRY.get(name);
  if (!spec) throw new Error(`unknown model '${name}' (known: ${modelNames().join(', ')})`);
  return spec;
}

/** The defaults with `overrides` on top; an unknown key, or a value of another type than the default's, is an error. */
export function modelConfig(name: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const spec = modelSpec(name);
  const out: ModelConfig = { ...spec.defaults };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in spec.defaults)) throw new Error(`model '${name}' has no setting '${k}' (it has: ${Object.keys(spec.defaults).join(', ')})`);
    const want = Array.isArray(spec.defaults[k]) ? 'array' : typeof spec.defaults[k];
    const got = Array.isArray(v) ? 'array' : typeof v;
    if (want !== got) throw new Error(`model '${name}': setting '${k}' must be a ${want}, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

/** Build a registered model; returns it with the full config it was built from (what its card records). */
export function buildModel(name: string, overrides: Partial<ModelConfig> = {}): { model: AnyModule; config: ModelConfig; inputShape: number[] } {
  const spec = modelSpec(name);
  const config = modelConfig(name, overrides);
  spec.check?.(config);
  return { model: spec.build(config), config, inputShape: spec.inputShape(config) };
}
