// torch.argmax over the last dim: out[r] = the first j with x[r, j] = max_k x[r, k]. The CPU twin
// is in src/engine/ops/argmax.ts and applies the same rule: scan j = 0 .. n−1 and move only on a
// strictly greater value, so ties go to the lower index. On the CPU a NaN never wins (it compares
// false) and a row that starts with NaN answers 0; WGSL lets an implementation assume NaNs and
// infinities never occur, so a GPU promises nothing for non-finite rows. Integer output, no gradient.
//
// One invocation per row: rows are vocabulary-sized (a few thousand at most) and there are only
// B of them per decoder step, so a workgroup reduction would cost more in barriers than it saves.

struct Params {
  rows: u32, n: u32, offX: u32, pad0: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<i32>;

@compute @workgroup_size(64)
fn argmax_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= P.rows) { return; }
  let base = P.offX + r * P.n;
  var best = X[base];
  var arg = 0u;
  for (var j = 1u; j < P.n; j++) {
    let v = X[base + j];
    if (v > best) {
      best = v;
      arg = j;
    }
  }
  Y[r] = i32(arg);
}
