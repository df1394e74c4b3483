// Classification metrics read off a confusion matrix (rows = true class, columns = predicted): per-class P/R/F1 and the worst pairs.

export interface ClassMetrics {
  cls: number;
  support: number; // true examples of the class (row sum)
  precision: number; // of the examples predicted as cls, the share that are cls
  recall: number; // of the examples of cls, the share predicted as cls
  f1: number;
}

/** Precision, recall and F1 of each class; a class never predicted (or never present) gets 0 rather than NaN. */
export function perClassMetrics(confusion: number[][]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { cls: c, support, precision, recall, f1 };
  });
}

/** Each row divided by its sum (a row with no examples stays zero): the share of class t predicted as p. */
export const rowNormalise = (confusion: number[][]) =>
  confusion.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s ? v / s : 0));
  });

export interface ConfusedPair {
  truth: number;
  predicted: number;
  count: number;
}

/** The off-diagonal cells with the most examples, largest first (ties: lower true class first). */
export function mostConfusedPairs(confusion: number[][], top: number): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  confusion.forEach((row, t) => row.forEach((count, p) => { if (t !== p && count > 0) pairs.push({ truth: t, predicted: p, count }); }));
  return pairs.sort((a, b) => b.count - a.count || a.truth - b.truth || a.predicted - b.predicted).slice(0, top);
}
