// softmax and log-softmax along one axis `dim`, with an optional keep-mask, and their backward.
// The CPU twin is in src/engine/ops/softmax.ts.
//
//   softmax:     y_j = exp(x_j − m) / s,          m = max_k x_k,  s = Σ_k exp(x_k − m)
//   logSoftmax:  y_j = x_j − m − log s
//
// Subtracting the row max keeps every exponent ≤ 0, so ±1e4 logits neither overflow nor give
// inf/inf. m and s come from one online pass (Milakov & Gimelshein 2018, "Online normalizer
// calculation for softmax"): when a new maximum v > m arrives, s ← s·exp(m − v) + 1.
//
// Non-finite logits follow PyTorch: a row whose kept logits hold a NaN or a +∞, or are all −∞,
// is NaN throughout (its s is NaN or 0, or its m is +∞); the backward then gives NaN there too.
//
// Mask (hasMask = 1): element j of a row is kept where M ≠ 0 and otherwise behaves as x_j = −∞
// (y_j = 0 for softmax). A row with no kept element writes 0 everywhere, never NaN; for
// logSoftmax the masked (and fully masked) positions are 0 rather than −∞, so that a loss summing
// log-probabilities is not poisoned: callers must exclude masked positions themselves.
//
// Schedule: one invocation per row, looping over the row. Our rows are short (attention rows of
// ≤ a few hundred keys); on SwiftShader a workgroup runs as a loop over its invocations, so a
// workgroup-wide tree reduction costs a barrier (a switch of every invocation's context) per
// level. Measured on Dawn/SwiftShader, softmax forward, this schedule against a 64-wide workgroup
// per row with two tree reductions: [5120, 40] 27 vs 814 ms, [640, 200] 9 vs 132 ms,
// [64, 1024] 3.3 vs 6.5 ms; only at [8, 8192] does the workgroup win (2.1 vs 3.4 ms). Rows of
// ≤ ~1024 are the case that matters here; a real GPU would prefer a workgroup for long rows.
//
// Layout: every operand k is read through (row strides, element stride, offset): row r, element j
// is at off[k] + Σ_d idx_d(r)·st_k[d] + j·es[k], where idx(r) unravels r over the row space (x's
// shape without `dim`, padded in front with 1s to 8 dims). So strided views (transposes, a
// broadcast mask [B, 1, 1, Tk]) are read in place and no copies are made.
// Forward operands: 0 X, 1 M, 2 Y. Backward operands: 0 Y, 1 DY, 2 M, 3 DX.

// 1: log-softmax, 0: softmax.
override LOG: u32 = 0u;

struct Params {
  shape0: vec4<u32>, shape1: vec4<u32>,
  st: array<vec4<u32>, 8>,
  es: vec4<u32>,
  off: vec4<u32>,
  n: u32, rows: u32, hasMask: u32, nanBits: u32, // a quiet NaN's bits (WGSL has no NaN constant)
}

@group(0) @binding(0) var<uniform> P: Params;

const NEG_MAX: f32 = -3.4028234e38;
const NEG_INF_BITS: u32 = 0xff800000u;

fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn rowBase(k: u32, r: u32) -> u32 {
  let shape = array<u32, 8>(P.shape0.x, P.shape0.y, P.shape0.z, P.shape0.w, P.shape1.x, P.shape1.y, P.shape1.z, P.shape1.w);
  var rem = r;
  var o = P.off[k];
  for (var d = 7; d >= 0; d--) {
    let size = max(shape[d], 1u);
    o += (rem % size) * P.st[2u * k + u32(d) / 4u][u32(d) % 4u];
    rem = rem / size;
  }
  return o;
}

fn rowIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

fn kept(mb: u32, j: u32) -> bool {
  return P.hasMask == 0u || M[mb + j * P.es[1]] != 0.0;
}

@compute @workgroup_size(64)
fn softmax_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = rowIndex(gid, nwg);
  if (r >= P.rows) { return; }
  let xb = rowBase(0u, r);
  let mb = rowBase(1u, r);
  let yb = rowBase(2u, r);
  let xs = P.es[0];
  let ys = P.es[2];
  var m = NEG_MAX;
  var s = 0.0;
  var count = 0u;
  var finite = 0u;   // kept logits above −∞
  var nanRow = false;
  for (var j = 0u; j < P.n; j++) {
    if (!kept(mb, j)) { continue; }
    let v = X[xb + j * xs];
    // Tested on the bits: SwiftShader's float compares and exp do not keep IEEE NaN semantics.
    let bits = bitcast<u32>(v);
    nanRow = nanRow || isNan(v) || bits == 0x7f800000u; // NaN or +∞
    if (bits != NEG_INF_BITS) { finite++; }
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else {
      s += exp(v - m);
    }
    count++;
  }
  if (count == 0u) {
    for (var j = 0u; j < P.n; j++) { Y[yb + j * ys] = 0.0; }
    return;
  }
  // A NaN or +∞ among the kept logits, or kept logits that are all −∞: PyTorch's NaN row.
  if (nanRow || finite == 0u) {
    let nan = bitcast<f32>(P.nanBits);
    for (var j = 0u; j < P.n; j++) { Y[yb + j * ys] = nan; }
    return;
  }
  let logS = log(s);
  let invS = 1.0 / s;
  for (var j = 0u; j < P.n; j++) {
    var y = 0.0;
    if (kept(mb, j)) {
      let v = X[xb + j * xs];
      if (LOG == 1u) { y = v - m - logS; } else { y = exp(v - m) * invS; }
    }
    Y[yb + j * ys] = y;
  }
}

// Backward. Operands: 0 Y (the forward output), 1 DY, 2 M, 3 DX.
//   softmax:     dx_j = y_j (dy_j − Σ_k dy_k y_k)           (masked y_j = 0 gives dx_j = 0)
//   logSoftmax:  dx_j = dy_j − softmax_j Σ_k dy_k,  softmax_j = exp(y_j), sums over kept k;
//                dx_j = 0 at masked j (the output there is the constant 0).
@group(0) @binding(1) var<storage, read> BY: array<f32>;
@group(0) @binding(2) var<storage, read> BDY: array<f32>;
@group(0) @binding(3) var<storage, read> BM: array<f32>;
@group(0) @binding(4) var<storage, read_write> BDX: array<f32>;

fn keptB(mb: u32, j: u32) -> bool {
  return P.hasMask == 0u || BM[mb + j * P.es[2]] != 0.0;
}

@compute @workgroup_size(64)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = rowIndex(gid, nwg);
  if (r >= P.rows) { return; }
  let yb = rowBase(0u, r);
  let gb = rowBase(1u, r);
  let mb = rowBase(2u, r);
  let db = rowBase(3u, r);
  let ys = P.es[0];
  let gs = P.es[1];
  let ds = P.es[3];
  var acc = 0.0;
  var nanRow = false; // a NaN y or dy makes Σ NaN: the row's gradient is NaN (PyTorch), tested on bits
  for (var j = 0u; j < P.n; j++) {
    if (LOG == 1u) {
      if (keptB(mb, j)) {
        acc += BDY[gb + j * gs];
        nanRow = nanRow || isNan(BDY[gb + j * gs]) || isNan(BY[yb + j * ys]);
      }
    } else {
      acc += BDY[gb + j * gs] * BY[yb + j * ys];
      nanRow = nanRow || isNan(BDY[gb + j * gs]) || isNan(BY[yb + j * ys]);
    }
  }
  let nan = bitcast<f32>(P.nanBits);
  for (var j = 0u; j < P.n; j++) {
    let y = BY[yb + j * ys];
    let g = BDY[gb + j * gs];
    var dx = 0.0;
    if (LOG == 1u) {
      if (keptB(mb, j)) { dx = select(g - exp(y) * acc, nan, nanRow); }
    } else {
      dx = select(y * (g - acc), nan, nanRow);
    }
    BDX[db + j * ds] = dx;
  }
}
