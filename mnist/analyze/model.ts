// The trained-model half of the report: test performance, mistakes, saliency, first-layer filters and suspicious training labels.
import type { Module } from '../../nn/index.js';
import { checkDataFits, loadClassifier, resolveCheckpoint } from '../classifier.js';
import type { Stats } from '../data.js';
import { gather } from '../dataset.js';
import { evaluate } from '../evaluate.js';
import { heatmap, imageGrid, upscale, grayscale } from '../../viz/png.js';
import { matrixHeatmap } from '../../viz/svg.js';
import { allImages } from '../data.js';
import { digitsOnly, imageAt, words, type SectionContext } from './context.js';
import { digitRgb, mosaic } from '../../viz/draw.js';
import { colorBar, esc, figure, gallery, img, p, type Section, table } from '../../viz/html.js';
import { firstFeatureMaps, firstLayer } from './layers.js';
import { type ClassMetrics, type ConfusedPair, mostConfusedPairs, perClassMetrics, rowNormalise } from './metrics.js';
import { firstOfEachClass } from './pixels.js';
import { predictProbabilities, rowArgmax } from './predict.js';
import { saliency } from './saliency.js';

export interface ModelStats {
  model: string;
  test_accuracy: number;
  test_loss: number;
  confusion_matrix: number[][];
  per_class: ClassMetrics[];
  most_confused: ConfusedPair[];
  misclassified: number;
  highest_loss_train: { index: number; label: number; predicted: number; probability_of_label: number; loss: number }[];
}

export { resolveCheckpoint };

const THUMB = 3; // upscale of gallery digits: 84 px
const GALLERY = 40;
const PAIRS = 6;
const PAIR_EXAMPLES = 10;
const HARDEST = 24;

export async function modelSections(ctx: SectionContext, checkpoint: string, lossScan: number): Promise<{ sections: Section[]; stats: ModelStats }> {
  const path = resolveCheckpoint(checkpoint);
  ctx.log(`analyze: loading ${path}`);
  const c = loadClassifier(path);
  try {
    checkDataFits(c, ctx.data.info, ctx.data.rows, ctx.data.cols);
    return await sectionsFor(ctx, c.model, c.card.architecture, c.stats, lossScan);
  } finally {
    c.model.dispose();
  }
}

async function sectionsFor(ctx: SectionContext, model: Module, modelName: string, stats: Stats, lossScan: number): Promise<{ sections: Section[]; stats: ModelStats }> {
  const { test, train, rows, cols, numClasses } = ctx.data;
  const shape = [1, rows, cols];
  const size = rows * cols;
  const w = words(ctx.data), names = w.names;
  const nm = (c: number) => esc(names[c] ?? String(c));
  const testX = allImages(test, stats);
  ctx.log(`analyze: evaluating ${modelName} on ${test.count} test images`);
  const ev = await evaluate(model, testX, test.labels, shape, numClasses);

  // Performance: confusion matrix, per-class metrics, most confused pairs with examples.
  const metrics = perClassMetrics(ev.confusion);
  const pairs = mostConfusedPairs(ev.confusion, PAIRS);
  const wrong = Int32Array.from(Array.from(ev.predictions.keys()).filter((i) => ev.predictions[i] !== test.labels[i]));
  const wrongProbs = await predictProbabilities(model, testX, wrong, shape);
  const counts = matrixHeatmap({ matrix: ev.confusion, rowLabels: names, colLabels: names },
    { title: 'Confusion matrix (counts)', xLabel: `predicted ${w.cls}`, yLabel: `true ${w.cls}`, width: 560, height: 540 });
  const normalised = rowNormalise(ev.confusion).map((r) => r.map((v) => Math.round(1000 * v) / 10));
  const shares = matrixHeatmap({ matrix: normalised, rowLabels: names, colLabels: names },
    { title: `Confusion matrix (% of each true ${w.cls})`, xLabel: `predicted ${w.cls}`, yLabel: `true ${w.cls}`, width: 560, height: 540 });
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  const worst = metrics.reduce((a, b) => (b.f1 < a.f1 ? b : a));
  const pairRows = pairs.map((pr, k) => {
    const examples = Array.from(wrong).filter((i) => test.labels[i] === pr.truth && ev.predictions[i] === pr.predicted).slice(0, PAIR_EXAMPLES);
    const grid = imageGrid(gather(test.images, Int32Array.from(examples), size), rows, cols, examples.length, PAIR_EXAMPLES, THUMB);
    return [`${nm(pr.truth)} → ${nm(pr.predicted)}`, pr.count, img(ctx.folder.png(`confused-pair-${k}`, grid), `test ${w.item}s ${nm(pr.truth)} predicted as ${nm(pr.predicted)}`)];
  });
  const performance = [
    p(`Model <b>${esc(modelName)}</b> on ${test.count.toLocaleString('en')} test images: accuracy <b>${pct(ev.accuracy)}</b>, ` +
      `mean cross-entropy ${ev.loss.toFixed(4)}, ${wrong.length} mistakes. The matrix below is the evaluation's own count (mnist/evaluate.ts): ` +
      `row sums are the test count of each ${w.cls} and the diagonal over the total is the accuracy.`),
    figure(`${counts}${shares}`, `Confusion matrix: row = true ${w.cls}, column = predicted ${w.cls}; left the counts, right each row as a percentage of its ${w.cls}. ` +
      `What to notice: almost all mass sits on the diagonal; the bright off-diagonal cells are the model's systematic confusions, led by ` +
      `${pairs.length ? `${nm(pairs[0].truth)} → ${nm(pairs[0].predicted)} (${pairs[0].count})` : 'none'}.`),
    figure(table([w.cls, 'support', 'precision', 'recall', 'F1'], metrics.map((m) => [nm(m.cls), m.support, m.precision, m.recall, m.f1]), 4),
      `Per-class precision (of the predictions of a ${w.cls}, the share that were right), recall (of the examples of a ${w.cls}, the share found) and F1. ` +
      `What to notice: the weakest class is <b>${nm(worst.cls)}</b> (F1 ${worst.f1.toFixed(4)}); a class with lower precision than recall is a "sink" the model over-predicts.`),
    figure(table(['true → predicted', 'count', 'examples'], pairRows), `The ${pairs.length} most confused pairs with up to ${PAIR_EXAMPLES} of their test images. ` +
      `What to notice: whether the examples are genuinely ambiguous${digitsOnly(w, ' (a 4 with a closed top, a 7 with a short bar)')} or clearly ${w.digits ? 'legible' : 'recognisable'} — those are the model's fault, not the data's.`),
  ].join('\n');

  // Mistakes: the misclassified test digits the model was most confident about.
  const order = Array.from(wrong.keys()).sort((a, b) => rowArgmax(wrongProbs, b, numClasses).value - rowArgmax(wrongProbs, a, numClasses).value);
  const tiles = order.slice(0, GALLERY).map((k) => {
    const i = wrong[k];
    const { index, value } = rowArgmax(wrongProbs, k, numClasses);
    const src = ctx.folder.png(`wrong-${i}`, upscale(grayscale(imageAt(ctx.data.testUnit, i, size), cols, rows), THUMB));
    return { src, alt: `test ${i}: true ${nm(test.labels[i])}, predicted ${nm(index)}`, label: `true <b>${nm(test.labels[i])}</b> → ${nm(index)}<br>p = ${value.toFixed(3)}<br>#${i}` };
  });
  const mistakes = [
    figure(gallery(tiles), `The ${tiles.length} misclassified test ${w.item}s the model was most sure of (of ${wrong.length}), with the true label, the prediction and the ` +
      `probability the model gave its prediction. What to notice: in a well-trained model, confident mistakes are mostly ${w.digits ? 'badly written or arguably mislabelled digits' : 'ambiguous or arguably mislabelled images'}; ` +
      `confident mistakes on clean ${w.item}s mean the model is under-trained or has learned a shortcut.`),
  ].join('\n');

  // Saliency and the first layer.
  const inspect = await insideSection(ctx, model, testX, shape);

  // Training images with the highest loss.
  const n = Math.min(lossScan, train.count);
  ctx.log(`analyze: per-example loss of ${n} training images`);
  const trainX = allImages({ images: train.images.subarray(0, n * size), labels: train.labels.subarray(0, n), count: n }, stats);
  const probs = await predictProbabilities(model, trainX, Int32Array.from({ length: n }, (_, i) => i), shape);
  const loss = Float32Array.from({ length: n }, (_, i) => -Math.log(Math.max(probs[i * numClasses + train.labels[i]], 1e-12)));
  const hardest = Array.from(loss.keys()).sort((a, b) => loss[b] - loss[a]).slice(0, HARDEST);
  const hard = hardest.map((i) => {
    const { index, value } = rowArgmax(probs, i, numClasses);
    return { index: i, label: train.labels[i], predicted: index, probability_of_label: probs[i * numClasses + train.labels[i]], loss: loss[i], confidence: value };
  });
  const hardTiles = hard.map((h) => ({
    src: ctx.folder.png(`hard-${h.index}`, upscale(grayscale(imageAt(ctx.data.trainUnit, h.index, size), cols, rows), THUMB)),
    alt: `training image ${h.index} labelled ${nm(h.label)}`,
    label: `given <b>${nm(h.label)}</b><br>model: ${nm(h.predicted)} (${h.confidence.toFixed(2)})<br>p(given) = ${h.probability_of_label.toExponential(1)}<br>#${h.index}`,
  }));
  const suspicious = [
    figure(gallery(hardTiles), `The ${hard.length} training images (of the first ${n.toLocaleString('en')}) with the highest loss −log p(given label): each shows the ` +
      'label in the data set, what the model believes with its probability, and the probability it gives the label. What to notice: these are the ' +
      'label-noise candidates — look for images whose given label is plainly wrong or that no label fits; with a well-trained model most of this list is such cases.'),
  ].join('\n');

  return {
    sections: [
      { id: 'model-performance', title: 'Model: test performance', body: performance },
      { id: 'model-mistakes', title: 'Model: mistakes', body: mistakes },
      { id: 'model-inside', title: 'Model: what it looks at', body: inspect },
      { id: 'model-label-noise', title: 'Model: suspicious training labels', body: suspicious },
    ],
    stats: {
      model: modelName,
      test_accuracy: ev.accuracy,
      test_loss: ev.loss,
      confusion_matrix: ev.confusion,
      per_class: metrics,
      most_confused: pairs,
      misclassified: wrong.length,
      highest_loss_train: hard.map(({ confidence: _c, ...h }) => h),
    },
  };
}

/** Saliency maps for one test digit per class, then the first layer's weights and feature maps. */
async function insideSection(ctx: SectionContext, model: Module, testX: Float32Array, shape: readonly number[]): Promise<string> {
  const { test, testUnit, rows, cols, numClasses } = ctx.data;
  const size = rows * cols;
  const picks = firstOfEachClass(test.labels, numClasses, 1).flat();
  const w = words(ctx.data);
  const nm = (c: number) => esc(w.names[c] ?? String(c));
  ctx.log(`analyze: saliency maps of ${picks.length} test ${w.item}s`);
  const idx = Int32Array.from(picks);
  const probs = await predictProbabilities(model, testX, idx, shape);
  const targets = Int32Array.from(picks, (_, k) => rowArgmax(probs, k, numClasses).index);
  const grads = await saliency(model, gather(testX, idx, size), targets, shape, numClasses);
  const S = 4;
  const inputs = picks.map((i) => digitRgb(imageAt(testUnit, i, size), rows, cols, S));
  const abs = picks.map((_, k) => {
    const g = grads.subarray(k * size, (k + 1) * size).map(Math.abs);
    return heatmap(g, rows, cols, { range: [0, Math.max(...g) || 1], scale: S });
  });
  const signed = picks.map((_, k) => heatmap(grads.subarray(k * size, (k + 1) * size), rows, cols, { map: 'diverging', scale: S }));
  const salSrc = ctx.folder.png('saliency', mosaic([...inputs, ...abs, ...signed], picks.length));
  const parts = [
    figure(`${img(salSrc, 'saliency maps')}<br>${colorBar('viridis', [0, 1], '|gradient| / its maximum (middle row)')}${colorBar('diverging', [-1, 1], 'signed gradient / max |gradient| (bottom row)')}`,
      `Saliency of the first test ${w.item} of each class (${picks.map((i) => nm(test.labels[i])).join(', ')} from left to right; predicted ` +
      `${Array.from(targets, nm).join(', ')}). Top: the input. Middle: |∂ score / ∂ pixel| of the predicted class's logit, taken by backward() through ` +
      'the whole network. Bottom: the signed gradient — red pixels would raise the score if brightened, blue would lower it. What to notice: ' +
      digitsOnly(w, 'the gradient should concentrate on and beside the strokes, and on the gaps that separate look-alikes (the open top of a 4, the loop of a 9): ' +
        'adding ink there is what would change the decision; ', 'the gradient should concentrate on the parts of the object that tell it from look-alike classes; ') +
      'gradient spread over the empty background is a sign of an under-trained model.'),
  ];
  const first = await firstLayer(model);
  if (first?.kind === 'conv') {
    const [out, inC, kh, kw] = first.shape;
    const m = first.weights.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const tiles = Array.from({ length: out * inC }, (_, k) => heatmap(first.weights.subarray(k * kh * kw, (k + 1) * kh * kw), kh, kw, { map: 'diverging', range: [-m, m], scale: 12 }));
    const src = ctx.folder.png('first-layer-filters', mosaic(tiles, Math.min(16, tiles.length), 3));
    parts.push(figure(`${img(src, 'first-layer filters')}<br>${colorBar('diverging', [-m, m], 'weight')}`,
      `The ${out} filters of the first convolution <code>${esc(first.name)}</code> (${kh}×${kw}, shared colour scale). What to notice: trained first-layer filters ` +
      'tend to become oriented edge and bar detectors (a red half against a blue half, like Sobel kernels at other angles); after a short run many still look like their random start.'));
    const fm = await firstFeatureMaps(model, imageAt(testX, picks[0], size), shape);
    if (fm) {
      const mx = fm.maps.reduce((a, v) => Math.max(a, v), 0) || 1;
      const maps = Array.from({ length: fm.channels }, (_, c) => heatmap(fm.maps.subarray(c * fm.h * fm.w, (c + 1) * fm.h * fm.w), fm.h, fm.w, { range: [0, mx], scale: 3 }));
      const src2 = ctx.folder.png('first-layer-maps', mosaic(maps, Math.min(8, maps.length), 3));
      parts.push(figure(`${img(src2, 'first-layer feature maps')}<br>${colorBar('viridis', [0, mx], 'activation')}`,
        `The ${fm.channels} feature maps (${fm.h}×${fm.w}, after the activation) of the first layer on test image #${picks[0]}, a ${nm(test.labels[picks[0]])}, ` +
        'in the same order as the filters. What to notice: each map lights up where its filter\'s pattern occurs — some on edges of one direction, ' +
        `some on the whole ${w.digits ? 'stroke' : 'object'}, some barely at all — so the next layers see the ${w.item} as a stack of filtered images rather than as pixels.`));
    }
  } else if (first?.kind === 'linear') {
    const [units, inF] = first.shape;
    const shown = Math.min(32, units);
    if (inF === size) {
      const m = first.weights.subarray(0, shown * size).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      const tiles = Array.from({ length: shown }, (_, u) => heatmap(first.weights.subarray(u * size, (u + 1) * size), rows, cols, { map: 'diverging', range: [-m, m], scale: 3 }));
      const src = ctx.folder.png('first-layer-weights', mosaic(tiles, 8, 3));
      parts.push(figure(`${img(src, 'first-layer weight templates')}<br>${colorBar('diverging', [-m, m], 'weight')}`,
        `The weights of the first ${shown} of ${units} units of <code>${esc(first.name)}</code>, each reshaped to ${rows}×${cols}: the pixel template the unit responds to. ` +
        `What to notice: ${digitsOnly(w, 'blob- and stroke-shaped red/blue patterns in the centre, noise at the border where no digit ever has ink', 'shape-like red/blue patterns where the objects lie, noise where the images are always empty')}. An MLP has no feature maps to show.`));
    }
  }
  return parts.join('\n');
}
