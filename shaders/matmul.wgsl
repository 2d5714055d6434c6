// Batched matrix multiply with an optional bias epilogue:
//   C[b, i, j] = Σ_k A[b, i, k] · B[b, k, j] (+ bias[j])
// Operands are read through (batch, row, col) strides, so a transposed operand (a view with
// swapped strides) and a batch-broadcast operand (batch stride 0) need no copy.
//
// Schedule `mm_4x4`: each invocation owns a 4×4 block of C and streams A and B straight from
// memory with no workgroup barriers. On SwiftShader (the CPU WebGPU) a barrier costs a coroutine
// switch, so barrier-free register blocking beats shared-memory tiles there; real GPUs get the
// tiled variant chosen by the kernel selector.

override HAS_BIAS: u32 = 0u;

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  sAb: u32, sAm: u32, sAk: u32, offA: u32,
  sBb: u32, sBk: u32, sBn: u32, offB: u32,
  offC: u32, offBias: u32, pad0: u32, pad1: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

fn loadA(base: u32, i: u32, k: u32) -> f32 {
  if (i >= P.M) { return 0.0; }
  return A[base + i * P.sAm + k * P.sAk];
}

fn loadB(base: u32, k: u32, j: u32) -> f32 {
  if (j >= P.N) { return 0.0; }
  return B[base + k * P.sBk + j * P.sBn];
}

@compute @workgroup_size(8, 8, 1)
fn mm_4x4(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y * 4u;
  let col = gid.x * 4u;
  let b = gid.z;
  if (row >= P.M || col >= P.N || b >= P.batch) { return; }
  let baseA = P.offA + b * P.sAb;
  let baseB = P.offB + b * P.sBb;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < P.K; k++) {
    let bv = vec4<f32>(loadB(baseB, k, col), loadB(baseB, k, col + 1u), loadB(baseB, k, col + 2u), loadB(baseB, k, col + 3u));
    acc[0] += loadA(baseA, row, k) * bv;
    acc[1] += loadA(baseA, row + 1u, k) * bv;
    acc[2] += loadA(baseA, row + 2u, k) * bv;
    acc[3] += loadA(baseA, row + 3u, k) * bv;
  }
  var bias = vec4<f32>(0.0);
  if (HAS_BIAS == 1u) {
    for (var c = 0u; c < 4u; c++) {
      if (col + c < P.N) { bias[c] = Bias[P.offBias + col + c]; }
    }
  }
  let baseC = P.offC + b * P.M * P.N;
  for (var r = 0u; r < 4u; r++) {
    let i = row + r;
    if (i >= P.M) { break; }
    let v = acc[r] + bias;
    for (var c = 0u; c < 4u; c++) {
      let j = col + c;
      if (j < P.N) { C[baseC + i * P.N + j] = v[c]; }
    }
  }
}
