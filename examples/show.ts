// Printing for the examples: numbers rounded to a few decimals (no float32 noise), nested arrays as
// [[a, b], [c, d]], so what a script prints is what a reader checks by hand.

import type { Tensor } from '../engine/index.js';

/** A number with at most `digits` decimals, trailing zeros and the sign of zero dropped. */
export const num = (v: number, digits = 6) => String(Number(v.toFixed(digits)) + 0);

/** Nested arrays of numbers, as [[1, 2], [3, 4]]. */
export function fmt(v: unknown, digits = 6): string {
  return Array.isArray(v) ? `[${v.map((x) => fmt(x, digits)).join(', ')}]` : num(v as number, digits);
}

/** A tensor's values, nested by its shape. */
export async function show(t: Tensor, digits = 6): Promise<string> {
  return fmt(await t.tolist(), digits);
}
