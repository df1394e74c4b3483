// The shipped pretrained backbone: its card (the .json beside it) matches the file: hash, the
// safetensors' own model card, the parameter count, and it loads strictly into the backbone it names.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mobilenetV2Features } from '../models/index.js';
import { loadSafetensors, readCard } from '../nn/index.js';

const dir = new URL('../models/pretrained/', import.meta.url);
const card = JSON.parse(readFileSync(new URL('mobilenetv2-0.35-simclr-mnist.json', dir), 'utf8'));

describe('shipped backbone', () => {
  it('matches its card and loads into the backbone it names', () => {
    const bytes = readFileSync(new URL(card.file, dir));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.sha256);
    const { tensors, metadata } = loadSafetensors(bytes);
    const inner = readCard(metadata, card.file);
    expect([inner.architecture, inner.config, inner.seed, inner.metrics?.knn_accuracy]).toEqual([card.architecture, card.config, card.seed, card.knn_accuracy]);
    const f = mobilenetV2Features(card.config.channels, card.config.width);
    expect(f.parameters().reduce((n, p) => n + p.size, 0)).toBe(card.parameters);
    expect(f.loadStateDict(tensors)).toEqual({ missing: [], unexpected: [] });
    f.dispose();
    for (const t of tensors.values()) t.dispose();
  });
});
