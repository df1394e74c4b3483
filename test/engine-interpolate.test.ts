// interpolate with a scale factor follows PyTorch's default, recompute_scale_factor=None: the
// output size is floor(in * factor), and coordinates are mapped with 1/factor (not in/out, which
// is what recompute_scale_factor=True does). Every expected value below is worked out by hand
// from PyTorch's rules (UpSample.h: compute_scales_value, area_pixel_compute_source_index;
// UpSampleKernel.cpp: nearest_idx; per axis, a size that does not change is copied), and was
// confirmed once against torch 1.13 (F.interpolate on the same inputs); the test needs no torch.

import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../engine/index.js';
import { interpolate } from '../nn/index.js';

const x23 = () => tensor([[[[0, 1, 2], [3, 4, 5]]]]);   // 1×1×2×3
const rows = (t: Tensor) => (t.tolist() as Promise<number[][][][]>).then((v) => v[0][0]);
async function near(t: Tensor, want: number[][]): Promise<void> {
  expect(t.shape.slice(2)).toEqual([want.length, want[0].length]);
  const got = await rows(t);
  got.forEach((r, i) => r.forEach((v, j) => expect(v, `[${i}][${j}]`).toBeCloseTo(want[i][j], 5)));
}

describe('interpolate with scaleFactor (PyTorch recompute_scale_factor=None)', () => {
  it('bilinear, scale 1.5 on 1×1×2×3', async () => {
    // Output floor(2·1.5) × floor(3·1.5) = 3×4; step 1/1.5 = 2/3 on both axes.
    // src = max(0, (dst + 0.5)·2/3 − 0.5):
    //   columns: dst 0 → −1/6 → 0;  1 → 0.5;  2 → 7/6 (col 1 + 1/6 of the way to 2);  3 → 11/6
    //   rows:    dst 0 → 0;  1 → 0.5 (halfway between the rows);  2 → 7/6 → row 1 (no row 2)
    // Along a row [a, a+1, a+2]: a, a + 0.5, a + 7/6, a + 11/6; rows give a = 0, 1.5, 3.
    // (in/out, i.e. recompute_scale_factor=True, would give 0, 0.625, 1.375, 2 on the first row.)
    await near(interpolate(x23(), { scaleFactor: 1.5, mode: 'bilinear' }), [
      [0, 0.5, 7 / 6, 11 / 6],
      [1.5, 2, 1.5 + 7 / 6, 1.5 + 11 / 6],
      [3, 3.5, 3 + 7 / 6, 3 + 11 / 6],
    ]);
  });

  it('nearest, scale 1.5 on 1×1×2×3', async () => {
    // src = min(floor(dst · 2/3), in − 1): columns 0, 0, 1, 2 (3 · 2/3 = 2); rows 0, 0, 1.
    await near(interpolate(x23(), { scaleFactor: 1.5 }), [[0, 0, 1, 2], [0, 0, 1, 2], [3, 3, 4, 5]]);
  });

  it('nearest, scale 1.7 on 1×1×2×5: where 1/factor and in/out part ways', async () => {
    // Output 3×8; step 1/1.7 = 0.588..: columns floor(dst · 0.588) = 0,0,1,1,2,2,3,4 (in/out = 5/8
    // would give 0,0,1,1,2,3,3,4: dst 5 differs); rows floor(0, 0.59, 1.18) = 0, 0, 1.
    const x = tensor(Float32Array.from({ length: 10 }, (_, i) => i), { shape: [1, 1, 2, 5] });
    await near(interpolate(x, { scaleFactor: 1.7 }), [[0, 0, 1, 1, 2, 2, 3, 4], [0, 0, 1, 1, 2, 2, 3, 4], [5, 5, 6, 6, 7, 7, 8, 9]]);
  });

  it("nearest at exactly twice the size halves the index whatever the factor; an unchanged size is copied", async () => {
    // 1×1×1×3 at 2.1: output 2×6, both exactly 2×, so src = dst >> 1 (1/2.1 would give 0,0,0,1,1,2).
    await near(interpolate(tensor([[[[0, 1, 2]]]]), { scaleFactor: 2.1 }), [[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]]);
    // 1×1×2×3 at 1.2: output floor(2.4) × floor(3.6) = 2×3, the input's size: a copy, in both modes
    // (1/1.2 would give columns 0, 0, 1 for nearest and 0, 0.75, 1.58 for bilinear).
    await near(interpolate(x23(), { scaleFactor: 1.2 }), [[0, 1, 2], [3, 4, 5]]);
    await near(interpolate(x23(), { scaleFactor: 1.2, mode: 'bilinear' }), [[0, 1, 2], [3, 4, 5]]);
  });

  it('downsampling bilinear, scale 0.7 on 4×4', async () => {
    // Output 2×2; step 1/0.7 = 10/7: src = (dst + 0.5)·10/7 − 0.5 = 3/14 and 23/14 on both axes.
    // x[r][c] = 4r + c is linear, so the value is 4·src_r + src_c = 5·src.
    const x = tensor(Float32Array.from({ length: 16 }, (_, i) => i), { shape: [1, 1, 4, 4] });
    await near(interpolate(x, { scaleFactor: 0.7, mode: 'bilinear' }), [[5 * 3 / 14, 4 * 3 / 14 + 23 / 14], [4 * 23 / 14 + 3 / 14, 5 * 23 / 14]]);
  });

  it('with size, the step is in/out as before; alignCorners ignores the factor', async () => {
    // size [3, 4]: columns step 3/4: src = 0, 0.625, 1.375, 2 (clamped: 2.125 → col 2).
    await near(interpolate(x23(), { size: [3, 4], mode: 'bilinear' }), [
      [0, 0.625, 1.375, 2], [1.5, 2.125, 2.875, 3.5], [3, 3.625, 4.375, 5],
    ]);
    // alignCorners: (in−1)/(out−1) = 2/3 on columns, 1/2 on rows, with or without the factor.
    const ac = [[0, 2 / 3, 4 / 3, 2], [1.5, 1.5 + 2 / 3, 1.5 + 4 / 3, 3.5], [3, 3 + 2 / 3, 3 + 4 / 3, 5]];
    await near(interpolate(x23(), { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }), ac);
    await near(interpolate(x23(), { size: [3, 4], mode: 'bilinear', alignCorners: true }), ac);
  });

  it('argument errors', () => {
    expect(() => interpolate(x23(), {})).toThrow('interpolate: give size or scaleFactor');
    expect(() => interpolate(x23(), { size: 4, scaleFactor: 2 })).toThrow('interpolate: give size or scaleFactor, not both');
    expect(() => interpolate(x23(), { scaleFactor: -1 })).toThrow('interpolate: scaleFactor must be a positive number, got -1');
    expect(() => interpolate(x23(), { size: [2, 0] })).toThrow('interpolate: size must be a positive integer or [h, w], got [2,0]');
    expect(() => interpolate(x23(), { scaleFactor: 0.4 })).toThrow('interpolate: output size 0×1 must be positive');
    expect(() => interpolate(x23(), { scaleFactor: 2, mode: 'bicubic' as 'bilinear' })).toThrow("interpolate: mode must be 'nearest' or 'bilinear', got \"bicubic\"");
  });
});
