// Scaled dot-product attention, backward (FlashAttention's scheme, Dao et al. 2022, Algorithm 2,
// without tiling into workgroup memory), and the backward of the masked row softmax.
// CPU twins: src/engine/ops/attention.ts. Forward and notation: attention_fwd.wgsl.
//
// With S = scale · Q Kᵀ (masked), P = exp(S − L) recomputed from the saved log-sum-exp L, the
// dropout factor Z (0 or 1/(1 − p); 1 without dropout), O = (P ∘ Z) V and the incoming dO:
//   dV = (P ∘ Z)ᵀ dO
//   dP = (dO Vᵀ) ∘ Z
//   D_i = Σ_j P_ij dP_ij = dO_i · O_i          (the softmax Jacobian's row term, from O: no P needed)
//   dS = P ∘ (dP − D)
//   dQ = scale · dS K,   dK = scale · dSᵀ Q
// Masked entries have P = 0, so they contribute nothing; a fully masked row (L = MASKED_L) gets
// dQ = 0, and a padding key gets dK = dV = 0.
//
// Three barrier-free kernels instead of float atomics: `sdpa_backward_d` computes D (one
// invocation per query row); `sdpa_backward_dq` runs one invocation per (b, h, query row);
// `sdpa_backward_dkv` one per (b, h, key row), summing over the queries that see that key. Both
// recompute S, which costs a second Q Kᵀ but stores nothing of size Tq × Tk. D gets its own kernel
// and buffer so that each of the others binds at most 8 storage buffers (WebGPU's default
// maxStorageBuffersPerShaderStage) with every buffer of one element type; dK and dV share one.
//
// T, DK, DV, MAX_D and dotT are specialised by the launcher exactly as in attention_fwd.wgsl
// (vec4<f32> chunks when head dims, offsets and strides allow); strides are in units of T.

// @specialise-begin (replaced by the launcher)
alias T = f32;
const DK: u32 = 64u;
const DV: u32 = 64u;
const MAX_D: u32 = 64u;
fn dotT(a: T, b: T) -> f32 { return a * b; }
// @specialise-end

override DROPOUT: u32 = 0u;

const MASKED_L: f32 = 3.4028234e38;

struct Params {
  B: u32, H: u32, Tq: u32, Tk: u32,
  d: u32, dv: u32, causal: u32, hasMask: u32,
  offMask: u32, offL: u32, offD: u32, offW: u32,
  scale: f32, dropP: f32, dropScale: f32, seed: u32,
  q: vec4<u32>, k: vec4<u32>, v: vec4<u32>, o: vec4<u32>,
  dO: vec4<u32>, dQ: vec4<u32>, dK: vec4<u32>, dV: vec4<u32>,
}

@group(0) @binding(0) var<uniform> P: Params;

fn at(s: vec4<u32>, b: u32, h: u32, t: u32) -> u32 {
  return s.x + b * s.y + h * s.z + t * s.w;
}

// The same dropout mask as the forward (attention_fwd.wgsl): a pure function of (seed, r·Tk + j).
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn dropFactor(r: u32, j: u32) -> f32 {
  if (DROPOUT == 0u) { return 1.0; }
  let u = f32(pcg(P.seed ^ pcg(r * P.Tk + j)) >> 8u) / 16777216.0;
  return select(0.0, P.dropScale, u >= P.dropP);
}

fn keyEnd(i: u32) -> u32 {
  if (P.causal == 0u) { return P.Tk; }
  return u32(clamp(i32(i) + i32(P.Tk) - i32(P.Tq) + 1, 0, i32(P.Tk)));
}

// First query that sees key j: i ≥ j − (Tk − Tq) under the causal mask.
fn queryStart(j: u32) -> u32 {
  if (P.causal == 0u) { return 0u; }
  return u32(clamp(i32(j) + i32(P.Tq) - i32(P.Tk), 0, i32(P.Tq)));
}

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

// ---- D = rowsum(dO ∘ O), one invocation per query row ----------------------------------------

@group(0) @binding(1) var<storage, read> bd_O: array<T>;
@group(0) @binding(2) var<storage, read> bd_dO: array<T>;
@group(0) @binding(3) var<storage, read_write> bd_D: array<f32>;

@compute @workgroup_size(64)
fn sdpa_backward_d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.B * P.H * P.Tq) { return; }
  let i = r % P.Tq;
  let bh = r / P.Tq;
  let h = bh % P.H;
  let b = bh / P.H;
  let ob = at(P.o, b, h, i);
  let gb = at(P.dO, b, h, i);
  var D = 0.0;
  for (var c = 0u; c < DV; c++) { D += dotT(bd_dO[gb + c], bd_O[ob + c]); }
  bd_D[P.offD + r] = D;
}

// ---- dQ, one invocation per query row ---------------------------------------------------------

@group(0) @binding(1) var<storage, read> bq_Q: array<T>;
@group(0) @binding(2) var<storage, read> bq_K: array<T>;
@group(0) @binding(3) var<storage, read> bq_V: array<T>;
@group(0) @binding(4) var<storage, read> bq_dO: array<T>;
@group(0) @binding(5) var<storage, read> bq_L: array<f32>;
@group(0) @binding(6) var<storage, read> bq_D: array<f32>;
@group(0) @binding(7) var<storage, read> bq_Mask: array<f32>;
@group(0) @binding(8) var<storage, read_write> bq_dQ: array<T>;

@compute @workgroup_size(64)
fn sdpa_backward_dq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.B * P.H * P.Tq) { return; }
  let i = r % P.Tq;
  let bh = r / P.Tq;
  let h = bh % P.H;
  let b = bh / P.H;

  var dq: array<T, MAX_D>;
  let lse = bq_L[P.offL + r];
  if (lse != MASKED_L) {
    let D = bq_D[P.offD + r];
    var qv: array<T, MAX_D>;
    var go: array<T, MAX_D>;
    let qb = at(P.q, b, h, i);
    let gb = at(P.dO, b, h, i);
    for (var c = 0u; c < DK; c++) { qv[c] = bq_Q[qb + c] * P.scale; }
    for (var c = 0u; c < DV; c++) { go[c] = bq_dO[gb + c]; }
    let end = keyEnd(i);
    for (var j = 0u; j < end; j++) {
      if (P.hasMask == 1u && bq_Mask[P.offMask + b * P.Tk + j] <= 0.5) { continue; }
      let kb = at(P.k, b, h, j);
      let vb = at(P.v, b, h, j);
      var s = 0.0;
      for (var c = 0u; c < DK; c++) { s += dotT(qv[c], bq_K[kb + c]); }
      var dp = 0.0;
      for (var c = 0u; c < DV; c++) { dp += dotT(go[c], bq_V[vb + c]); }
      let ds = exp(s - lse) * (dp * dropFactor(r, j) - D);
      for (var c = 0u; c < DK; c++) { dq[c] += ds * bq_K[kb + c]; }
    }
  }
  let qo = at(P.dQ, b, h, i);
  for (var c = 0u; c < DK; c++) { bq_dQ[qo + c] = dq[c] * P.scale; }
}

// ---- dK and dV, one invocation per key row ----------------------------------------------------

@group(0) @binding(1) var<storage, read> bk_Q: array<T>;
@group(0) @binding(2) var<storage, read> bk_K: array<T>;
@group(0) @binding(3) var<storage, read> bk_V: array<T>;
@group(0) @binding(4) var<storage, read> bk_dO: array<T>;
@group(0) @binding(5) var<storage, read> bk_L: array<f32>;
@group(0) @binding(6) var<storage, read> bk_D: array<f32>;
@group(0) @binding(7) var<storage, read> bk_Mask: array<f32>;
// dK at P.dK's strides and dV at P.dV's, in one buffer.
@group(0) @binding(8) var<storage, read_write> bk_G: array<T>;

@compute @workgroup_size(64)
fn sdpa_backward_dkv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.B * P.H * P.Tk) { return; }
  let j = r % P.Tk;
  let bh = r / P.Tk;
  let h = bh % P.H;
  let b = bh / P.H;

  var dk: array<T, MAX_D>;
  var dvv: array<T, MAX_D>;
  if (P.hasMask == 0u || bk_Mask[P.offMask + b * P.Tk + j] > 0.5) {
    var kv: array<T, MAX_D>;
    var vv: array<T, MAX_D>;
    let kb = at(P.k, b, h, j);
    let vb = at(P.v, b, h, j);
    for (var c = 0u; c < DK; c++) { kv[c] = bk_K[kb + c] * P.scale; }
    for (var c = 0u; c < DV; c++) { vv[c] = bk_V[vb + c]; }
    for (var i = queryStart(j); i < P.Tq; i++) {
      let rq = bh * P.Tq + i;
      let qb = at(P.q, b, h, i);
      let gb = at(P.dO, b, h, i);
      var s = 0.0;
      for (var c = 0u; c < DK; c++) { s += dotT(bk_Q[qb + c], kv[c]); }
      var dp = 0.0;
      for (var c = 0u; c < DV; c++) { dp += dotT(bk_dO[gb + c], vv[c]); }
      let p = exp(s - bk_L[P.offL + rq]);
      let z = dropFactor(rq, j);
      let pz = p * z;
      for (var c = 0u; c < DV; c++) { dvv[c] += pz * bk_dO[gb + c]; }
      let ds = p * (dp * z - bk_D[P.offD + rq]);
      for (var c = 0u; c < DK; c++) { dk[c] += ds * bk_Q[qb + c]; }
    }
  }
  let ko = at(P.dK, b, h, j);
  for (var c = 0u; c < DK; c++) { bk_G[ko + c] = dk[c] * P.scale; }
  let vo = at(P.dV, b, h, j);
  for (var c = 0u; c < DV; c++) { bk_G[vo + c] = dvv[c]; }
}

// ---- masked row softmax backward --------------------------------------------------------------
//
// Y = softmax(scale · X) over the allowed keys (0 elsewhere), G = ∂loss/∂Y:
//   ∂loss/∂X_j = scale · Y_j (G_j − Σ_l G_l Y_l)
// which is 0 at masked keys (Y = 0) without consulting the mask.

struct SoftmaxParams {
  rows: u32, R: u32, Tq: u32, Tk: u32,
  causal: u32, hasMask: u32, offMask: u32, offX: u32,
  offY: u32, offG: u32, offDX: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> S: SoftmaxParams;
@group(0) @binding(1) var<storage, read> sb_Y: array<f32>;
@group(0) @binding(2) var<storage, read> sb_G: array<f32>;
@group(0) @binding(3) var<storage, read_write> sb_DX: array<f32>;

@compute @workgroup_size(64)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= S.rows) { return; }
  let yb = S.offY + r * S.Tk;
  let gb = S.offG + r * S.Tk;
  var yg = 0.0;
  for (var j = 0u; j < S.Tk; j++) { yg += sb_Y[yb + j] * sb_G[gb + j]; }
  let xb = S.offDX + r * S.Tk;
  for (var j = 0u; j < S.Tk; j++) { sb_DX[xb + j] = S.scale * sb_Y[yb + j] * (sb_G[gb + j] - yg); }
}
