// Prepended to every kernel: the one uniform parameter block and the index helpers.
// Why a flat word array: each kernel reads its parameters by position (pu/pi/pf), so the host
// needs a single packing helper instead of one struct per kernel. Binding 0 is always the
// parameter block; a kernel's buffers start at binding 1.

struct Params { v: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> P: Params;

fn pu(i: u32) -> u32 { return P.v[i >> 2u][i & 3u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }

// A 1-D problem is dispatched as a 2-D grid when it needs more than 65535 workgroups.
fn flatId(gid: vec3<u32>, nwg: vec3<u32>, wgSize: u32) -> u32 { return gid.x + gid.y * nwg.x * wgSize; }
fn flatGroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }

// The 32-bit word a switch's `default:` returns for a code that no table in codes.ts gives: a
// NaN as f32 (2143289344 as i32), so a code the host and the shader disagree on shows up instead
// of passing for an op. Made from a run-time value, since a NaN constant is a compile error.
fn poisonBits() -> u32 { return 0x7fc00000u | (pu(0u) & 0u); }

// x ** y with the real-valued answers Math.pow gives for negative bases and integer exponents.
fn powf(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (x == 0.0 && y < 0.0) { return 1.0 / x; }   // +-inf, whatever pow(0, y) does on this device
  let r = pow(abs(x), y);
  if (x >= 0.0) { return r; }
  if (floor(y) != y) { let zero = r * 0.0; return zero / zero; }   // NaN (a NaN literal is a compile error)
  if (abs(y) % 2.0 == 1.0) { return -r; }
  return r;
}
