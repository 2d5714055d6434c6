// Element-wise family: one unary and one binary entry point over strided, broadcast views of rank
// ≤ 8. OP (an override constant) selects the function, so each op compiles to its own pipeline
// with the switch folded away. The CPU twin of every function is in src/engine/ops/elementwise.ts;
// the op codes must match the UNARY / BINARY tables there.
//
// Indexing: the output's flat index i is unravelled over `shape` (coalesced, then padded to 8 dims
// with leading 1s) and dotted with each operand's strides (0 on a broadcast dimension) plus its offset.

override OP: u32 = 0u;
// 1 when every operand is contiguous and has the output's shape: then index = i + offset.
override CONTIG: u32 = 0u;

struct Params {
  shape0: vec4<u32>, shape1: vec4<u32>,
  sa0: vec4<u32>, sa1: vec4<u32>,
  sb0: vec4<u32>, sb1: vec4<u32>,
  so0: vec4<u32>, so1: vec4<u32>,
  n: u32, offA: u32, offB: u32, offO: u32,
  alpha: f32, beta: f32, nanBits: u32, pad1: u32, // nanBits: a quiet NaN (WGSL has no NaN constant)
}

@group(0) @binding(0) var<uniform> P: Params;

fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn logIeee(x: f32) -> f32 {
  if (x < 0.0 || isNan(x)) { return bitcast<f32>(P.nanBits); }
  if (x == 0.0) { return bitcast<f32>(P.nanBits ^ 0x80400000u); } // 0x7fc00000 ^ 0x80400000 = −∞'s bits
  return log(x);
}

const INV_SQRT2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;

// erf(x) from the complementary error function's Chebyshev fit (Numerical Recipes, erfcc),
// fractional error < 1.2e-7 everywhere; WGSL has no erf built-in.
fn erf_(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
      t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r - 1.0, 1.0 - r, x >= 0.0);
}

// Logistic sigmoid, written so exp never overflows to inf/inf.
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// tanh saturates at |x| > 9 in f32; clamping avoids exp overflow in tanh's expansion.
fn tanh_(x: f32) -> f32 {
  return tanh(clamp(x, -10.0, 10.0));
}

fn sign_(x: f32) -> f32 {
  return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}

fn unary(x: f32) -> f32 {
  let a = P.alpha;
  let b = P.beta;
  switch OP {
    case 0u: { return x; }                                  // copy
    case 1u: { return -x; }                                 // neg
    case 2u: { return max(x, 0.0); }                        // relu
    case 3u: { return 0.5 * x * (1.0 + erf_(x * INV_SQRT2)); } // gelu (exact, erf form)
    case 4u: { return tanh_(x); }                           // tanh
    case 5u: { return sigmoid_(x); }                        // sigmoid
    case 6u: { return exp(x); }                             // exp
    // log and sqrt of x < 0 or NaN are NaN and log(±0) = −∞ (IEEE, PyTorch); WGSL leaves them
    // indeterminate (SwiftShader: log(NaN) = 89.1, log(0) = −88.0), so they are set explicitly.
    case 7u: { return logIeee(x); }                                                        // log
    case 8u: { return select(sqrt(x), bitcast<f32>(P.nanBits), x < 0.0 || isNan(x)); }  // sqrt
    case 9u: { return abs(x); }                             // abs
    case 10u: { return x * x; }                             // square
    case 11u: { return a * x + b; }                         // affine (scale, addScalar)
    case 12u: { return clamp(x, a, b); }                    // clamp to [alpha, beta]
    case 13u: { return pow(abs(x), a); }                    // |x|^p (p-norms)
    case 14u: { return a; }                                 // fill
    case 15u: { return 1.0 / x; }                           // reciprocal
    case 16u: { return select(0.0, 1.0, abs(x) <= 3.4028234e38); } // isfinite (NaN fails <=)
    default: { return x; }
  }
}

fn binary(x: f32, y: f32) -> f32 {
  let a = P.alpha;
  let b = P.beta;
  switch OP {
    case 0u: { return x + y; }                              // add
    case 1u: { return x - y; }                              // sub
    case 2u: { return x * y; }                              // mul
    case 3u: { return x / y; }                              // div
    case 4u: { return max(x, y); }                          // maximum
    case 5u: { return min(x, y); }                          // minimum
    // Gradients of the unary ops: x is the incoming gradient g, y the forward input or output.
    case 6u: { return select(0.0, x, y > 0.0); }            // relu'  (y = input)
    case 7u: {                                              // gelu'  (y = input): Φ(y) + y φ(y)
      return x * (0.5 * (1.0 + erf_(y * INV_SQRT2)) + y * INV_SQRT_2PI * exp(-0.5 * y * y));
    }
    case 8u: { return x * (1.0 - y * y); }                  // tanh'  (y = output)
    case 9u: { return x * y * (1.0 - y); }                  // sigmoid' (y = output)
    case 10u: { return x * sign_(y); }                      // abs'   (y = input)
    case 11u: { return select(0.0, x, y >= a && y <= b); }  // clamp' (y = input), PyTorch passes the bounds
    case 12u: {                                             // (|y|^p)' = p |y|^(p-1) sign(y)
      return select(x * a * pow(abs(y), a - 1.0) * sign_(y), 0.0, y == 0.0 && a >= 1.0);
    }
    case 13u: { return a * x + b * y; }                     // axpby
    default: { return x; }
  }
}

// The host coalesces the dims (coalesceDims in src/engine/shape.ts), so the real ones sit at the
// back: the loop stops once the index is used up, and the rest of idx keeps its zero initialiser.
fn unravel(i: u32) -> array<u32, 8> {
  var idx: array<u32, 8>;
  var r = i;
  let shape = array<u32, 8>(P.shape0.x, P.shape0.y, P.shape0.z, P.shape0.w, P.shape1.x, P.shape1.y, P.shape1.z, P.shape1.w);
  for (var d = 7; d >= 0 && r > 0u; d--) {
    let size = max(shape[d], 1u);
    idx[d] = r % size;
    r = r / size;
  }
  return idx;
}

fn dot8(idx: array<u32, 8>, s0: vec4<u32>, s1: vec4<u32>) -> u32 {
  return idx[0] * s0.x + idx[1] * s0.y + idx[2] * s0.z + idx[3] * s0.w +
         idx[4] * s1.x + idx[5] * s1.y + idx[6] * s1.z + idx[7] * s1.w;
}

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 256u;
}

// Both entry points share one binding layout (A, B, O); unary passes A again as B, unread.
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;

@compute @workgroup_size(256)
fn unary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= P.n) { return; }
  if (CONTIG == 1u) {
    O[P.offO + i] = unary(A[P.offA + i]);
    return;
  }
  let idx = unravel(i);
  O[P.offO + dot8(idx, P.so0, P.so1)] = unary(A[P.offA + dot8(idx, P.sa0, P.sa1)]);
}

@compute @workgroup_size(256)
fn binary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= P.n) { return; }
  if (CONTIG == 1u) {
    O[P.offO + i] = binary(A[P.offA + i], B[P.offB + i]);
    return;
  }
  let idx = unravel(i);
  O[P.offO + dot8(idx, P.so0, P.so1)] = binary(A[P.offA + dot8(idx, P.sa0, P.sa1)], B[P.offB + dot8(idx, P.sb0, P.sb1)]);
}
