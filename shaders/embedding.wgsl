// Embedding lookup (F.embedding) and its backward, a scatter-add. The CPU twin is in
// src/engine/ops/embedding.ts.
//
//   forward:   y[i, d] = W[idx_i, d]                                   (y [N, D], W [V, D])
//   backward:  dW[v, d] = Σ_{i : idx_i = v} dy[i, d],   dW[padding_idx, :] = 0
//
// An index outside [0, V) reads nothing: its output row is 0 and it adds to no gradient row (the
// CPU reference throws instead; a GPU kernel cannot).
//
// The backward is a scatter-add whose targets collide whenever an index repeats in the batch, and
// WGSL has no float atomics. It is written as a gather instead: one invocation per vocabulary row
// v scans all N indices in order and adds dy[i, :] into its own row for every match. No two
// invocations write the same element, and every sum is taken in the same (ascending i) order, so
// the result is exact for repeats and bit-for-bit deterministic. Cost: V·N index comparisons plus
// N·D additions. A (v, d)-per-invocation gather would multiply the comparisons by D; a sort of the
// indices (counting sort with integer atomics, then sorted segments) would cut them to O(N + V)
// but needs several dispatches and, for determinism, a per-bucket sort. For our vocabularies
// (≤ ~30k) and batches (≤ ~4k tokens) the scan is a few times 10⁷ comparisons per step.

struct Params {
  N: u32, D: u32, V: u32, offIdx: u32,
  offW: u32, offG: u32, paddingIdx: i32, pad0: u32,
}

@group(0) @binding(0) var<uniform> P: Params;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

@group(0) @binding(1) var<storage, read> fIdx: array<i32>;
@group(0) @binding(2) var<storage, read> fW: array<f32>;
@group(0) @binding(3) var<storage, read_write> fY: array<f32>;

// One invocation per output element (i, d).
@compute @workgroup_size(64)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  if (e >= P.N * P.D) { return; }
  let i = e / P.D;
  let d = e % P.D;
  let v = fIdx[P.offIdx + i];
  var y = 0.0;
  if (v >= 0 && u32(v) < P.V) { y = fW[P.offW + u32(v) * P.D + d]; }
  fY[e] = y;
}

@group(0) @binding(1) var<storage, read> bIdx: array<i32>;
@group(0) @binding(2) var<storage, read> bDY: array<f32>;
@group(0) @binding(3) var<storage, read_write> bDW: array<f32>;

// One invocation per vocabulary row v; dy is contiguous [N, D].
@compute @workgroup_size(64)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let v = flatIndex(gid, nwg);
  if (v >= P.V) { return; }
  let row = v * P.D;
  for (var d = 0u; d < P.D; d++) { bDW[row + d] = 0.0; }
  if (i32(v) == P.paddingIdx) { return; }
  for (var i = 0u; i < P.N; i++) {
    if (bIdx[P.offIdx + i] != i32(v)) { continue; }
    let g = P.offG + i * P.D;
    for (var d = 0u; d < P.D; d++) { bDW[row + d] += bDY[g + d]; }
  }
}
