// Gradient clipping, gradient norms and the non-finite check, over the packed gradients of
// src/engine/optim/param-pack.ts: every gradient lives in one buffer G, parameter s at
// G[T.off(s) .. T.off(s) + T.size(s)). The segment table T has one row per parameter
// (offset, size, firstPiece, flag) and a sentinel row whose firstPiece is the piece count.
// Parameter s has P_s pieces; piece j (one invocation) takes its elements j, j + P_s, j + 2P_s, …
// Per-piece partial results need no workgroup memory and no barriers; only the one-workgroup
// finalize reduces across invocations.
//
// PyTorch's definitions (torch.nn.utils.clip_grad_norm_, 1.13 and 2.x), reproduced exactly:
//   n_s     = ‖g_s‖_p = (Σ_i |g_si|^p)^(1/p)          (p = ∞: max_i |g_si|)
//   total   = ‖(n_1, …, n_N)‖_p = (Σ_s n_s^p)^(1/p)   (p = ∞: max_s n_s)
//   coef    = max_norm / (total + 1e-6),  g ← g · min(coef, 1)   (applied unconditionally)
// Parameters without a gradient have size 0 here: n_s = 0 adds nothing, as PyTorch skips them.
//
// The p-norm family is an override constant NORM: 0 ∞, 1 L1, 2 L2, 3 an integer p (|x|^p by
// repeated multiplication, exact to rounding), 4 any other p > 0 (pow).
//
// Non-finite values: WGSL lets a compiler assume that floats are finite, so `x != x` may be
// folded away; the tests below look at the exponent bits instead, which no compiler may change.

override NORM: u32 = 2u;

const WG: u32 = 256u;
const PIECE_WG: u32 = 64u;
const FIN_WG: u32 = 64u;
const NO_PARAM: u32 = 0xffffffffu;

struct Params {
  // partials / clamp / finalize: number of parameters (table rows before the sentinel), pieces
  numParams: u32, numPieces: u32,
  // finalize: where the per-parameter norms go in S, and which header fields to write (FIN_*)
  normBase: u32, mode: u32,
  // finalize: the loss's element offset (when FIN_LOSS); scale/clamp_copy: element count; clamp_copy: input offset
  lossOffset: u32, n: u32, inOffset: u32, pIntExp: u32,
  p: f32, invP: f32, maxNorm: f32, pad0: f32,
  lo: f32, hi: f32, pad1: f32, pad2: f32,
}

@group(0) @binding(0) var<uniform> P: Params;

// Finalize modes (bits of P.mode).
const FIN_HEADER: u32 = 1u;  // write loss, non-finite flag and first non-finite parameter, total (pre)
const FIN_LOSS: u32 = 2u;    // a loss is bound: copy it and include it in the non-finite flag
const FIN_COEF: u32 = 4u;    // compute the norm-clipping coefficient min(max_norm / (total + 1e-6), 1)
const FIN_POST: u32 = 8u;    // the norms being measured are the post-clipping ones (total → header[4])
const FIN_SAME: u32 = 16u;   // no clipping follows: post = pre (copy norms and total)

// Header of the stats vector (src/engine/clip.ts STATS).
const H_LOSS: u32 = 0u;
const H_NONFINITE: u32 = 1u;
const H_FIRST: u32 = 2u;
const H_TOTAL_PRE: u32 = 3u;
const H_TOTAL_POST: u32 = 4u;
const H_COEF: u32 = 5u;
const H_NORM_TYPE: u32 = 6u;
const H_COUNT: u32 = 7u;

fn isNonFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// max that propagates NaN, as torch.max / torch.maximum do.
fn maxNan(a: f32, b: f32) -> f32 {
  if (isNan(a)) { return a; }
  if (isNan(b)) { return b; }
  return max(a, b);
}

// torch.clamp(x, lo, hi) = min(max(x, lo), hi), NaN passing through (WGSL's clamp may return the
// median of the three instead, and its min/max are unspecified for NaN).
fn clampNan(x: f32, lo: f32, hi: f32) -> f32 {
  return select(min(max(x, lo), hi), x, isNan(x));
}

// |x|^p for x = |g| ≥ 0, the summand of a p-norm.
fn powP(x: f32) -> f32 {
  switch NORM {
    case 1u: { return x; }
    case 2u: { return x * x; }
    case 3u: {
      var r = x;
      for (var k = 1u; k < P.pIntExp; k++) { r = r * x; }
      return r;
    }
    case 4u: { return select(pow(x, P.p), 0.0, x == 0.0); }
    default: { return x; }
  }
}

// s^(1/p), the p-norm from its sum.
fn rootP(s: f32) -> f32 {
  switch NORM {
    case 1u: { return s; }
    case 2u: { return sqrt(s); }
    case 3u, 4u: { return select(pow(s, P.invP), 0.0, s == 0.0); }
    default: { return s; }
  }
}

// Combines two partial p-norm accumulators: a sum, or (p = ∞) a NaN-propagating max.
fn combine(a: f32, b: f32) -> f32 {
  if (NORM == 0u) { return maxNan(a, b); }
  return a + b;
}

// The per-element term: |x|^p, or |x| for the max.
fn term(x: f32) -> f32 {
  if (NORM == 0u) { return abs(x); }
  return powP(abs(x));
}

@group(0) @binding(1) var<storage, read> pT: array<u32>;
@group(0) @binding(2) var<storage, read> pG: array<f32>;
@group(0) @binding(3) var<storage, read_write> pOut: array<f32>;

// The parameter that piece c belongs to: the largest s with firstPiece(s) ≤ c (a parameter
// without a gradient shares its successor's firstPiece, so the search never lands on one).
fn segmentOf(c: u32) -> u32 {
  var lo = 0u;
  var hi = P.numParams - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) >> 1u;
    if (pT[mid * 4u + 2u] <= c) { lo = mid; } else { hi = mid - 1u; }
  }
  return lo;
}

// One invocation per piece: out[2c] = Σ |g|^p (or max |g|) over the piece, out[2c + 1] = how
// many of its elements are non-finite.
@compute @workgroup_size(64)
fn partials(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * PIECE_WG;
  if (c >= P.numPieces) { return; }
  let s = segmentOf(c);
  let off = pT[s * 4u];
  let size = pT[s * 4u + 1u];
  let first = pT[s * 4u + 2u];
  let pieces = pT[s * 4u + 6u] - first;
  var a = 0.0;
  var nb = 0.0;
  for (var i = c - first; i < size; i += pieces) {
    let x = pG[off + i];
    a = combine(a, term(x));
    nb += select(0.0, 1.0, isNonFinite(x));
  }
  pOut[2u * c] = a;
  pOut[2u * c + 1u] = nb;
}

@group(0) @binding(1) var<storage, read> fT: array<u32>;
@group(0) @binding(2) var<storage, read> fPart: array<f32>;
@group(0) @binding(3) var<storage, read> fLoss: array<f32>;
@group(0) @binding(4) var<storage, read_write> fS: array<f32>;

var<workgroup> acc: array<f32, 64>;
var<workgroup> firstBad: array<u32, 64>;

// One workgroup: per-parameter norms n_s from the piece partials, the total ‖n‖_p, the index
// of the first parameter with a non-finite gradient, and (FIN_COEF) the clipping coefficient.
@compute @workgroup_size(64)
fn finalize(@builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.x;
  var a = 0.0;
  var first = NO_PARAM;
  for (var s = t; s < P.numParams; s += FIN_WG) {
    let c0 = fT[s * 4u + 2u];
    let c1 = fT[s * 4u + 6u];  // the next row's firstPiece
    var sumP = 0.0;
    var nb = 0.0;
    for (var c = c0; c < c1; c++) {
      sumP = combine(sumP, fPart[2u * c]);
      nb += fPart[2u * c + 1u];
    }
    let norm = select(rootP(sumP), sumP, NORM == 0u);
    fS[P.normBase + s] = norm;
    if ((P.mode & FIN_SAME) != 0u) { fS[P.normBase + P.numParams + s] = norm; }
    // The clamped-element counts start at 0; clamp_pieces + count_finalize overwrite them for
    // clipping by value / range.
    if ((P.mode & FIN_HEADER) != 0u) { fS[P.normBase + 2u * P.numParams + s] = 0.0; }
    a = combine(a, select(powP(norm), norm, NORM == 0u));
    if (nb > 0.0 && first == NO_PARAM) { first = s; }
  }
  acc[t] = a;
  firstBad[t] = first;
  workgroupBarrier();
  for (var h = FIN_WG / 2u; h > 0u; h >>= 1u) {
    if (t < h) {
      acc[t] = combine(acc[t], acc[t + h]);
      firstBad[t] = min(firstBad[t], firstBad[t + h]);
    }
    workgroupBarrier();
  }
  if (t != 0u) { return; }
  let total = select(rootP(acc[0]), acc[0], NORM == 0u);
  if ((P.mode & FIN_POST) != 0u) {
    fS[H_TOTAL_POST] = total;
    return;
  }
  fS[H_TOTAL_PRE] = total;
  if ((P.mode & FIN_SAME) != 0u) { fS[H_TOTAL_POST] = total; }
  if ((P.mode & FIN_HEADER) != 0u) {
    var lossBad = false;
    if ((P.mode & FIN_LOSS) != 0u) {
      let loss = fLoss[P.lossOffset];
      fS[H_LOSS] = loss;
      lossBad = isNonFinite(loss);
    } else {
      fS[H_LOSS] = 0.0;
    }
    let f = firstBad[0];
    fS[H_NONFINITE] = select(0.0, 1.0, lossBad || f != NO_PARAM);
    fS[H_FIRST] = select(f32(f), -1.0, f == NO_PARAM);
    var coef = 1.0;
    if ((P.mode & FIN_COEF) != 0u) {
      // clip_coef = max_norm / (total_norm + 1e-6); torch.clamp(clip_coef, max=1.0) keeps NaN.
      let raw = P.maxNorm / (total + 1e-6);
      coef = select(min(raw, 1.0), raw, isNan(raw));
    }
    fS[H_COEF] = coef;
    fS[H_NORM_TYPE] = P.p;
    fS[H_COUNT] = f32(P.numParams);
  }
}

@group(0) @binding(1) var<storage, read> sS: array<f32>;
@group(0) @binding(2) var<storage, read_write> sG: array<f32>;

// g ← g · min(coef, 1) over the whole packed buffer (PyTorch multiplies even when coef ≥ 1).
@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.n) { return; }
  sG[i] = sG[i] * sS[H_COEF];
}

@group(0) @binding(1) var<storage, read> cT: array<u32>;
@group(0) @binding(2) var<storage, read_write> cG: array<f32>;
@group(0) @binding(3) var<storage, read_write> cCount: array<f32>;

// g ← clamp(g, lo, hi) in place over the pieces of the parameters whose table flag is set
// (clip_grad_value_ is lo = −c, hi = c over all of them). cCount[c] = how many elements of piece
// c the clamp changed (g < lo or g > hi; NaN passes through unchanged), for the plot of what
// clipping by value does: count_finalize sums them per parameter.
@compute @workgroup_size(64)
fn clamp_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * PIECE_WG;
  if (c >= P.numPieces) { return; }
  var lo = 0u;
  var hi = P.numParams - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) >> 1u;
    if (cT[mid * 4u + 2u] <= c) { lo = mid; } else { hi = mid - 1u; }
  }
  let s = lo;
  var clamped = 0.0;
  if (cT[s * 4u + 3u] != 0u) {
    let off = cT[s * 4u];
    let size = cT[s * 4u + 1u];
    let first = cT[s * 4u + 2u];
    let pieces = cT[s * 4u + 6u] - first;
    for (var i = c - first; i < size; i += pieces) {
      let x = cG[off + i];
      clamped += select(0.0, 1.0, x < P.lo || x > P.hi);
      cG[off + i] = clampNan(x, P.lo, P.hi);
    }
  }
  cCount[c] = clamped;
}

@group(0) @binding(1) var<storage, read> zT: array<u32>;
@group(0) @binding(2) var<storage, read> zCount: array<f32>;
@group(0) @binding(3) var<storage, read_write> zS: array<f32>;

// One workgroup: the number of clamped elements of each parameter, zS[normBase + s], the sum of
// its pieces' counts (exact in f32 up to 2^24 elements per parameter).
@compute @workgroup_size(64)
fn count_finalize(@builtin(local_invocation_id) lid: vec3<u32>) {
  for (var s = lid.x; s < P.numParams; s += FIN_WG) {
    var n = 0.0;
    for (var c = zT[s * 4u + 2u]; c < zT[s * 4u + 6u]; c++) { n += zCount[c]; }
    zS[P.normBase + s] = n;
  }
}

@group(0) @binding(1) var<storage, read> kX: array<f32>;
@group(0) @binding(2) var<storage, read_write> kO: array<f32>;

// out = clamp(x, lo, hi) for one contiguous gradient (the register_hook idiom).
@compute @workgroup_size(256)
fn clamp_copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.n) { return; }
  kO[i] = clampNan(kX[P.inOffset + i], P.lo, P.hi);
}
