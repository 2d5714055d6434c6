// Inverted dropout (Srivastava et al. 2014; PyTorch's scaling): y_i = x_i·m_i/(1 − p), with the
// keep bit m_i drawn from a counter-based generator of (seed, i), so the backward regenerates the
// mask (dx_i = dy_i·m_i/(1 − p)) instead of storing it. The CPU twin in src/engine/ops/dropout.ts
// computes the same 32-bit integer hash, so masks agree bit for bit across backends.
//
//   h_i = pcg(seed ⊕ pcg(i)),  m_i = [h_i ≥ thresh],  thresh = ⌊p·2³²⌋
//
// pcg is the PCG-RXS-M-XS hash of Jarzynski & Olano 2020 ("Hash Functions for GPU Rendering",
// JCGT 9(3)), the best speed/quality trade-off in their study. The keep test compares integers,
// so no float rounding can make the backends disagree. P(keep) = 1 − thresh/2³² = 1 − p to 2⁻³².

struct Params {
  n: u32, offX: u32, seed: u32, thresh: u32,
  scale: f32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(256)
fn dropout_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= P.n) { return; }
  let keep = pcg(P.seed ^ pcg(i)) >= P.thresh;
  Y[i] = select(0.0, X[P.offX + i] * P.scale, keep);
}
