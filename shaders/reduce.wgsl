// Reductions over any set of axes: out[k] = R_{r} f(x[k, r]) where k runs over the kept index
// space and r over the reduced one, each described by (shape, strides) padded to 8 dims.
// OP: 0 sum, 1 sum of squares, 2 max, 3 max |x|, 4 sum |x|^alpha.
//
// Two schedules: `reduce_thread`, one invocation per output (many outputs, short reductions),
// and `reduce_group`, one 256-wide workgroup per output with a tree reduction in workgroup
// memory (few outputs, long reductions, e.g. a whole tensor's norm).

override OP: u32 = 0u;

struct Params {
  keep0: vec4<u32>, keep1: vec4<u32>,
  ks0: vec4<u32>, ks1: vec4<u32>,
  red0: vec4<u32>, red1: vec4<u32>,
  rs0: vec4<u32>, rs1: vec4<u32>,
  nOut: u32, nRed: u32, offIn: u32, offOut: u32,
  alpha: f32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;

fn identity() -> f32 {
  if (OP == 2u) { return -3.4028234e38; }
  return 0.0;
}

fn mapv(x: f32) -> f32 {
  switch OP {
    case 1u: { return x * x; }
    case 3u: { return abs(x); }
    case 4u: { return pow(abs(x), P.alpha); }
    default: { return x; }
  }
}

fn combine(a: f32, b: f32) -> f32 {
  if (OP == 2u || OP == 3u) {
    // NaN must propagate (a max-norm of a NaN gradient is NaN, as in PyTorch).
    if (a != a || b != b) { return a + b; }
    return max(a, b);
  }
  return a + b;
}

// Offset of the i-th element of the index space (shape s0|s1, strides t0|t1).
fn offsetOf(i: u32, s0: vec4<u32>, s1: vec4<u32>, t0: vec4<u32>, t1: vec4<u32>) -> u32 {
  let shape = array<u32, 8>(s0.x, s0.y, s0.z, s0.w, s1.x, s1.y, s1.z, s1.w);
  let strides = array<u32, 8>(t0.x, t0.y, t0.z, t0.w, t1.x, t1.y, t1.z, t1.w);
  var r = i;
  var off = 0u;
  // The host drops size-1 dims and merges contiguous ones (coalesceDims in shape.ts), so the real
  // dims sit at the back and the loop ends as soon as the index is used up.
  for (var d = 7; d >= 0 && r > 0u; d--) {
    let size = max(shape[d], 1u);
    off += (r % size) * strides[d];
    r = r / size;
  }
  return off;
}

fn redIs1d() -> bool {
  return all(P.red0 == vec4<u32>(1u)) && all(P.red1.xyz == vec3<u32>(1u));
}

@compute @workgroup_size(64)
fn reduce_thread(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = gid.x + gid.y * nwg.x * 64u;
  if (k >= P.nOut) { return; }
  let base = P.offIn + offsetOf(k, P.keep0, P.keep1, P.ks0, P.ks1);
  var acc = identity();
  if (redIs1d()) {
    // One reduced dim after coalescing (a column, a row, a contiguous block): step by its
    // stride, no index arithmetic per element.
    let stride = P.rs1.w;
    var off = base;
    for (var r = 0u; r < P.nRed; r++) {
      acc = combine(acc, mapv(X[off]));
      off += stride;
    }
  } else {
    for (var r = 0u; r < P.nRed; r++) {
      acc = combine(acc, mapv(X[base + offsetOf(r, P.red0, P.red1, P.rs0, P.rs1)]));
    }
  }
  O[P.offOut + k] = acc;
}

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn reduce_group(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = wid.x + wid.y * nwg.x;
  let inRange = k < P.nOut;
  var acc = identity();
  if (inRange) {
    let base = P.offIn + offsetOf(k, P.keep0, P.keep1, P.ks0, P.ks1);
    if (redIs1d()) {
      let step = 256u * P.rs1.w;
      var off = base + lid.x * P.rs1.w;
      for (var r = lid.x; r < P.nRed; r += 256u) {
        acc = combine(acc, mapv(X[off]));
        off += step;
      }
    } else {
      for (var r = lid.x; r < P.nRed; r += 256u) {
        acc = combine(acc, mapv(X[base + offsetOf(r, P.red0, P.red1, P.rs0, P.rs1)]));
      }
    }
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { partial[lid.x] = combine(partial[lid.x], partial[lid.x + s]); }
    workgroupBarrier();
  }
  if (lid.x == 0u && inRange) { O[P.offOut + k] = partial[0]; }
}
