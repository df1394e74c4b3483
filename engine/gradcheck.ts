// Gradient checking: compare autograd's gradients with central finite differences, computed
// entirely in float64 on a CPU backend in double precision, so the comparison can be tight.

import { noGrad } from './autograd.js';
import { getBackend, useBackend } from './backend/registry.js';
import { CpuBackend } from './backend/cpu/index.js';
import { Generator } from './random.js';
import { tidy } from './scope.js';
import { fmt } from './shape.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; seed?: number }

let f64: CpuBackend | null = null;

/** Check d(fn)/d(input) for every float input with requiresGrad. fn may return any shape: its
 *  output is projected on a fixed random vector so every output element is exercised.
 *  Returns true, or throws naming the input, the element and both values (as PyTorch's does). */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const prev = getBackend();
  f64 ??= new CpuBackend('float64');
  const be = f64;
  const values = inputs.map((t) => Float64Array.from(t.dataSync()));
  const make = (i: number, vals: Float64Array) => {
    const t = inputs[i];
    const s = t.dtype === 'int32' ? be.upload(Int32Array.from(vals)) : be.upload(new Float32Array(vals.length));
    if (t.dtype === 'float32') (be.raw(s) as Float64Array).set(vals);
    const out = Tensor.fromStorage(s, t.shape, t.dtype, be);
    if (t.requiresGrad) out.requiresGrad = true;
    return out;
  };
  useBackend(be);
  try {
    return tidy(() => {
      const xs = inputs.map((_, i) => make(i, values[i]));
      const y0 = fn(...xs);
      const gen = new Generator(opts.seed ?? 1234);
      const r = Float64Array.from({ length: y0.size }, () => gen.normal());
      const project = (y: Tensor) => {
        const d = be.raw(y.storage);
        let s = 0;
        for (let k = 0; k < d.length; k++) s += d[k] * r[k];
        return s;
      };
      const rT = Tensor.fromStorage(be.upload(new Float32Array(r.length)), y0.shape, 'float32', be);
      (be.raw(rT.storage) as Float64Array).set(r);
      y0.backward(rT);
      inputs.forEach((input, i) => {
        if (!input.requiresGrad) return;
        const g = xs[i].grad;
        const analytic = g ? be.raw(g.storage) : new Float64Array(values[i].length);
        for (let j = 0; j < values[i].length; j++) {
          const probe = (delta: number) => tidy(() => {
            const v = values[i].slice();
            v[j] += delta;
            const args = xs.map((x, k) => (k === i ? make(i, v) : x));
            return noGrad(() => project(fn(...args)));
          });
          const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
          const a = analytic[j];
          if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
            throw new Error(`gradcheck: input ${i} ${fmt(input.shape)}, element ${j}: autograd gives ${a.toPrecision(8)} but finite differences give ${numeric.toPrecision(8)} (|diff| ${Math.abs(a - numeric).toExponential(2)} > atol ${atol} + rtol ${rtol} × |numeric|)`);
          }
        }
      });
      return true as const;
    });
  } finally {
    useBackend(prev);
  }
}
