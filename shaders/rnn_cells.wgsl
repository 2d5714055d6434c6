// Fused recurrent-cell kernels: the element-wise part of one time step of an LSTM, GRU, JANET or
// IndRNN cell (and its backward), after the matmuls have produced the gate pre-activations:
//   gx = x_t W_ihᵀ + b   (all time steps in one matmul before the loop)
//   gh = h_{t-1} W_hhᵀ   (one matmul per step)
// Each step is then one dispatch here, instead of a dozen element-wise kernels. The CPU twins
// are in src/engine/ops/rnn-cells.ts; the equations and paper references are there too.
//
// Padding (pack_padded_sequence semantics): with lengths (hasLen = 1), row b is padding at step t
// when t ≥ len[b]. A padding row carries its state unchanged (h_t = h_{t-1}, c_t = c_{t-1}) and
// outputs y_t = 0; its backward passes the state gradient straight through.
//
// Operands are [B, n] row views: element (b, j) of the operand bound at binding k + 2 is at
// off(k) + b · row(k) + j (the unit stride is guaranteed by the launcher). Sequence operands
// [B, T, n] add a time stride tim(k). Binding 1 is always the i32 lengths (or a dummy).
// Each entry point declares its own storage variables; bindings are numbered per entry point.
// No entry point binds more than 8 storage buffers (WebGPU's default maxStorageBuffersPerShaderStage):
// that is why each backward writes all its gradients into one packed buffer.

struct Params {
  B: u32, H: u32, T: u32, t: u32,
  hasLen: u32, offLen: u32, flags: u32, reverse: u32,
  beta: f32, lo: f32, hi: f32, pad0: u32,
  off0: vec4<u32>, off1: vec4<u32>,
  row0: vec4<u32>, row1: vec4<u32>,
  tim0: vec4<u32>, tim1: vec4<u32>,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> Len: array<i32>;

// Backward flags: which output gradients exist (the others are zero).
const HAS_GH: u32 = 1u;
const HAS_GC: u32 = 2u;
const HAS_GY: u32 = 4u;

fn off(k: u32) -> u32 {
  if (k < 4u) { return P.off0[k]; }
  return P.off1[k - 4u];
}
fn row(k: u32) -> u32 {
  if (k < 4u) { return P.row0[k]; }
  return P.row1[k - 4u];
}
fn tim(k: u32) -> u32 {
  if (k < 4u) { return P.tim0[k]; }
  return P.tim1[k - 4u];
}
// Index of element (b, j) of operand k.
fn ix(k: u32, b: u32, j: u32) -> u32 {
  return off(k) + b * row(k) + j;
}
// Index of element (b, t, j) of sequence operand k.
fn ixt(k: u32, b: u32, t: u32, j: u32) -> u32 {
  return off(k) + b * row(k) + t * tim(k) + j;
}
fn has(flag: u32) -> bool {
  return (P.flags & flag) != 0u;
}
fn lengthOf(b: u32) -> u32 {
  if (P.hasLen == 0u) { return P.T; }
  return u32(max(Len[P.offLen + b], 0));
}
fn isValid(b: u32) -> bool {
  return P.hasLen == 0u || i32(P.t) < Len[P.offLen + b];
}

// Logistic sigmoid, written so exp never overflows to inf/inf.
fn sigm(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
// tanh saturates at |x| > 9 in f32; clamping avoids exp overflow in tanh's expansion.
fn th(x: f32) -> f32 {
  return tanh(clamp(x, -10.0, 10.0));
}

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

// ---- LSTM (Hochreiter & Schmidhuber 1997; gate order i, f, g, o as PyTorch) -----------------
//   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), a = gx + gh
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

@group(0) @binding(2) var<storage, read> lf_gx: array<f32>;
@group(0) @binding(3) var<storage, read> lf_gh: array<f32>;
@group(0) @binding(4) var<storage, read> lf_h: array<f32>;
@group(0) @binding(5) var<storage, read> lf_c: array<f32>;
@group(0) @binding(6) var<storage, read_write> lf_hOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> lf_cOut: array<f32>;
@group(0) @binding(8) var<storage, read_write> lf_y: array<f32>;

@compute @workgroup_size(64)
fn lstm_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let hp = lf_h[ix(2u, b, j)];
  let cp = lf_c[ix(3u, b, j)];
  if (!isValid(b)) {
    lf_hOut[ix(4u, b, j)] = hp;
    lf_cOut[ix(5u, b, j)] = cp;
    lf_y[ix(6u, b, j)] = 0.0;
    return;
  }
  let i = sigm(lf_gx[ix(0u, b, j)] + lf_gh[ix(1u, b, j)]);
  let f = sigm(lf_gx[ix(0u, b, H + j)] + lf_gh[ix(1u, b, H + j)]);
  let g = th(lf_gx[ix(0u, b, 2u * H + j)] + lf_gh[ix(1u, b, 2u * H + j)]);
  let o = sigm(lf_gx[ix(0u, b, 3u * H + j)] + lf_gh[ix(1u, b, 3u * H + j)]);
  let c = f * cp + i * g;
  let h = o * th(c);
  lf_hOut[ix(4u, b, j)] = h;
  lf_cOut[ix(5u, b, j)] = c;
  lf_y[ix(6u, b, j)] = h;
}

// Backward, recomputing the gates from gx + gh. With δh = ∂L/∂h_t + ∂L/∂y_t and
// δc = ∂L/∂c_t + δh ⊙ o ⊙ (1 − tanh²c_t):
//   ∂a_i = δc ⊙ g ⊙ i(1−i),  ∂a_f = δc ⊙ c_{t-1} ⊙ f(1−f),  ∂a_g = δc ⊙ i ⊙ (1−g²),
//   ∂a_o = δh ⊙ tanh(c_t) ⊙ o(1−o),  ∂c_{t-1} = δc ⊙ f,  ∂h_{t-1} (direct) = 0.
// Output rows of 6H: [∂a (4H) | ∂h_{t-1} direct (H) | ∂c_{t-1} (H)].
@group(0) @binding(2) var<storage, read> lb_gx: array<f32>;
@group(0) @binding(3) var<storage, read> lb_gh: array<f32>;
@group(0) @binding(4) var<storage, read> lb_c: array<f32>;
@group(0) @binding(5) var<storage, read> lb_dh: array<f32>;
@group(0) @binding(6) var<storage, read> lb_dc: array<f32>;
@group(0) @binding(7) var<storage, read> lb_dy: array<f32>;
@group(0) @binding(8) var<storage, read_write> lb_out: array<f32>;

@compute @workgroup_size(64)
fn lstm_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let base = b * 6u * H;
  var gh = 0.0;
  var gc = 0.0;
  var gy = 0.0;
  if (has(HAS_GH)) { gh = lb_dh[ix(3u, b, j)]; }
  if (has(HAS_GC)) { gc = lb_dc[ix(4u, b, j)]; }
  if (has(HAS_GY)) { gy = lb_dy[ix(5u, b, j)]; }
  if (!isValid(b)) {
    for (var k = 0u; k < 4u; k++) { lb_out[base + k * H + j] = 0.0; }
    lb_out[base + 4u * H + j] = gh;
    lb_out[base + 5u * H + j] = gc;
    return;
  }
  let cp = lb_c[ix(2u, b, j)];
  let i = sigm(lb_gx[ix(0u, b, j)] + lb_gh[ix(1u, b, j)]);
  let f = sigm(lb_gx[ix(0u, b, H + j)] + lb_gh[ix(1u, b, H + j)]);
  let g = th(lb_gx[ix(0u, b, 2u * H + j)] + lb_gh[ix(1u, b, 2u * H + j)]);
  let o = sigm(lb_gx[ix(0u, b, 3u * H + j)] + lb_gh[ix(1u, b, 3u * H + j)]);
  let c = f * cp + i * g;
  let tc = th(c);
  let dh = gh + gy;
  let dc = gc + dh * o * (1.0 - tc * tc);
  lb_out[base + j] = dc * g * i * (1.0 - i);
  lb_out[base + H + j] = dc * cp * f * (1.0 - f);
  lb_out[base + 2u * H + j] = dc * i * (1.0 - g * g);
  lb_out[base + 3u * H + j] = dh * tc * o * (1.0 - o);
  lb_out[base + 4u * H + j] = 0.0;
  lb_out[base + 5u * H + j] = dc * f;
}

// ---- GRU (Cho et al. 2014; PyTorch's formulation, gate order r, z, n) ----------------------
//   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n)   (gh includes b_hh)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

@group(0) @binding(2) var<storage, read> gf_gx: array<f32>;
@group(0) @binding(3) var<storage, read> gf_gh: array<f32>;
@group(0) @binding(4) var<storage, read> gf_h: array<f32>;
@group(0) @binding(5) var<storage, read_write> gf_hOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> gf_y: array<f32>;

@compute @workgroup_size(64)
fn gru_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let hp = gf_h[ix(2u, b, j)];
  if (!isValid(b)) {
    gf_hOut[ix(3u, b, j)] = hp;
    gf_y[ix(4u, b, j)] = 0.0;
    return;
  }
  let r = sigm(gf_gx[ix(0u, b, j)] + gf_gh[ix(1u, b, j)]);
  let z = sigm(gf_gx[ix(0u, b, H + j)] + gf_gh[ix(1u, b, H + j)]);
  let n = th(gf_gx[ix(0u, b, 2u * H + j)] + r * gf_gh[ix(1u, b, 2u * H + j)]);
  let h = (1.0 - z) * n + z * hp;
  gf_hOut[ix(3u, b, j)] = h;
  gf_y[ix(4u, b, j)] = h;
}

// Backward with δh = ∂L/∂h_t + ∂L/∂y_t:
//   ∂a_n = δh (1−z)(1−n²),  ∂a_z = δh (h_{t-1} − n) z(1−z),  ∂a_r = ∂a_n ⊙ gh_n ⊙ r(1−r)
//   ∂gx = [∂a_r, ∂a_z, ∂a_n],  ∂gh = [∂a_r, ∂a_z, ∂a_n ⊙ r],  ∂h_{t-1} (direct) = δh ⊙ z.
// Output rows of 7H: [∂gx (3H) | ∂gh (3H) | ∂h_{t-1} direct (H)].
@group(0) @binding(2) var<storage, read> gb_gx: array<f32>;
@group(0) @binding(3) var<storage, read> gb_gh: array<f32>;
@group(0) @binding(4) var<storage, read> gb_h: array<f32>;
@group(0) @binding(5) var<storage, read> gb_dh: array<f32>;
@group(0) @binding(6) var<storage, read> gb_dy: array<f32>;
@group(0) @binding(7) var<storage, read_write> gb_out: array<f32>;

@compute @workgroup_size(64)
fn gru_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let base = b * 7u * H;
  var gh = 0.0;
  var gy = 0.0;
  if (has(HAS_GH)) { gh = gb_dh[ix(3u, b, j)]; }
  if (has(HAS_GY)) { gy = gb_dy[ix(4u, b, j)]; }
  if (!isValid(b)) {
    for (var k = 0u; k < 6u; k++) { gb_out[base + k * H + j] = 0.0; }
    gb_out[base + 6u * H + j] = gh;
    return;
  }
  let hp = gb_h[ix(2u, b, j)];
  let r = sigm(gb_gx[ix(0u, b, j)] + gb_gh[ix(1u, b, j)]);
  let z = sigm(gb_gx[ix(0u, b, H + j)] + gb_gh[ix(1u, b, H + j)]);
  let hn = gb_gh[ix(1u, b, 2u * H + j)];
  let n = th(gb_gx[ix(0u, b, 2u * H + j)] + r * hn);
  let dh = gh + gy;
  let dn = dh * (1.0 - z) * (1.0 - n * n);
  let dz = dh * (hp - n) * z * (1.0 - z);
  let dr = dn * hn * r * (1.0 - r);
  gb_out[base + j] = dr;
  gb_out[base + H + j] = dz;
  gb_out[base + 2u * H + j] = dn;
  gb_out[base + 3u * H + j] = dr;
  gb_out[base + 4u * H + j] = dz;
  gb_out[base + 5u * H + j] = dn * r;
  gb_out[base + 6u * H + j] = dh * z;
}

// ---- JANET (van der Westhuizen & Lasenby 2018, "The unreasonable effectiveness of the forget
// gate"; gate order f, c) ------------------------------------------------------------------
//   s = gx_f + gh_f,  c̃ = tanh(gx_c + gh_c)
//   c_t = σ(s) ⊙ c_{t-1} + (1 − σ(s − β)) ⊙ c̃,   h_t = c_t

@group(0) @binding(2) var<storage, read> jf_gx: array<f32>;
@group(0) @binding(3) var<storage, read> jf_gh: array<f32>;
@group(0) @binding(4) var<storage, read> jf_h: array<f32>;
@group(0) @binding(5) var<storage, read_write> jf_hOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> jf_y: array<f32>;

@compute @workgroup_size(64)
fn janet_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let cp = jf_h[ix(2u, b, j)];
  if (!isValid(b)) {
    jf_hOut[ix(3u, b, j)] = cp;
    jf_y[ix(4u, b, j)] = 0.0;
    return;
  }
  let s = jf_gx[ix(0u, b, j)] + jf_gh[ix(1u, b, j)];
  let ct = th(jf_gx[ix(0u, b, H + j)] + jf_gh[ix(1u, b, H + j)]);
  let c = sigm(s) * cp + (1.0 - sigm(s - P.beta)) * ct;
  jf_hOut[ix(3u, b, j)] = c;
  jf_y[ix(4u, b, j)] = c;
}

// Backward with δc = ∂L/∂h_t + ∂L/∂y_t, σf = σ(s), σb = σ(s − β):
//   ∂s = δc ⊙ (c_{t-1} σf(1−σf) − c̃ σb(1−σb)),  ∂a_c = δc ⊙ (1 − σb)(1 − c̃²),  ∂c_{t-1} = δc ⊙ σf.
// Output rows of 3H: [∂s (H) | ∂a_c (H) | ∂h_{t-1} (H)].
@group(0) @binding(2) var<storage, read> jb_gx: array<f32>;
@group(0) @binding(3) var<storage, read> jb_gh: array<f32>;
@group(0) @binding(4) var<storage, read> jb_h: array<f32>;
@group(0) @binding(5) var<storage, read> jb_dh: array<f32>;
@group(0) @binding(6) var<storage, read> jb_dy: array<f32>;
@group(0) @binding(7) var<storage, read_write> jb_out: array<f32>;

@compute @workgroup_size(64)
fn janet_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let base = b * 3u * H;
  var gh = 0.0;
  var gy = 0.0;
  if (has(HAS_GH)) { gh = jb_dh[ix(3u, b, j)]; }
  if (has(HAS_GY)) { gy = jb_dy[ix(4u, b, j)]; }
  if (!isValid(b)) {
    jb_out[base + j] = 0.0;
    jb_out[base + H + j] = 0.0;
    jb_out[base + 2u * H + j] = gh;
    return;
  }
  let cp = jb_h[ix(2u, b, j)];
  let s = jb_gx[ix(0u, b, j)] + jb_gh[ix(1u, b, j)];
  let ct = th(jb_gx[ix(0u, b, H + j)] + jb_gh[ix(1u, b, H + j)]);
  let sf = sigm(s);
  let sb = sigm(s - P.beta);
  let dc = gh + gy;
  jb_out[base + j] = dc * (cp * sf * (1.0 - sf) - ct * sb * (1.0 - sb));
  jb_out[base + H + j] = dc * (1.0 - sb) * (1.0 - ct * ct);
  jb_out[base + 2u * H + j] = dc * sf;
}

// ---- IndRNN (Li et al. 2018, "Independently Recurrent Neural Network") ------------------------
//   h_t = ReLU(gx + u ⊙ h_{t-1}),  gx = W x_t + b;  u [H] is a per-unit recurrent weight.

@group(0) @binding(2) var<storage, read> if_gx: array<f32>;
@group(0) @binding(3) var<storage, read> if_u: array<f32>;
@group(0) @binding(4) var<storage, read> if_h: array<f32>;
@group(0) @binding(5) var<storage, read_write> if_hOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> if_y: array<f32>;

@compute @workgroup_size(64)
fn indrnn_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let hp = if_h[ix(2u, b, j)];
  if (!isValid(b)) {
    if_hOut[ix(3u, b, j)] = hp;
    if_y[ix(4u, b, j)] = 0.0;
    return;
  }
  let h = max(if_gx[ix(0u, b, j)] + if_u[off(1u) + j] * hp, 0.0);
  if_hOut[ix(3u, b, j)] = h;
  if_y[ix(4u, b, j)] = h;
}

// Backward, one invocation per unit j (∂u_j sums over the batch, so the batch loop is inside):
//   ∂a = δh ⊙ [a > 0],  ∂h_{t-1} = ∂a ⊙ u,  ∂u_j = Σ_b ∂a[b, j] h_{t-1}[b, j].
// Output [(2B + 1), H]: rows 0..B−1 ∂gx, rows B..2B−1 ∂h_{t-1}, row 2B ∂u.
@group(0) @binding(2) var<storage, read> ib_gx: array<f32>;
@group(0) @binding(3) var<storage, read> ib_u: array<f32>;
@group(0) @binding(4) var<storage, read> ib_h: array<f32>;
@group(0) @binding(5) var<storage, read> ib_dh: array<f32>;
@group(0) @binding(6) var<storage, read> ib_dy: array<f32>;
@group(0) @binding(7) var<storage, read_write> ib_out: array<f32>;

@compute @workgroup_size(64)
fn indrnn_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flatIndex(gid, nwg);
  if (j >= P.H) { return; }
  let H = P.H;
  let u = ib_u[off(1u) + j];
  var du = 0.0;
  for (var b = 0u; b < P.B; b++) {
    var gh = 0.0;
    var gy = 0.0;
    if (has(HAS_GH)) { gh = ib_dh[ix(3u, b, j)]; }
    if (has(HAS_GY)) { gy = ib_dy[ix(4u, b, j)]; }
    if (!isValid(b)) {
      ib_out[b * H + j] = 0.0;
      ib_out[(P.B + b) * H + j] = gh;
      continue;
    }
    let hp = ib_h[ix(2u, b, j)];
    let a = ib_gx[ix(0u, b, j)] + u * hp;
    let da = select(0.0, gh + gy, a > 0.0);
    ib_out[b * H + j] = da;
    ib_out[(P.B + b) * H + j] = da * u;
    du += da * hp;
  }
  ib_out[2u * P.B * H + j] = du;
}

// The whole IndRNN recurrence of one direction in one dispatch (IndRNNv2): each invocation owns
// one (b, j) and walks the T steps (forward, or backward in time when reverse = 1). Its units
// are independent, so no step needs another invocation's result.
//   inputs: gx [B, T, H] (= x W_ihᵀ + b for all t), u [H], h0 [B, H]
//   outputs: y [B, T, H] (h_t, 0 at padding), h_T [B, H] (state after the last real token)
@group(0) @binding(2) var<storage, read> sf_gx: array<f32>;
@group(0) @binding(3) var<storage, read> sf_u: array<f32>;
@group(0) @binding(4) var<storage, read> sf_h0: array<f32>;
@group(0) @binding(5) var<storage, read_write> sf_y: array<f32>;
@group(0) @binding(6) var<storage, read_write> sf_hT: array<f32>;

@compute @workgroup_size(64)
fn indrnn_sequence_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let u = sf_u[off(1u) + j];
  let L = lengthOf(b);
  var h = sf_h0[ix(2u, b, j)];
  for (var s = 0u; s < P.T; s++) {
    let t = select(s, P.T - 1u - s, P.reverse == 1u);
    if (t < L) {
      h = max(sf_gx[ixt(0u, b, t, j)] + u * h, 0.0);
      sf_y[ixt(3u, b, t, j)] = h;
    } else {
      sf_y[ixt(3u, b, t, j)] = 0.0;
    }
  }
  sf_hT[ix(4u, b, j)] = h;
}

// Its backward walks the steps in the opposite order, carrying δh = ∂L/∂h_t:
//   at a real step: ∂a_t = (δh + ∂L/∂y_t) ⊙ [h_t > 0],  δh ← ∂a_t ⊙ u,  ∂u += ∂a_t h_{t-1}
//   at padding: ∂a_t = 0 and δh passes through.
// h_t is read back from y (h_t = y_t at real steps; ReLU(a) > 0 ⇔ a > 0); h_{t-1} is the previous
// real step's y, or h0. Outputs: ∂gx [B, T, H]; [2B, H] = [∂h0 | per-row ∂u, summed by the caller].
@group(0) @binding(2) var<storage, read> sb_y: array<f32>;
@group(0) @binding(3) var<storage, read> sb_u: array<f32>;
@group(0) @binding(4) var<storage, read> sb_h0: array<f32>;
@group(0) @binding(5) var<storage, read> sb_dy: array<f32>;
@group(0) @binding(6) var<storage, read> sb_dhT: array<f32>;
@group(0) @binding(7) var<storage, read_write> sb_dgx: array<f32>;
@group(0) @binding(8) var<storage, read_write> sb_out: array<f32>;

@compute @workgroup_size(64)
fn indrnn_sequence_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.B * P.H) { return; }
  let b = e / P.H;
  let j = e % P.H;
  let H = P.H;
  let T = P.T;
  let u = sb_u[off(1u) + j];
  let L = lengthOf(b);
  let h0 = sb_h0[ix(2u, b, j)];
  var dh = 0.0;
  if (has(HAS_GH)) { dh = sb_dhT[ix(4u, b, j)]; }
  var du = 0.0;
  for (var s = 0u; s < T; s++) {
    // Undo the forward order: forward in time went 0..T−1, so go T−1..0 (and vice versa).
    let t = select(T - 1u - s, s, P.reverse == 1u);
    let o = (b * T + t) * H + j;
    if (t >= L) {
      sb_dgx[o] = 0.0;
      continue;
    }
    var gy = 0.0;
    if (has(HAS_GY)) { gy = sb_dy[ixt(3u, b, t, j)]; }
    let h = sb_y[ixt(0u, b, t, j)];
    var hp = h0;
    if (P.reverse == 0u && t > 0u) { hp = sb_y[ixt(0u, b, t - 1u, j)]; }
    if (P.reverse == 1u && t + 1u < L) { hp = sb_y[ixt(0u, b, t + 1u, j)]; }
    let da = select(0.0, dh + gy, h > 0.0);
    sb_dgx[o] = da;
    du += da * hp;
    dh = da * u;
  }
  sb_out[b * H + j] = dh;
  sb_out[(P.B + b) * H + j] = du;
}

// IndRNN's recurrent-weight constraint, in place after an optimizer step:
//   u ← sign(u) · clamp(|u|, lo, hi)   (lo = recurrentMin ≥ 0, hi = recurrentMax, e.g. 2^(1/T))
@group(0) @binding(1) var<storage, read_write> cu: array<f32>;

@compute @workgroup_size(64)
fn indrnn_constrain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flatIndex(gid, nwg);
  if (j >= P.H) { return; }
  let k = P.offLen + j;
  let u = cu[k];
  cu[k] = sign(u) * clamp(abs(u), P.lo, P.hi);
}
