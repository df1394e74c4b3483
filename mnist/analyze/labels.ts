// The label distribution of both splits: counts, shares and which class is rarest, because imbalance biases accuracy.
import { barChart } from '../../viz/svg.js';
import { words, type SectionContext, type SectionResult } from './context.js';
import { figure, p, table } from '../../viz/html.js';

/** How many examples carry each label 0 … numClasses−1. */
export function labelCounts(labels: Uint8Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

/** Index of the smallest (argmin) or largest (argmax) count; the first one on ties. */
export const argExtreme = (v: number[], which: 'min' | 'max') =>
  v.reduce((best, x, i) => ((which === 'min' ? x < v[best] : x > v[best]) ? i : best), 0);

export interface LabelStats {
  train_label_counts: number[];
  test_label_counts: number[];
  rarest_train_class: number;
  commonest_train_class: number;
  first_train_labels: number[];
}

export function labelSection(ctx: SectionContext): SectionResult<LabelStats> {
  const { train, test, numClasses } = ctx.data;
  const tr = labelCounts(train.labels, numClasses);
  const te = labelCounts(test.labels, numClasses);
  const share = (c: number, n: number) => (n ? (100 * c) / n : 0);
  const rare = argExtreme(tr, 'min');
  const common = argExtreme(tr, 'max');
  const w = words(ctx.data), names = w.names;
  const chart = barChart(
    { categories: names, series: [{ name: 'train %', values: tr.map((c) => share(c, train.count)) }, { name: 'test %', values: te.map((c) => share(c, test.count)) }] },
    { title: `Share of each ${w.cls}`, xLabel: w.cls, yLabel: '% of the split' },
  );
  const rows = names.map((n, c) => [n, tr[c], share(tr[c], train.count), te[c], share(te[c], test.count)]);
  rows.push(['all', train.count, 100, test.count, 100]);
  const ratio = tr[common] / Math.max(1, tr[rare]);
  const first = Array.from(train.labels.subarray(0, 10));
  const nm = (c: number) => names[c] ?? String(c);
  const body = [
    p(`${train.count.toLocaleString('en')} training and ${test.count.toLocaleString('en')} test images. ` +
      `The first ten training labels are <b>${first.map(nm).join(', ')}</b>.`),
    figure(chart, `Share of each ${w.cls} in the training and the test split. What to notice: the classes are close to balanced but not equal — ` +
      `<b>${nm(rare)}</b> is the rarest training ${w.cls} (${tr[rare].toLocaleString('en')}, ${share(tr[rare], train.count).toFixed(2)} %) and ` +
      `<b>${nm(common)}</b> the commonest (${tr[common].toLocaleString('en')}, ${share(tr[common], train.count).toFixed(2)} %), a ratio of ${ratio.toFixed(2)}. ` +
      'The two splits have nearly the same shares, so test accuracy is not skewed by a shift in class mix.'),
    table([w.cls, 'train count', 'train %', 'test count', 'test %'], rows, 2),
  ].join('\n');
  return {
    section: { id: 'labels', title: 'Labels', body },
    stats: { train_label_counts: tr, test_label_counts: te, rarest_train_class: rare, commonest_train_class: common, first_train_labels: first },
  };
}
