// Batched matrix multiply with a fused epilogue:
//   C[b, i, j] = act( Σ_k A[b, i, k] · B[b, k, j] + bias[j] ),   act ∈ {identity, relu, gelu}
// Operands are read through (batch, row, col) strides, so a transposed operand (a view with
// swapped strides) and a batch-broadcast operand (batch stride 0) need no copy, in every kernel.
//
// Kernels (llm.c style: each validated against the CPU reference in matmul.test.ts; the selector
// and autotuner in src/engine/ops/matmul.ts pick one per adapter and shape):
//   1. mm_4x4      the simple reference: one 4×4 block of C per invocation, one k per iteration,
//                  a bounds-checked load per element.
//   2. mm_reg{4,8,16}  barrier-free register tiling: a T×T block of C per invocation, k unrolled
//                  by 4 as 4×4 matrix products. On SwiftShader (the CPU WebGPU) every storage load
//                  is a per-lane gather and a workgroup barrier is a coroutine switch, so the cost
//                  is the loads per multiply-add, 2/T; larger T wins while the grid stays wide
//                  enough to fill the CPU cores.
//   3. mm_wg64     workgroup-memory tiling, meant for real GPUs (where the autotuner decides): a
//                  64×64 block of C per workgroup of 16×16 invocations (4×4 each), A and B staged
//                  in 16-deep k slices.
//   4. mm_sg16     mm_reg16 with B shared across a quad through quadBroadcast, in
//                  shaders/matmul_subgroup.wgsl (appended to this file where the device has
//                  `subgroups`).
//
// Accumulators hold the transposed block: for rows r..r+3 and columns c..c+3, with
// Ã = A[r.., k..k+3] and B̃ = B[k..k+3, c..], the update C̃ += Ã·B̃ is written C̃ᵀ += B̃ᵀ·Ãᵀ,
// because a WGSL mat4x4 is built from columns, and column i of C̃ᵀ is output row r+i.

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  sAb: u32, sAm: u32, sAk: u32, offA: u32,
  sBb: u32, sBk: u32, sBn: u32, offB: u32,
  offC: u32, offBias: u32, hasBias: u32, act: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

// Activation codes; the CPU twin is MATMUL_ACTIVATIONS in src/engine/ops/matmul.ts.
const ACT_RELU: u32 = 1u;
const ACT_GELU: u32 = 2u;
const INV_SQRT2: f32 = 0.70710678118654752;
const STEP4: vec4<u32> = vec4<u32>(0u, 1u, 2u, 3u);

// erf(x) from the complementary error function's Chebyshev fit (Numerical Recipes, erfcc),
// fractional error < 1.2e-7; the same formula as elementwise.wgsl and the CPU `erf`.
fn erf_(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
      t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r - 1.0, 1.0 - r, x >= 0.0);
}

// act(v + bias[col..col+3]); the flags are uniform, so every invocation takes the same branch.
fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
  var y = v;
  if (P.hasBias == 1u) {
    let c = min(vec4<u32>(col) + STEP4, vec4<u32>(P.N - 1u)) + vec4<u32>(P.offBias);
    y += vec4<f32>(Bias[c.x], Bias[c.y], Bias[c.z], Bias[c.w]);
  }
  if (P.act == ACT_RELU) {
    y = max(y, vec4<f32>(0.0));
  } else if (P.act == ACT_GELU) {
    // gelu(x) = x · Φ(x) = ½ x (1 + erf(x / √2))
    let e = vec4<f32>(erf_(y.x * INV_SQRT2), erf_(y.y * INV_SQRT2), erf_(y.z * INV_SQRT2), erf_(y.w * INV_SQRT2));
    y = 0.5 * y * (1.0 + e);
  }
  return y;
}

// Writes the transposed accumulator block acc (column i = output row row+i) of batch b.
fn store4x4(b: u32, row: u32, col: u32, acc: mat4x4<f32>) {
  if (col >= P.N) { return; }
  let base = P.offC + b * P.M * P.N;
  for (var r = 0u; r < 4u; r++) {
    let i = row + r;
    if (i >= P.M) { return; }
    let v = epilogue(acc[r], col);
    for (var c = 0u; c < 4u; c++) {
      if (col + c < P.N) { C[base + i * P.N + col + c] = v[c]; }
    }
  }
}

// ---- 1. mm_4x4: the simple reference kernel ------------------------------------------------

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
  var acc = mat4x4<f32>();
  for (var k = 0u; k < P.K; k++) {
    let bv = vec4<f32>(loadB(baseB, k, col), loadB(baseB, k, col + 1u), loadB(baseB, k, col + 2u), loadB(baseB, k, col + 3u));
    acc[0] += loadA(baseA, row, k) * bv;
    acc[1] += loadA(baseA, row + 1u, k) * bv;
    acc[2] += loadA(baseA, row + 2u, k) * bv;
    acc[3] += loadA(baseA, row + 3u, k) * bv;
  }
  store4x4(b, row, col, acc);
}

// ---- 2. mm_reg{4,8,16}: barrier-free register tiling ---------------------------------------

// Element offsets of 4 consecutive rows (or columns) first..first+3 of an operand, clamped to the
// last one: no load leaves the tensor, and store4x4 discards the rows computed from clamped lanes.
fn lanes4(base: u32, first: u32, count: u32, stride: u32) -> vec4<u32> {
  return base + min(vec4<u32>(first) + STEP4, vec4<u32>(count - 1u)) * stride;
}

// Ãᵀ for rows at offsets ra and reduction offsets ka (= k..k+3 times the k stride).
fn tileA(ra: vec4<u32>, ka: vec4<u32>) -> mat4x4<f32> {
  return mat4x4<f32>(
    vec4<f32>(A[ra.x + ka.x], A[ra.x + ka.y], A[ra.x + ka.z], A[ra.x + ka.w]),
    vec4<f32>(A[ra.y + ka.x], A[ra.y + ka.y], A[ra.y + ka.z], A[ra.y + ka.w]),
    vec4<f32>(A[ra.z + ka.x], A[ra.z + ka.y], A[ra.z + ka.z], A[ra.z + ka.w]),
    vec4<f32>(A[ra.w + ka.x], A[ra.w + ka.y], A[ra.w + ka.z], A[ra.w + ka.w]),
  );
}

// B̃ᵀ for columns at offsets cb and reduction offsets kb: column q is row k+q of B.
fn tileB(cb: vec4<u32>, kb: vec4<u32>) -> mat4x4<f32> {
  return mat4x4<f32>(
    vec4<f32>(B[cb.x + kb.x], B[cb.y + kb.x], B[cb.z + kb.x], B[cb.w + kb.x]),
    vec4<f32>(B[cb.x + kb.y], B[cb.y + kb.y], B[cb.z + kb.y], B[cb.w + kb.y]),
    vec4<f32>(B[cb.x + kb.z], B[cb.y + kb.z], B[cb.z + kb.z], B[cb.w + kb.z]),
    vec4<f32>(B[cb.x + kb.w], B[cb.y + kb.w], B[cb.z + kb.w], B[cb.w + kb.w]),
  );
}

// One k of the remainder (K mod 4): A's column over 4 rows, B's row over 4 columns.
fn colA(ra: vec4<u32>, ka: u32) -> vec4<f32> {
  return vec4<f32>(A[ra.x + ka], A[ra.y + ka], A[ra.z + ka], A[ra.w + ka]);
}

fn rowB(cb: vec4<u32>, kb: u32) -> vec4<f32> {
  return vec4<f32>(B[cb.x + kb], B[cb.y + kb], B[cb.z + kb], B[cb.w + kb]);
}

// The rank-1 update a·bᵀ in transposed form: (a bᵀ)ᵀ has column i equal to b · a[i].
fn outer(b: vec4<f32>, a: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(b * a.x, b * a.y, b * a.z, b * a.w);
}

@compute @workgroup_size(4, 4, 1)
fn mm_reg4(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y * 4u;
  let col = gid.x * 4u;
  let b = gid.z;
  if (row >= P.M || col >= P.N || b >= P.batch) { return; }
  let ra = lanes4(P.offA + b * P.sAb, row, P.M, P.sAm);
  let cb = lanes4(P.offB + b * P.sBb, col, P.N, P.sBn);
  var c00 = mat4x4<f32>();
  let K4 = P.K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    let kv = vec4<u32>(k) + STEP4;
    c00 += tileB(cb, kv * P.sBk) * tileA(ra, kv * P.sAk);
  }
  for (var k = K4; k < P.K; k++) {
    c00 += outer(rowB(cb, k * P.sBk), colA(ra, k * P.sAk));
  }
  store4x4(b, row, col, c00);
}

@compute @workgroup_size(4, 4, 1)
fn mm_reg8(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y * 8u;
  let col = gid.x * 8u;
  let b = gid.z;
  if (row >= P.M || col >= P.N || b >= P.batch) { return; }
  let bA = P.offA + b * P.sAb;
  let bB = P.offB + b * P.sBb;
  let ra0 = lanes4(bA, row, P.M, P.sAm);
  let ra1 = lanes4(bA, row + 4u, P.M, P.sAm);
  let cb0 = lanes4(bB, col, P.N, P.sBn);
  let cb1 = lanes4(bB, col + 4u, P.N, P.sBn);
  var c00 = mat4x4<f32>();
  var c01 = mat4x4<f32>();
  var c10 = mat4x4<f32>();
  var c11 = mat4x4<f32>();
  let K4 = P.K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    let kv = vec4<u32>(k) + STEP4;
    let ka = kv * P.sAk;
    let kb = kv * P.sBk;
    let a0 = tileA(ra0, ka);
    let a1 = tileA(ra1, ka);
    let b0 = tileB(cb0, kb);
    let b1 = tileB(cb1, kb);
    c00 += b0 * a0; c01 += b1 * a0;
    c10 += b0 * a1; c11 += b1 * a1;
  }
  for (var k = K4; k < P.K; k++) {
    let ka = k * P.sAk;
    let kb = k * P.sBk;
    let a0 = colA(ra0, ka);
    let a1 = colA(ra1, ka);
    let b0 = rowB(cb0, kb);
    let b1 = rowB(cb1, kb);
    c00 += outer(b0, a0); c01 += outer(b1, a0);
    c10 += outer(b0, a1); c11 += outer(b1, a1);
  }
  store4x4(b, row, col, c00); store4x4(b, row, col + 4u, c01);
  store4x4(b, row + 4u, col, c10); store4x4(b, row + 4u, col + 4u, c11);
}

@compute @workgroup_size(4, 4, 1)
fn mm_reg16(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y * 16u;
  let col = gid.x * 16u;
  let b = gid.z;
  if (row >= P.M || col >= P.N || b >= P.batch) { return; }
  let bA = P.offA + b * P.sAb;
  let bB = P.offB + b * P.sBb;
  let ra0 = lanes4(bA, row, P.M, P.sAm);
  let ra1 = lanes4(bA, row + 4u, P.M, P.sAm);
  let ra2 = lanes4(bA, row + 8u, P.M, P.sAm);
  let ra3 = lanes4(bA, row + 12u, P.M, P.sAm);
  let cb0 = lanes4(bB, col, P.N, P.sBn);
  let cb1 = lanes4(bB, col + 4u, P.N, P.sBn);
  let cb2 = lanes4(bB, col + 8u, P.N, P.sBn);
  let cb3 = lanes4(bB, col + 12u, P.N, P.sBn);
  var c00 = mat4x4<f32>(); var c01 = mat4x4<f32>(); var c02 = mat4x4<f32>(); var c03 = mat4x4<f32>();
  var c10 = mat4x4<f32>(); var c11 = mat4x4<f32>(); var c12 = mat4x4<f32>(); var c13 = mat4x4<f32>();
  var c20 = mat4x4<f32>(); var c21 = mat4x4<f32>(); var c22 = mat4x4<f32>(); var c23 = mat4x4<f32>();
  var c30 = mat4x4<f32>(); var c31 = mat4x4<f32>(); var c32 = mat4x4<f32>(); var c33 = mat4x4<f32>();
  let K4 = P.K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    let kv = vec4<u32>(k) + STEP4;
    let ka = kv * P.sAk;
    let kb = kv * P.sBk;
    let b0 = tileB(cb0, kb);
    let b1 = tileB(cb1, kb);
    let b2 = tileB(cb2, kb);
    let b3 = tileB(cb3, kb);
    let a0 = tileA(ra0, ka);
    c00 += b0 * a0; c01 += b1 * a0; c02 += b2 * a0; c03 += b3 * a0;
    let a1 = tileA(ra1, ka);
    c10 += b0 * a1; c11 += b1 * a1; c12 += b2 * a1; c13 += b3 * a1;
    let a2 = tileA(ra2, ka);
    c20 += b0 * a2; c21 += b1 * a2; c22 += b2 * a2; c23 += b3 * a2;
    let a3 = tileA(ra3, ka);
    c30 += b0 * a3; c31 += b1 * a3; c32 += b2 * a3; c33 += b3 * a3;
  }
  for (var k = K4; k < P.K; k++) {
    let ka = k * P.sAk;
    let kb = k * P.sBk;
    let b0 = rowB(cb0, kb);
    let b1 = rowB(cb1, kb);
    let b2 = rowB(cb2, kb);
    let b3 = rowB(cb3, kb);
    let a0 = colA(ra0, ka);
    c00 += outer(b0, a0); c01 += outer(b1, a0); c02 += outer(b2, a0); c03 += outer(b3, a0);
    let a1 = colA(ra1, ka);
    c10 += outer(b0, a1); c11 += outer(b1, a1); c12 += outer(b2, a1); c13 += outer(b3, a1);
    let a2 = colA(ra2, ka);
    c20 += outer(b0, a2); c21 += outer(b1, a2); c22 += outer(b2, a2); c23 += outer(b3, a2);
    let a3 = colA(ra3, ka);
    c30 += outer(b0, a3); c31 += outer(b1, a3); c32 += outer(b2, a3); c33 += outer(b3, a3);
  }
  store4x4(b, row, col, c00); store4x4(b, row, col + 4u, c01); store4x4(b, row, col + 8u, c02); store4x4(b, row, col + 12u, c03);
  store4x4(b, row + 4u, col, c10); store4x4(b, row + 4u, col + 4u, c11); store4x4(b, row + 4u, col + 8u, c12); store4x4(b, row + 4u, col + 12u, c13);
  store4x4(b, row + 8u, col, c20); store4x4(b, row + 8u, col + 4u, c21); store4x4(b, row + 8u, col + 8u, c22); store4x4(b, row + 8u, col + 12u, c23);
  store4x4(b, row + 12u, col, c30); store4x4(b, row + 12u, col + 4u, c31); store4x4(b, row + 12u, col + 8u, c32); store4x4(b, row + 12u, col + 12u, c33);
}

// ---- 3. mm_wg64: workgroup-memory tiling ---------------------------------------------------

const WG_TILE: u32 = 64u;
const WG_BK: u32 = 16u;

// k-major slices: sA[kk * 64 + i] = A[row0 + i, k0 + kk], sB[kk * 64 + j] = B[k0 + kk, col0 + j].
var<workgroup> sA: array<f32, 1024>;
var<workgroup> sB: array<f32, 1024>;

@compute @workgroup_size(16, 16, 1)
fn mm_wg64(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row0 = wid.y * WG_TILE;
  let col0 = wid.x * WG_TILE;
  let b = wid.z;
  let t = lid.y * 16u + lid.x;
  let bA = P.offA + b * P.sAb;
  let bB = P.offB + b * P.sBb;
  // Staging order: consecutive invocations walk the operand's unit-stride dimension, so global
  // reads coalesce whether the operand is stored row- or column-major.
  let aAlongK = P.sAk == 1u;
  let bAlongK = P.sBk == 1u && P.sBn != 1u;
  var acc = mat4x4<f32>();
  for (var k0 = 0u; k0 < P.K; k0 += WG_BK) {
    for (var q = 0u; q < 4u; q++) {
      let e = t + q * 256u;
      var i = e % WG_TILE;
      var kk = e / WG_TILE;
      if (aAlongK) { i = e / WG_BK; kk = e % WG_BK; }
      var va = 0.0;
      if (row0 + i < P.M && k0 + kk < P.K) { va = A[bA + (row0 + i) * P.sAm + (k0 + kk) * P.sAk]; }
      sA[kk * WG_TILE + i] = va;
      var j = e % WG_TILE;
      var kj = e / WG_TILE;
      if (bAlongK) { j = e / WG_BK; kj = e % WG_BK; }
      var vb = 0.0;
      if (col0 + j < P.N && k0 + kj < P.K) { vb = B[bB + (k0 + kj) * P.sBk + (col0 + j) * P.sBn]; }
      sB[kj * WG_TILE + j] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < WG_BK; kk++) {
      let ia = kk * WG_TILE + lid.y * 4u;
      let jb = kk * WG_TILE + lid.x * 4u;
      let a = vec4<f32>(sA[ia], sA[ia + 1u], sA[ia + 2u], sA[ia + 3u]);
      let bv = vec4<f32>(sB[jb], sB[jb + 1u], sB[jb + 2u], sB[jb + 3u]);
      acc += outer(bv, a);
    }
    workgroupBarrier();
  }
  store4x4(b, row0 + lid.y * 4u, col0 + lid.x * 4u, acc);
}
