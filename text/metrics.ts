// Error rates of sequence outputs against one or more references: Levenshtein distance over
// tokens, word error rate (a word is wrong unless its output equals one of its references) and
// phoneme error rate (edits to the nearest reference over that reference's length, summed).

/** Insertions, deletions and substitutions that turn a into b. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export interface ErrorRates {
  /** Share of items whose output matches none of the references. */
  wer: number;
  /** Σ edits to the nearest reference / Σ that reference's length. */
  per: number;
  items: number;
  tokens: number;
}

/** hyps[i] against refs[i] (one or more token lists each). */
export function errorRates(hyps: readonly (readonly string[])[], refs: readonly (readonly (readonly string[])[])[]): ErrorRates {
  if (hyps.length !== refs.length) throw new Error(`errorRates: ${hyps.length} outputs but ${refs.length} reference lists`);
  let wrong = 0, edits = 0, tokens = 0;
  hyps.forEach((h, i) => {
    if (!refs[i].length) throw new Error(`errorRates: item ${i} has no reference`);
    // The nearest reference; on a tie the longer one (the smaller rate).
    let best = Infinity, len = 0;
    for (const r of refs[i]) {
      const d = editDistance(h, r);
      if (d < best || (d === best && r.length > len)) { best = d; len = r.length; }
    }
    if (best > 0) wrong++;
    edits += best;
    tokens += len;
  });
  return { wer: hyps.length ? wrong / hyps.length : 0, per: tokens ? edits / tokens : 0, items: hyps.length, tokens };
}
