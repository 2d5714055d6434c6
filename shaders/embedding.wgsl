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
// WGSL has no float atomics. It is done as a counting sort of the positions by index (integer
// atomics are fine: integer sums do not depend on order), then a gather:
//   1. zero:   cnt[v] = 0                                           (one invocation per v)
//   2. count:  cnt[idx_i] += 1 (atomic)                             (one per position i)
//   3. scan:   off[v] = Σ_{u<v} cnt[u], and cnt[v] = 0 again        (one invocation, V steps)
//   4. place:  perm[off[idx_i] + atomicAdd(cnt[idx_i], 1)] = i      (one per i)
//   5. sort:   each bucket perm[off[v] .. off[v+1]) into ascending i (one per v, insertion sort)
//   6. gather: dW[v, :] = Σ_{k in bucket v} dy[perm[k], :]          (one per v)
// The atomics in step 4 fill a bucket in an arbitrary order; step 5 restores ascending i, so every
// sum is taken in the same order as the CPU reference and the result is bit-for-bit reproducible.
// Cost O(N + V + V·D + N·D + Σ_v bucket_v²). The simpler gather (one invocation per row v scanning
// all N indices) costs V·N comparisons: measured 480 ms for V = 8000, N = 1280, D = 256 on
// SwiftShader (Dawn), against 85 ms here, most of it writing the V·D elements of dW. Padding and out-of-range indices are left out at step 2, so their buckets
// are empty (the padding row, which collects the most repeats, never reaches the sort).

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

fn counted(v: i32) -> bool {
  return v >= 0 && u32(v) < P.V && v != P.paddingIdx;
}

@group(0) @binding(1) var<storage, read_write> zCnt: array<u32>;

@compute @workgroup_size(64)
fn embedding_zero(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let v = flatIndex(gid, nwg);
  if (v < P.V) { zCnt[v] = 0u; }
}

@group(0) @binding(1) var<storage, read> cIdx: array<i32>;
@group(0) @binding(2) var<storage, read_write> cCnt: array<atomic<u32>>;

@compute @workgroup_size(64)
fn embedding_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= P.N) { return; }
  let v = cIdx[P.offIdx + i];
  if (counted(v)) { atomicAdd(&cCnt[u32(v)], 1u); }
}

@group(0) @binding(1) var<storage, read_write> sCnt: array<u32>;
@group(0) @binding(2) var<storage, read_write> sOff: array<u32>;

@compute @workgroup_size(1)
fn embedding_scan() {
  var acc = 0u;
  for (var v = 0u; v < P.V; v++) {
    sOff[v] = acc;
    acc += sCnt[v];
    sCnt[v] = 0u;
  }
  sOff[P.V] = acc;
}

@group(0) @binding(1) var<storage, read> pIdx: array<i32>;
@group(0) @binding(2) var<storage, read> pOff: array<u32>;
@group(0) @binding(3) var<storage, read_write> pCur: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> pPerm: array<u32>;

@compute @workgroup_size(64)
fn embedding_place(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= P.N) { return; }
  let v = pIdx[P.offIdx + i];
  if (!counted(v)) { return; }
  let slot = atomicAdd(&pCur[u32(v)], 1u);
  pPerm[pOff[u32(v)] + slot] = i;
}

@group(0) @binding(1) var<storage, read> oOff: array<u32>;
@group(0) @binding(2) var<storage, read_write> oPerm: array<u32>;

@compute @workgroup_size(64)
fn embedding_sort(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let v = flatIndex(gid, nwg);
  if (v >= P.V) { return; }
  let lo = oOff[v];
  let hi = oOff[v + 1u];
  for (var k = lo + 1u; k < hi; k++) {
    let key = oPerm[k];
    var j = k;
    while (j > lo && oPerm[j - 1u] > key) {
      oPerm[j] = oPerm[j - 1u];
      j--;
    }
    oPerm[j] = key;
  }
}

@group(0) @binding(1) var<storage, read> gOff: array<u32>;
@group(0) @binding(2) var<storage, read> gPerm: array<u32>;
@group(0) @binding(3) var<storage, read> gDY: array<f32>;
@group(0) @binding(4) var<storage, read_write> gDW: array<f32>;

// One invocation per row v, looping over its D columns: on SwiftShader an invocation per (v, d)
// costs more in per-invocation overhead than the work it does (V·D = 2M of them for V = 8000).
// dy is contiguous [N, D] from offG.
@compute @workgroup_size(64)
fn embedding_gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let v = flatIndex(gid, nwg);
  if (v >= P.V) { return; }
  let lo = gOff[v];
  let hi = gOff[v + 1u];
  let row = v * P.D;
  for (var d = 0u; d < P.D; d++) {
    var acc = 0.0;
    for (var k = lo; k < hi; k++) {
      acc += gDY[P.offG + gPerm[k] * P.D + d];
    }
    gDW[row + d] = acc;
  }
}
