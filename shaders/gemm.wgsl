// The one tiled GEMM core behind matmul and the three convolutions (implicit GEMM). A kernel
// file appended after this one supplies loadA(batch, m, k, kEnd), loadB(batch, k, n, kEnd) and
// storeC(z, batch, split, m, n, v): matmul reads plain matrices, conv builds im2col operands on
// the fly. The loaders return 0 outside [0, M) x [0, kEnd) and [0, kEnd) x [0, N), so sizes need
// not be multiples of the tile.
//
// A workgroup computes a TM x TN tile of C; each invocation a 4 x 4 register block of it (one
// vec4 of A times one vec4 of B per k: 16 FMAs per two shared-memory reads). K is walked in
// steps of TK through workgroup memory. Split-K: z = split * nBatch + batch, and split s covers
// k in [s*kChunk, (s+1)*kChunk), for the tall-skinny products (conv filter gradients) where
// M x N alone would give too few workgroups.
override TM: u32 = 64u;
override TN: u32 = 64u;
const TK = 16u;

@group(0) @binding(1) var<storage, read> srcA: array<f32>;
@group(0) @binding(2) var<storage, read> srcB: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

var<workgroup> As: array<vec4<f32>, TK * TM / 4u>;   // As[k * TM/4 + m/4][m % 4]
var<workgroup> Bs: array<vec4<f32>, TK * TN / 4u>;   // Bs[k * TN/4 + n/4][n % 4]

// Params: 0 M, 1 N, 2 K, 3 kChunk, 4 nBatch, 5 zBase (for more than 65535 batches);
// the kernel file's own parameters start at word 6.
@compute @workgroup_size(TN / 4u, TM / 4u)
fn gemm_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
             @builtin(local_invocation_index) li: u32) {
  let z = wid.z + pu(5u);
  let batch = z % pu(4u);
  let split = z / pu(4u);
  let kBegin = split * pu(3u);
  let kEnd = min(pu(2u), kBegin + pu(3u));
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let threads = (TM / 4u) * (TN / 4u);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    for (var e = li; e < TK * TM; e += threads) {
      let kk = e % TK;
      let mm = e / TK;
      As[(kk * TM + mm) / 4u][mm % 4u] = loadA(batch, row0 + mm, k0 + kk, kEnd);
    }
    for (var e = li; e < TK * TN; e += threads) {
      let nn = e % TN;
      let kk = e / TN;
      Bs[(kk * TN + nn) / 4u][nn % 4u] = loadB(batch, k0 + kk, col0 + nn, kEnd);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = As[kk * (TM / 4u) + lid.y];
      let b = Bs[kk * (TN / 4u) + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let M = pu(0u);
  let N = pu(1u);
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (m < M && n < N) { storeC(z, batch, split, m, n, acc[i][j]); }
    }
  }
}
