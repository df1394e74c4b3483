// Unary maps, and cast (the identity map with a different output type). The op is an override:
// every op is its own pipeline with the switch folded away. Values pass through f32, so on int32
// tensors the ops that are exact on integers below 2^24 (neg, abs, sign, square, relu, clamp,
// affine with integer parameters) give exact results, and float -> int truncates toward zero.
alias TIn = f32;
alias TOut = f32;
override OP: u32 = 0u;
override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> x: array<TIn>;
@group(0) @binding(2) var<storage, read_write> out: array<TOut>;

// Abramowitz & Stegun 7.1.26: |error| < 1.5e-7.
fn erf_(v: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(v));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-v * v);
  return select(-y, y, v >= 0.0);
}

// Written with exp of a non-positive argument only, so large |v| cannot overflow to inf/inf.
fn tanh_(v: f32) -> f32 { let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e); }
fn sigmoid_(v: f32) -> f32 { let e = exp(-abs(v)); return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0); }

// Codes: UNARY_CODES in engine/backend/webgpu/codes.ts (0 is the identity, for cast).
fn apply(v: f32, a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return v; } // identity
    case 1u: { return -v; } // neg
    case 2u: { return exp(v); } // exp
    case 3u: { return log(v); } // log
    case 4u: { return sqrt(v); } // sqrt
    case 5u: { return inverseSqrt(v); } // rsqrt
    case 6u: { return abs(v); } // abs
    case 7u: { return sign(v); } // sign
    case 8u: { return v * v; } // square
    case 9u: { return 1.0 / v; } // reciprocal
    case 10u: { return max(v, 0.0); } // relu
    case 11u: { return select(0.0, 1.0, v > 0.0); } // step
    case 12u: { return tanh_(v); } // tanh
    case 13u: { return sigmoid_(v); } // sigmoid
    case 14u: { return erf_(v); } // erf
    case 15u: { return sin(v); } // sin
    case 16u: { return cos(v); } // cos
    case 17u: { return floor(v); } // floor
    case 18u: { return select(a * v, v, v > 0.0); } // leakyRelu
    case 19u: { return select(a * (exp(v) - 1.0), v, v > 0.0); } // elu
    case 20u: { return min(max(v, a), b); } // clamp
    case 21u: { return powf(v, a); } // powScalar
    case 22u: { return v * a + b; } // affine
    case 23u: { return v * (0.5 + 0.5 * erf_(v * 0.70710678)); } // gelu
    case 24u: { return 0.5 + 0.5 * erf_(v * 0.70710678) + v * 0.39894228 * exp(-0.5 * v * v); } // geluGrad
    default: { return bitcast<f32>(poisonBits()); } // no op: NaN
  }
}

@compute @workgroup_size(WG)
fn unary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  out[i] = TOut(apply(f32(x[i]), pf(1u), pf(2u)));
}
