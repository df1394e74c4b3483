// Batched matmul operands for the GEMM core: C[z] = op(A[batch]) op(B[batch]), transposes read
// by index, a broadcast batch by a batch stride of 0. With split-K the output is
// [splits, batch, M, N] and the host sums the splits.
override TRANS_A: bool = false;
override TRANS_B: bool = false;

// Params: 6 batch stride of A, 7 batch stride of B.
fn loadA(batch: u32, m: u32, k: u32, kEnd: u32) -> f32 {
  let M = pu(0u);
  let K = pu(2u);
  if (m >= M || k >= kEnd) { return 0.0; }
  return srcA[batch * pu(6u) + select(m * K + k, k * M + m, TRANS_A)];
}

fn loadB(batch: u32, k: u32, n: u32, kEnd: u32) -> f32 {
  let N = pu(1u);
  let K = pu(2u);
  if (n >= N || k >= kEnd) { return 0.0; }
  return srcB[batch * pu(7u) + select(k * N + n, n * K + k, TRANS_B)];
}

fn storeC(z: u32, batch: u32, split: u32, m: u32, n: u32, v: f32) {
  dst[(z * pu(0u) + m) * pu(1u) + n] = v;
}
