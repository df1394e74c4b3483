// The cross-attention of one translation: which source tokens each output token looked at, per
// decoder layer and head, as a labelled SVG (source tokens across, output tokens down) and a PNG
// mosaic of the same heatmaps, made with the shared viz/ helpers.

import { noGrad, tensor, tidy } from '../engine/index.js';
import type { Seq2SeqTransformer } from '../models/index.js';
import { mosaic } from '../viz/draw.js';
import { encodePng, heatmap } from '../viz/png.js';
import { matrixHeatmap, svgGrid } from '../viz/svg.js';
import { BOS } from './vocab.js';

/** weights[layer][head][output position][source position], teacher-forced on the output (the last row predicts EOS). */
export async function crossAttention(model: Seq2SeqTransformer, src: readonly number[], out: readonly number[]): Promise<number[][][][]> {
  const mods = model.crossAttention();
  model.eval();
  for (const m of mods) m.keepWeights = true;
  try {
    noGrad(() => tidy(() => { model.forward(tensor(Int32Array.from(src), { shape: [1, src.length] }), tensor(Int32Array.from([BOS, ...out]), { shape: [1, out.length + 1] })); }));
    const maps: number[][][][] = [];
    for (const m of mods) {
      const w = m.lastWeights!, [, h, t, s] = w.shape, v = await w.data();
      maps.push(Array.from({ length: h }, (_, hi) => Array.from({ length: t }, (_, i) => Array.from(v.subarray((hi * t + i) * s, (hi * t + i + 1) * s)))));
    }
    return maps;
  } finally {
    for (const m of mods) { m.keepWeights = false; m.lastWeights?.dispose(); m.lastWeights = null; }
  }
}

/** Every layer's heads: an SVG with the tokens as labels, and a PNG mosaic (layers down, heads across). */
export function drawCrossAttention(maps: number[][][][], srcTokens: string[], outTokens: string[]): { svg: string; png: Uint8Array } {
  const rows = [...outTokens, '<eos>'];
  const heads = maps[0].length;
  const cell = 22, w = 90 + srcTokens.length * cell, h = 70 + rows.length * cell;
  const panels = maps.flatMap((layer, l) => layer.map((m, k) => matrixHeatmap(
    { matrix: m, rowLabels: rows, colLabels: srcTokens, showValues: false },
    { title: `layer ${l + 1}, head ${k + 1}`, width: w, height: h, xLabel: 'source', yLabel: 'output' })));
  const scale = 12;
  const tiles = maps.flatMap((layer) => layer.map((m) => heatmap(m.flat(), m.length, m[0].length, { range: [0, 1], scale })));
  return { svg: svgGrid(panels, heads, w, h), png: encodePng(mosaic(tiles, heads, 6)) };
}
