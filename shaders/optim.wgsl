// Optimizer updates with torch.optim's exact formulas (PyTorch 1.13 _single_tensor_*; 2.x computes
// the same quantities). The CPU twins and the host-side scalars are in src/engine/optim/.
//
// Layout. Gradients: one packed buffer G (src/engine/optim/param-pack.ts). Optimizer state: one
// buffer S holding every parameter's state, state slot j of parameter i at S[j·stride + off_i]
// (Adam: j = 0 exp_avg, 1 exp_avg_sq, 2 max_exp_avg_sq; SGD: j = 0 momentum_buffer). Parameters:
// separate buffers, so one dispatch updates up to SLOTS = 5 parameters bound as W0..W4:
// G + found_inf + S + 5 = 8 storage buffers, WebGPU's guaranteed per-stage minimum. The five
// must be distinct buffers (WebGPU forbids aliasing writable bindings): unused slots get spares.
// Workgroup w works for slot k with start(k) ≤ w < start(k+1), on elements (w − start(k))·256 + lid.
// SINGLE = 1: the dispatch updates one parameter, bound as W0, so k = 0 is known when the shader is
// compiled. The optimizer does this for large parameters: the slot search and the switch over
// W0..W4 (executed per lane, with masks, on a SIMD-on-CPU implementation like SwiftShader) made
// the update ~3× slower per element than this form; small parameters still share dispatches.
//
// SGD (ALGO 0), for each element, with μ momentum, τ dampening, λ weight decay:
//   d = g + λ p;  b = d (first step) | μ b + (1 − τ) d;  d = d + μ b (nesterov) | b;  p ← p − lr d
// Adam (ALGO 1, Kingma & Ba 2015, Algorithm 1, with PyTorch's ε placement), step t:
//   g ← g + λ p (L2 penalty, coupled);  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
//   v̂ = v, or v̂max ← max(v̂max, v) with amsgrad (Reddi et al. 2018)
//   p ← p − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + ε)         (ε outside the square root)
// AdamW (ALGO 2, Loshchilov & Hutter 2019, decoupled): p ← p (1 − lr λ) first, then Adam with λ = 0.
// The step-dependent factors lr/(1 − β1^t) and √(1 − β2^t) are computed in float64 on the host
// per parameter (PyTorch computes them as Python floats) and arrive in the uniform block.
//
// found_inf (PyTorch's GradScaler / fused-optimizer argument): when `skip` is set and
// F[skipIndex] ≠ 0, the dispatch changes nothing, so a non-finite step is dropped on the GPU.

override ALGO: u32 = 1u;
override AMSGRAD: u32 = 0u;
override MOMENTUM: u32 = 0u;
override NESTEROV: u32 = 0u;
override SINGLE: u32 = 0u;

const SLOTS: u32 = 5u;
const WG: u32 = 256u;

struct Params {
  // Per slot: (gradient offset in G, state offset in one slot of S, parameter offset, size).
  seg: array<vec4<u32>, 5>,
  // start(k) for k = 0..5 (start(nSlots) = the number of workgroups).
  start: array<vec4<u32>, 2>,
  // Per slot: Adam (step_size = lr / (1 − β1^t), √(1 − β2^t), 0, 0); SGD (1 on its first step, 0, 0, 0).
  slot: array<vec4<f32>, 5>,
  // Adam: (β1, 1 − β1, β2, 1 − β2); SGD: (lr, μ, 1 − τ, 0).
  h0: vec4<f32>,
  // Adam: (ε, λ, 1 − lr λ, −1 to maximize else 1); SGD: (λ, 0, 0, −1 to maximize else 1).
  h1: vec4<f32>,
  // (nSlots, stride of S between state slots, skipIndex, skip).
  info: vec4<u32>,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> F: array<f32>;
@group(0) @binding(3) var<storage, read_write> S: array<f32>;
@group(0) @binding(4) var<storage, read_write> W0: array<f32>;
@group(0) @binding(5) var<storage, read_write> W1: array<f32>;
@group(0) @binding(6) var<storage, read_write> W2: array<f32>;
@group(0) @binding(7) var<storage, read_write> W3: array<f32>;
@group(0) @binding(8) var<storage, read_write> W4: array<f32>;

fn startOf(k: u32) -> u32 {
  return P.start[k >> 2u][k & 3u];
}

fn loadW(k: u32, i: u32) -> f32 {
  if (SINGLE == 1u) { return W0[i]; }
  switch k {
    case 0u: { return W0[i]; }
    case 1u: { return W1[i]; }
    case 2u: { return W2[i]; }
    case 3u: { return W3[i]; }
    default: { return W4[i]; }
  }
}

fn storeW(k: u32, i: u32, v: f32) {
  if (SINGLE == 1u) {
    W0[i] = v;
    return;
  }
  switch k {
    case 0u: { W0[i] = v; }
    case 1u: { W1[i] = v; }
    case 2u: { W2[i] = v; }
    case 3u: { W3[i] = v; }
    default: { W4[i] = v; }
  }
}

fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// torch.maximum: NaN if either is NaN.
fn maxNan(a: f32, b: f32) -> f32 {
  if (isNan(a)) { return a; }
  if (isNan(b)) { return b; }
  return max(a, b);
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = P.info.x;
  let w = wid.x + wid.y * nwg.x;
  if (w >= startOf(n)) { return; }
  if (P.info.w == 1u && F[P.info.z] != 0.0) { return; }
  var k = 0u;
  if (SINGLE == 0u) {
    for (var j = 1u; j < n; j++) {
      if (w >= startOf(j)) { k = j; }
    }
  }
  let seg = P.seg[k];
  let i = (w - startOf(k)) * WG + lid.x;
  if (i >= seg.w) { return; }
  let sc = P.slot[k];
  let stride = P.info.y;
  let si = seg.y + i;
  var p = loadW(k, seg.z + i);

  if (ALGO == 0u) {
    // SGD: param.add_(d_p, alpha=-lr)
    var d = G[seg.x + i] * P.h1.w;
    if (P.h1.x != 0.0) { d = d + P.h1.x * p; }
    if (MOMENTUM == 1u) {
      var b: f32;
      if (sc.x != 0.0) { b = d; } else { b = S[si] * P.h0.y + P.h0.z * d; }
      S[si] = b;
      if (NESTEROV == 1u) { d = d + P.h0.y * b; } else { d = b; }
    }
    storeW(k, seg.z + i, p + (-P.h0.x) * d);
    return;
  }

  var g = G[seg.x + i] * P.h1.w;
  if (ALGO == 2u) {
    p = p * P.h1.z;                                  // param.mul_(1 - lr * weight_decay)
  } else if (P.h1.y != 0.0) {
    g = g + P.h1.y * p;                              // grad.add(param, alpha=weight_decay)
  }
  let m = S[si] * P.h0.x + P.h0.y * g;               // exp_avg.mul_(β1).add_(grad, alpha=1 − β1)
  let v = S[stride + si] * P.h0.z + P.h0.w * g * g;  // exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)
  S[si] = m;
  S[stride + si] = v;
  var vh = v;
  if (AMSGRAD == 1u) {
    vh = maxNan(S[2u * stride + si], v);
    S[2u * stride + si] = vh;
  }
  let denom = sqrt(vh) / sc.y + P.h1.x;              // (v̂.sqrt() / bias_correction2_sqrt).add_(eps)
  storeW(k, seg.z + i, p + (-sc.x) * (m / denom));   // param.addcdiv_(exp_avg, denom, value=-step_size)
}
