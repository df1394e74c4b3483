// Fused, in-place optimiser updates: one pass over the parameters instead of a dozen elementwise
// kernels and temporaries. Same update rules as the CPU backend (PyTorch's).
override WG: u32 = 256u;
override HAS_BUF: bool = false;

@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;   // Adam m, or SGD momentum buffer
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;   // Adam v

// Params: 0 n, 1 lr, 2 beta1, 3 beta2, 4 eps, 5 weightDecay, 6 decoupled, 7 1-beta1^t, 8 1-beta2^t.
@compute @workgroup_size(WG)
fn adam_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let lr = pf(1u); let b1 = pf(2u); let b2 = pf(3u); let wd = pf(5u);
  let decoupled = pu(6u) == 1u;
  let p = param[i];
  let g = grad[i] + select(wd * p, 0.0, decoupled);
  let m = b1 * m1[i] + (1.0 - b1) * g;
  let v = b2 * m2[i] + (1.0 - b2) * g * g;
  m1[i] = m;
  m2[i] = v;
  let decay = select(1.0, 1.0 - lr * wd, decoupled);
  param[i] = p * decay - lr * (m / pf(7u)) / (sqrt(v / pf(8u)) + pf(4u));
}

// Params: 0 n, 1 lr, 2 momentum, 3 dampening, 4 weightDecay, 5 nesterov, 6 first step.
@compute @workgroup_size(WG)
fn sgd_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatId(gid, nwg, WG);
  if (i >= pu(0u)) { return; }
  let p = param[i];
  var d = grad[i] + pf(4u) * p;
  if (HAS_BUF) {
    let mom = pf(2u);
    let buf = select(mom * m1[i] + (1.0 - pf(3u)) * d, d, pu(6u) == 1u);
    m1[i] = buf;
    d = select(buf, d + mom * buf, pu(5u) == 1u);
  }
  param[i] = p - pf(1u) * d;
}
