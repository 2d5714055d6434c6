// Cross-entropy of logits against class indices, fused (log-softmax + gather in one pass over a
// row), with PyTorch's ignore_index and label smoothing. The CPU twin and the PyTorch definitions
// are in src/engine/ops/cross-entropy.ts.
//
// Per row n (logits x [C], target t, smoothing ε, class weights w — all 1 without hasW):
//   m = max_c x_c,   log s = log Σ_c exp(x_c − m),   −log p_c = (m − x_c) + log s
//   loss_n = (1 − ε)·w_t·(−log p_t) + (ε/C)·Σ_c w_c·(−log p_c),   0 (not counted) if t = ignore_index
// Reduction: mean = Σ loss_n / Σ_counted w_t (PyTorch's weighted mean; 0 when that is 0, where
// PyTorch gives NaN), sum, none.
// Backward: dx_c = f_n·((1 − ε)·w_t·(p_c − [c = t]) + (ε/C)·(W·p_c − w_c)),  W = Σ_c w_c, with f_n
// the upstream gradient (times 1/Σ w_t for mean), and 0 on ignored rows.
//
// The stats keep m and log s apart (not lse = m + log s): with |x| ~ 1e4 an f32 lse has an ulp of
// ~1e-3, and exp(x_c − lse) would carry that error; (x_c − m) − log s does not.
// A target outside [0, C) that is not ignore_index cannot raise an error here: the row is treated
// as ignored (the CPU reference throws).
//
// Schedules: forward one invocation per row (two passes over C; see softmax.wgsl on why not a
// workgroup per row on SwiftShader); the reduction is one invocation summing the rows in order
// (deterministic, N ≤ a few thousand); the backward one invocation per logit.

struct Params {
  N: u32, C: u32, offL: u32, offT: u32,
  offG: u32, ignoreIndex: i32, mode: u32, smoothing: f32,
  offW: u32, hasW: u32, nanBits: u32, pad1: u32, // nanBits: a quiet NaN (WGSL has no NaN constant)
}

// mode: how the upstream gradient and the reduction apply.
const NONE: u32 = 0u;
const MEAN: u32 = 1u;

@group(0) @binding(0) var<uniform> P: Params;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

// NaN or ±∞, on the bits: SwiftShader's float compares and max() do not keep IEEE NaN semantics.
fn nonFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) >= 0x7f800000u;
}

fn counted(t: i32) -> bool {
  return t != P.ignoreIndex && t >= 0 && u32(t) < P.C;
}

@group(0) @binding(1) var<storage, read> fL: array<f32>;
@group(0) @binding(2) var<storage, read> fT: array<i32>;
@group(0) @binding(3) var<storage, read_write> fLoss: array<f32>;
// [N, 4]: m, log s, w_t (the row's weight in the mean; 0 when not counted), W = Σ_c w_c.
@group(0) @binding(4) var<storage, read_write> fStats: array<f32>;
@group(0) @binding(5) var<storage, read> fW: array<f32>;

fn fWeight(c: u32) -> f32 {
  if (P.hasW == 0u) { return 1.0; }
  return fW[P.offW + c];
}

@compute @workgroup_size(64)
fn ce_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = flatIndex(gid, nwg);
  if (n >= P.N) { return; }
  let tgt = fT[P.offT + n];
  if (!counted(tgt)) {
    fLoss[n] = 0.0;
    fStats[4u * n] = 0.0;
    fStats[4u * n + 1u] = 0.0;
    fStats[4u * n + 2u] = 0.0;
    fStats[4u * n + 3u] = 0.0;
    return;
  }
  let base = P.offL + n * P.C;
  var m = fL[base];
  for (var c = 1u; c < P.C; c++) { m = max(m, fL[base + c]); }
  var s = 0.0;
  var gap = 0.0; // Σ_c w_c (m − x_c)
  var sumW = 0.0;
  var nanRow = false; // a NaN or +∞ logit: PyTorch's row loss and gradient are NaN
  for (var c = 0u; c < P.C; c++) {
    let xc = fL[base + c];
    nanRow = nanRow || (nonFinite(xc) && bitcast<u32>(xc) != 0xff800000u);
    let d = m - xc;
    let w = fWeight(c);
    s += exp(-d);
    gap += w * d;
    sumW += w;
  }
  var logS = log(s);
  if (nanRow) { logS = bitcast<f32>(P.nanBits); } // the backward reads it as "NaN row"
  let wt = fWeight(u32(tgt));
  let nll = wt * ((m - fL[base + u32(tgt)]) + logS);
  var loss = nll;
  if (P.smoothing != 0.0) {
    loss = (1.0 - P.smoothing) * nll + P.smoothing * (gap + sumW * logS) / f32(P.C);
  }
  if (nanRow) { loss = bitcast<f32>(P.nanBits); }
  fLoss[n] = loss;
  fStats[4u * n] = m;
  fStats[4u * n + 1u] = logS;
  fStats[4u * n + 2u] = wt;
  fStats[4u * n + 3u] = sumW;
}

@group(0) @binding(1) var<storage, read> rLoss: array<f32>;
@group(0) @binding(2) var<storage, read> rStats: array<f32>;
// [2]: the reduced loss, and the factor the backward applies to the upstream gradient.
@group(0) @binding(3) var<storage, read_write> rOut: array<f32>;

@compute @workgroup_size(1)
fn ce_reduce() {
  var total = 0.0;
  var count = 0.0;
  for (var n = 0u; n < P.N; n++) {
    total += rLoss[n];
    count += rStats[4u * n + 2u];
  }
  if (P.mode == MEAN) {
    // All targets ignored (or their weights sum to 0): 0 and a zero gradient, where PyTorch returns
    // NaN (see cross-entropy.ts).
    if (count > 0.0) {
      rOut[0] = total / count;
      rOut[1] = 1.0 / count;
    } else {
      rOut[0] = 0.0;
      rOut[1] = 0.0;
    }
  } else {
    rOut[0] = total;
    rOut[1] = 1.0;
  }
}

@group(0) @binding(1) var<storage, read> bL: array<f32>;
@group(0) @binding(2) var<storage, read> bT: array<i32>;
@group(0) @binding(3) var<storage, read> bStats: array<f32>;
@group(0) @binding(4) var<storage, read> bRed: array<f32>;
@group(0) @binding(5) var<storage, read> bG: array<f32>;
@group(0) @binding(6) var<storage, read_write> bDX: array<f32>;
@group(0) @binding(7) var<storage, read> bW: array<f32>;

@compute @workgroup_size(64)
fn ce_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.N * P.C) { return; }
  let n = e / P.C;
  let c = e % P.C;
  let tgt = bT[P.offT + n];
  if (!counted(tgt)) {
    bDX[e] = 0.0;
    return;
  }
  var f = 0.0;
  if (P.mode == NONE) { f = bG[P.offG + n]; } else { f = bG[P.offG] * bRed[1]; }
  let p = exp((bL[P.offL + e] - bStats[4u * n]) - bStats[4u * n + 1u]);
  let wt = bStats[4u * n + 2u];
  if (nonFinite(bStats[4u * n + 1u])) { // a NaN row (see ce_forward)
    bDX[e] = bitcast<f32>(P.nanBits);
    return;
  }
  var d = (1.0 - P.smoothing) * wt * p;
  if (i32(c) == tgt) { d -= (1.0 - P.smoothing) * wt; }
  if (P.smoothing != 0.0) {
    var wc = 1.0;
    if (P.hasW == 1u) { wc = bW[P.offW + c]; }
    d += (P.smoothing / f32(P.C)) * (bStats[4u * n + 3u] * p - wc);
  }
  bDX[e] = f * d;
}
