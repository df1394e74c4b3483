// Host-side index bookkeeping for the kernels: shapes and strides made as small as possible
// before they go into the uniform block, so shaders unravel few axes (and at most MAX_RANK).

export const MAX_RANK = 8;

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

/** Drop size-1 axes and merge neighbours that are contiguous in every operand at once
 *  (outer stride == inner stride * inner size). A same-shape binary op becomes rank 1. */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const out: number[] = [];
  const outStrides = strides.map(() => [] as number[]);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = out.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      out[last] *= shape[d];
      strides.forEach((s, k) => { outStrides[k][last] = s[d]; });
    } else {
      out.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: out, strides: outStrides };
}

export function checkRank(kernel: string, shape: readonly number[], what: string): void {
  if (shape.length > MAX_RANK) {
    throw new Error(`webgpu: ${kernel}: ${what} has ${shape.length} axes that cannot be merged; the kernels take at most ${MAX_RANK}`);
  }
}

/** outer x n x inner around one axis. */
export function aroundAxis(shape: readonly number[], axis: number): [number, number, number] {
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return [prod(shape.slice(0, axis)), shape[axis], prod(shape.slice(axis + 1))];
}
