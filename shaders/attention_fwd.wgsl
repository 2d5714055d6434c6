// Scaled dot-product attention, forward: the fused kernel of the soft-attention path and the
// masked row softmax of the explicit-weights path. CPU twins and the autograd wiring are in
// src/engine/ops/attention.ts; the backward kernels are in attention_bwd.wgsl.
//
//   S = scale · Q Kᵀ,  S_ij = −∞ where key j is padding (mask[b, j] ≤ 0.5) or, when causal, in the
//   future of query i (j > i + Tk − Tq: bottom-right aligned, so Tq = Tk gives j ≤ i and the last
//   query always sees every key, as with a key/value cache).
//   P = softmax_rows(S),  O = P V,  L_i = log Σ_j exp(S_ij)  (saved; the backward recomputes P = exp(S − L)).
//   A fully masked row (no allowed key) gets O = 0, P = 0 and L = MASKED_L, never NaN.
//
// `sdpa_forward` follows FlashAttention (Dao et al. 2022, "FlashAttention: Fast and Memory-Efficient
// Exact Attention with IO-Awareness", Algorithm 1) with the online softmax normaliser of Milakov &
// Gimelshein 2018 ("Online normalizer calculation for softmax"): keys are visited in tiles of KT;
// per tile the running max m, the running normaliser l and the unnormalised output acc are rescaled
// once by exp(m_old − m_new), so S and P are never stored ([B, H, Tq, Tk] would dominate memory).
//
// Schedule: one invocation per (b, h, query row i), looping over all keys with q and acc in
// private arrays. No workgroup memory and no barriers: on SwiftShader (WebGPU on the CPU) each
// barrier is a coroutine switch per invocation, and the 64 invocations of a workgroup are
// consecutive query rows of one (b, h), so on a real GPU they read the same K and V rows together
// and the cache serves them.
//
// The block between the @specialise markers is replaced by the launcher for each head-dim shape:
//   T  — the element type of Q, K, V, O: vec4<f32> when the head dims, offsets and strides are
//        multiples of 4 (then one load fetches 4 floats; on SwiftShader the storage loads, each
//        bounds-checked, are about half the forward's time), else f32;
//   DK, DV — the head dims of q/k and of v in units of T; MAX_D = max(DK, DV) sizes the private
//        arrays. WGSL sizes private arrays only with constants (not override constants), and
//        constant trip counts let a GPU compiler unroll the d-loops and keep q and acc in
//        registers instead of local memory.
//
// Operands are strided views with a unit column stride: element (b, h, t, c) of Q is at
// q.x + b·q.y + h·q.z + t·q.w + c in units of T (likewise K, V, O). The launcher lays O out in Q's
// dimension order, so that merging heads after attention is a view.

// @specialise-begin (replaced by the launcher, see above)
alias T = f32;
const DK: u32 = 64u;
const DV: u32 = 64u;
const MAX_D: u32 = 64u;
fn dotT(a: T, b: T) -> f32 { return a * b; }
// @specialise-end
// 1: also write P [B, H, Tq, Tk] (returnWeights, for visualisation). The training path compiles
// the kernel with 0 and never computes or stores P.
override WEIGHTS: u32 = 0u;
// 1: dropout on P before it multiplies V (the normaliser L is that of the undropped softmax).
override DROPOUT: u32 = 0u;

const KT: u32 = 16u;
// Running max before the first key. Finite, so exp(NEG_BIG − m) = 0 without computing −∞ − (−∞).
const NEG_BIG: f32 = -3.4028234e38;
// L of a fully masked row: exp(S − MASKED_L) underflows to 0 for every finite score.
const MASKED_L: f32 = 3.4028234e38;

struct Params {
  B: u32, H: u32, Tq: u32, Tk: u32,
  d: u32, dv: u32, causal: u32, hasMask: u32,
  offMask: u32, offL: u32, offD: u32, offW: u32,
  scale: f32, dropP: f32, dropScale: f32, seed: u32,
  // Per operand: (offset, batch stride, head stride, row stride).
  q: vec4<u32>, k: vec4<u32>, v: vec4<u32>, o: vec4<u32>,
  dO: vec4<u32>, dQ: vec4<u32>, dK: vec4<u32>, dV: vec4<u32>,
}

@group(0) @binding(0) var<uniform> P: Params;

fn at(s: vec4<u32>, b: u32, h: u32, t: u32) -> u32 {
  return s.x + b * s.y + h * s.z + t * s.w;
}

// Counter-based dropout (a PCG hash, Jarzynski & Olano 2020, "Hash Functions for GPU Rendering"):
// the keep decision for element (row r, key j) is a pure function of (seed, r·Tk + j), so the
// backward pass regenerates the same mask without storing it. Returns 0 or 1/(1 − p).
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

// Keys row i may see: [0, end). Padding keys inside the range are skipped by keyOk.
fn keyEnd(i: u32) -> u32 {
  if (P.causal == 0u) { return P.Tk; }
  return u32(clamp(i32(i) + i32(P.Tk) - i32(P.Tq) + 1, 0, i32(P.Tk)));
}

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

// ---- fused forward ---------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> Q: array<T>;
@group(0) @binding(2) var<storage, read> K: array<T>;
@group(0) @binding(3) var<storage, read> V: array<T>;
@group(0) @binding(4) var<storage, read> Mask: array<f32>;
@group(0) @binding(5) var<storage, read_write> O: array<T>;
@group(0) @binding(6) var<storage, read_write> L: array<f32>;
@group(0) @binding(7) var<storage, read_write> W: array<f32>;

fn keyOk(b: u32, j: u32) -> bool {
  return P.hasMask == 0u || Mask[P.offMask + b * P.Tk + j] > 0.5;
}

@compute @workgroup_size(64)
fn sdpa_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= P.B * P.H * P.Tq) { return; }
  let i = r % P.Tq;
  let bh = r / P.Tq;
  let h = bh % P.H;
  let b = bh / P.H;
  let d = DK;
  let dv = DV;

  // The scale is folded into q once instead of into every score.
  var qv: array<T, MAX_D>;
  let qb = at(P.q, b, h, i);
  for (var c = 0u; c < d; c++) { qv[c] = Q[qb + c] * P.scale; }

  var acc: array<T, MAX_D>;
  var s: array<f32, KT>;
  var m = NEG_BIG;
  var l = 0.0;
  let end = keyEnd(i);
  for (var j0 = 0u; j0 < end; j0 += KT) {
    let n = min(KT, end - j0);
    // Scores of the tile; NEG_BIG marks a padding key (no real score equals it).
    var tileMax = NEG_BIG;
    for (var t = 0u; t < n; t++) {
      let j = j0 + t;
      var x = NEG_BIG;
      if (keyOk(b, j)) {
        let kb = at(P.k, b, h, j);
        x = 0.0;
        for (var c = 0u; c < d; c++) { x += dotT(qv[c], K[kb + c]); }
        tileMax = max(tileMax, x);
      }
      s[t] = x;
    }
    if (tileMax == NEG_BIG) { continue; }
    // Rescale the running sums once per tile: m_new = max(m, max_tile), factor exp(m − m_new).
    let mNew = max(m, tileMax);
    let corr = exp(m - mNew);
    l *= corr;
    for (var c = 0u; c < dv; c++) { acc[c] *= corr; }
    for (var t = 0u; t < n; t++) {
      if (s[t] == NEG_BIG) { continue; }
      let j = j0 + t;
      let p = exp(s[t] - mNew);
      l += p;
      let pz = p * dropFactor(r, j);
      let vb = at(P.v, b, h, j);
      for (var c = 0u; c < dv; c++) { acc[c] += pz * V[vb + c]; }
    }
    m = mNew;
  }

  let ob = at(P.o, b, h, i);
  if (l == 0.0) {
    for (var c = 0u; c < dv; c++) { O[ob + c] = T(); }
    L[P.offL + r] = MASKED_L;
  } else {
    let inv = 1.0 / l;
    for (var c = 0u; c < dv; c++) { O[ob + c] = acc[c] * inv; }
    L[P.offL + r] = m + log(l);
  }

  if (WEIGHTS == 1u) {
    // A second pass over the keys: P_ij = exp(S_ij − L_i), exactly what the backward recomputes.
    let lse = select(m + log(l), MASKED_L, l == 0.0);
    let wb = P.offW + r * P.Tk;
    for (var j = 0u; j < P.Tk; j++) {
      var p = 0.0;
      if (j < end && keyOk(b, j)) {
        let kb = at(P.k, b, h, j);
        var x = 0.0;
        for (var c = 0u; c < d; c++) { x += dotT(qv[c], K[kb + c]); }
        p = exp(x - lse);
      }
      W[wb + j] = p;
    }
  }
}

// ---- masked row softmax (explicit-weights path) ---------------------------------------------
//
// X viewed as [B, R, Tk] rows (R = the product of the middle dims, e.g. heads × queries):
//   P_r = softmax(scale · X_r) over the keys allowed for row r (padding mask of batch b = r / R; causal
//   with query i = r mod Tq as above), 0 elsewhere; a row with no allowed key is all zeros.
// One invocation per row, three passes over the keys (max, sum, write): rows are short here.

struct SoftmaxParams {
  rows: u32, R: u32, Tq: u32, Tk: u32,
  causal: u32, hasMask: u32, offMask: u32, offX: u32,
  offY: u32, offG: u32, offDX: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> S: SoftmaxParams;
@group(0) @binding(1) var<storage, read> SX: array<f32>;
@group(0) @binding(2) var<storage, read> SMask: array<f32>;
@group(0) @binding(3) var<storage, read_write> SY: array<f32>;

fn softmaxKeyEnd(i: u32) -> u32 {
  if (S.causal == 0u) { return S.Tk; }
  return u32(clamp(i32(i) + i32(S.Tk) - i32(S.Tq) + 1, 0, i32(S.Tk)));
}

fn softmaxKeyOk(b: u32, j: u32, end: u32) -> bool {
  return j < end && (S.hasMask == 0u || SMask[S.offMask + b * S.Tk + j] > 0.5);
}

@compute @workgroup_size(64)
fn softmax_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= S.rows) { return; }
  let b = r / S.R;
  let end = softmaxKeyEnd(r % S.Tq);
  let xb = S.offX + r * S.Tk;
  let yb = S.offY + r * S.Tk;
  var m = NEG_BIG;
  var seen = false;
  for (var j = 0u; j < S.Tk; j++) {
    if (softmaxKeyOk(b, j, end)) {
      m = max(m, S.scale * SX[xb + j]);
      seen = true;
    }
  }
  var l = 0.0;
  for (var j = 0u; j < S.Tk; j++) {
    if (softmaxKeyOk(b, j, end)) { l += exp(S.scale * SX[xb + j] - m); }
  }
  let inv = select(0.0, 1.0 / l, seen);
  for (var j = 0u; j < S.Tk; j++) {
    var p = 0.0;
    if (softmaxKeyOk(b, j, end)) { p = exp(S.scale * SX[xb + j] - m) * inv; }
    SY[yb + j] = p;
  }
}
