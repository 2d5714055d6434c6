// Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, "Layer Normalization"), with
// PyTorch nn.LayerNorm's semantics: biased variance, eps inside the square root.
// The CPU twin is in src/engine/ops/layer-norm.ts.
//
//   μ = (1/D) Σ_j x_j,   σ² = (1/D) Σ_j (x_j − μ)²,   rstd = 1/√(σ² + eps)
//   x̂_j = (x_j − μ)·rstd,   y_j = x̂_j·w_j + b_j
//
// Backward (g_j = dy_j·w_j):
//   dx_j = rstd·(g_j − mean_k g_k − x̂_j·mean_k(g_k x̂_k))
//   dw_j = Σ_rows dy_j x̂_j,   db_j = Σ_rows dy_j
//
// Schedules: forward and dx use one invocation per row (rows are model widths, ≤ ~1024; a
// workgroup tree reduction would cost a barrier per level, which on SwiftShader is a full thread
// switch); dw/db use one invocation per column, looping over the rows in order, so the sums are
// deterministic without atomics. The mean and variance are a shifted two-pass (Chan, Golub &
// LeVeque 1983): μ = K + mean(x − K) with K = x_0, then σ² = mean((x − K) − (μ − K))², never
// E[x²] − μ², which cancels catastrophically when |μ| ≫ σ.
// X, DY, Y and DX are contiguous [R, D] (offsets in the uniform block); mean and rstd are [R].

struct Params {
  R: u32, D: u32, offX: u32, offW: u32,
  offB: u32, offG: u32, hasW: u32, hasB: u32,
  eps: f32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

@group(0) @binding(1) var<storage, read> fX: array<f32>;
@group(0) @binding(2) var<storage, read> fW: array<f32>;
@group(0) @binding(3) var<storage, read> fB: array<f32>;
@group(0) @binding(4) var<storage, read_write> fY: array<f32>;
@group(0) @binding(5) var<storage, read_write> fMean: array<f32>;
@group(0) @binding(6) var<storage, read_write> fRstd: array<f32>;

@compute @workgroup_size(64)
fn layernorm_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.R) { return; }
  let base = P.offX + r * P.D;
  // Shifted by the row's first element K: x_j − K is exact when x_j and K are within a factor 2
  // (Sterbenz), so the sum of the small shifted values keeps its low bits where Σ x_j would lose
  // them to |μ| (μ 300, σ 0.1: y error 1.3e-3 → below PyTorch float32's 7.3e-4).
  let K = fX[base];
  var s = 0.0;
  for (var j = 0u; j < P.D; j++) { s += fX[base + j] - K; }
  let mc = s / f32(P.D); // μ − K
  var v = 0.0;
  for (var j = 0u; j < P.D; j++) {
    let c = (fX[base + j] - K) - mc;
    v += c * c;
  }
  let rstd = inverseSqrt(v / f32(P.D) + P.eps);
  let mu = K + mc;
  for (var j = 0u; j < P.D; j++) {
    var y = ((fX[base + j] - K) - mc) * rstd;
    if (P.hasW == 1u) { y *= fW[P.offW + j]; }
    if (P.hasB == 1u) { y += fB[P.offB + j]; }
    fY[r * P.D + j] = y;
  }
  fMean[r] = mu;
  fRstd[r] = rstd;
}

@group(0) @binding(1) var<storage, read> dX: array<f32>;
@group(0) @binding(2) var<storage, read> dW: array<f32>;
@group(0) @binding(3) var<storage, read> dDY: array<f32>;
@group(0) @binding(4) var<storage, read> dMean: array<f32>;
@group(0) @binding(5) var<storage, read> dRstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dDX: array<f32>;

fn dxW(j: u32) -> f32 {
  if (P.hasW == 0u) { return 1.0; }
  return dW[P.offW + j];
}

@compute @workgroup_size(64)
fn layernorm_backward_dx(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.R) { return; }
  let base = P.offX + r * P.D;
  let gbase = P.offG + r * P.D;
  let mu = dMean[r];
  let rstd = dRstd[r];
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < P.D; j++) {
    let g = dDY[gbase + j] * dxW(j);
    sg += g;
    sgx += g * (dX[base + j] - mu) * rstd;
  }
  let mg = sg / f32(P.D);
  let mgx = sgx / f32(P.D);
  for (var j = 0u; j < P.D; j++) {
    let g = dDY[gbase + j] * dxW(j);
    let xh = (dX[base + j] - mu) * rstd;
    dDX[r * P.D + j] = rstd * (g - mg - xh * mgx);
  }
}

@group(0) @binding(1) var<storage, read> pX: array<f32>;
@group(0) @binding(2) var<storage, read> pDY: array<f32>;
@group(0) @binding(3) var<storage, read> pMean: array<f32>;
@group(0) @binding(4) var<storage, read> pRstd: array<f32>;
// [2, D]: dweight in row 0, dbias in row 1.
@group(0) @binding(5) var<storage, read_write> pOut: array<f32>;

@compute @workgroup_size(64)
fn layernorm_backward_params(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flatIndex(gid, nwg);
  if (j >= P.D) { return; }
  var dw = 0.0;
  var db = 0.0;
  for (var r = 0u; r < P.R; r++) {
    let g = pDY[P.offG + r * P.D + j];
    dw += g * (pX[P.offX + r * P.D + j] - pMean[r]) * pRstd[r];
    db += g;
  }
  pOut[j] = dw;
  pOut[P.D + j] = db;
}
