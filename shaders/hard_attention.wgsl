// Hard attention: keep only the attention weights a rule selects, and renormalise them.
// CPU twins and autograd: src/engine/ops/hard-attention.ts.
//
// For one row p = P_i· (weights over Tk keys, after the softmax), a 0/1 mask M from the rule:
//   top-k:       M_j = 1 iff rank_j < k, rank_j = #{l : p_l > p_j, or p_l = p_j and l < j}
//                (ties go to the lower key index, so exactly min(k, Tk) entries are kept);
//   threshold τ: M_j = 1 iff p_j ≥ τ; when no entry reaches τ, M is one-hot at the first argmax
//                (the row is never empty).
//   W̃_j = p_j M_j / Z,  Z = Σ_l p_l M_l   (W̃ = 0 when Z = 0, e.g. a fully masked row).
// Backward with M held fixed (the selection is piecewise constant in p, so this is the exact
// gradient away from ties and threshold crossings; the dropped weights get none):
//   ∂loss/∂p_l = M_l (G_l − Σ_j G_j W̃_j) / Z
//
// One invocation per row; M is recomputed from p in both passes (O(Tk) per entry for top-k,
// cheap at these lengths) instead of storing it. Rows are contiguous [rows, Tk].

struct Params {
  rows: u32, Tk: u32, kind: u32, k: u32,
  tau: f32, offP: u32, offW: u32, offG: u32,
  offDP: u32, pad0: u32, pad1: u32, pad2: u32,
}

const TOPK: u32 = 0u;

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> HP: array<f32>;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

// For the threshold rule: the key kept when nothing reaches τ (the first argmax), or Tk when
// some entry does (then the plain rule applies).
fn fallbackKey(base: u32) -> u32 {
  var best = 0u;
  for (var j = 0u; j < P.Tk; j++) {
    if (HP[base + j] >= P.tau) { return P.Tk; }
    if (HP[base + j] > HP[base + best]) { best = j; }
  }
  return best;
}

fn kept(base: u32, j: u32, fallback: u32) -> bool {
  let p = HP[base + j];
  if (P.kind == TOPK) {
    var rank = 0u;
    for (var l = 0u; l < P.Tk; l++) {
      let q = HP[base + l];
      if (q > p || (q == p && l < j)) { rank++; }
    }
    return rank < P.k;
  }
  if (fallback < P.Tk) { return j == fallback; }
  return p >= P.tau;
}

@group(0) @binding(2) var<storage, read_write> HW: array<f32>;

@compute @workgroup_size(64)
fn hard_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.rows) { return; }
  let base = P.offP + r * P.Tk;
  let wb = P.offW + r * P.Tk;
  var fallback = P.Tk;
  if (P.kind != TOPK) { fallback = fallbackKey(base); }
  // First pass: W = p ∘ M and Z; second pass: divide by Z.
  var z = 0.0;
  for (var j = 0u; j < P.Tk; j++) {
    var w = 0.0;
    if (kept(base, j, fallback)) { w = HP[base + j]; }
    HW[wb + j] = w;
    z += w;
  }
  let inv = select(0.0, 1.0 / z, z != 0.0);
  for (var j = 0u; j < P.Tk; j++) { HW[wb + j] *= inv; }
}

@group(0) @binding(2) var<storage, read> HWin: array<f32>;
@group(0) @binding(3) var<storage, read> HG: array<f32>;
@group(0) @binding(4) var<storage, read_write> HDP: array<f32>;

@compute @workgroup_size(64)
fn hard_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.rows) { return; }
  let base = P.offP + r * P.Tk;
  let wb = P.offW + r * P.Tk;
  let gb = P.offG + r * P.Tk;
  let db = P.offDP + r * P.Tk;
  var fallback = P.Tk;
  if (P.kind != TOPK) { fallback = fallbackKey(base); }
  var z = 0.0;
  var gw = 0.0;
  for (var j = 0u; j < P.Tk; j++) {
    if (kept(base, j, fallback)) { z += HP[base + j]; }
    gw += HG[gb + j] * HWin[wb + j];
  }
  let inv = select(0.0, 1.0 / z, z != 0.0);
  for (var j = 0u; j < P.Tk; j++) {
    var g = 0.0;
    if (kept(base, j, fallback)) { g = (HG[gb + j] - gw) * inv; }
    HDP[db + j] = g;
  }
}
