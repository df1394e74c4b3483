// Shape arithmetic shared by every op and backend: sizes, strides, NumPy broadcasting, axes.

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting: align from the right; each pair of sizes must be equal or contain a 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) { out[o] = d; continue; }
      throw new Error(`${op}: shapes ${shapes.map(fmt).join(' and ')} cannot be broadcast together (axis ${i - s.length} is ${out[o]} vs ${d})`);
    }
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Accepts negative axes (-1 = last), checks range. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Sorted unique axes; undefined means all axes. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const set = new Set(list.map((a) => normAxis(op, a, rank)));
  if (set.size !== list.length) throw new Error(`${op}: repeated axis in [${list.join(',')}]`);
  return [...set].sort((x, y) => x - y);
}

/** The shape after reducing `axes`, keeping them as size 1 or dropping them. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** Row-major unravel of a flat index into a multi-index (written into `out`). */
export function unravel(flat: number, shape: Shape, out: number[]): void {
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    out[i] = flat % d;
    flat = Math.floor(flat / d);
  }
}
