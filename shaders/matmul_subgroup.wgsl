// 4. mm_sg16: mm_reg16 with B shared across a quad (4 invocations of one subgroup), for devices
// with the `subgroups` feature. Appended to matmul.wgsl (its Params, bindings and helpers) after
// `enable subgroups;` by src/engine/ops/matmul.ts, since that line would stop the module compiling
// where the feature is missing.
//
// Each invocation still accumulates a 16×16 block of C, but the four invocations of a quad own
// four blocks stacked along the rows (one 64×16 strip), so they need the same B̃ at every k.
// Invocation q of the quad loads row k+q of B̃ (16 columns, 16 loads instead of 64) and the quad
// exchanges rows with quadBroadcast. On SwiftShader a storage load is a per-lane gather with a
// bounds mask, while a broadcast is a few register shuffles: the loads per multiply-add fall from
// 2/16 to (1/16 + 1/64), and 512³ ran 1.2× (wall time) to 1.4× (CPU time) faster than mm_reg16
// on a loaded 2-core host (docs/results.md).
//
// A workgroup is 4 quads along the columns: 64 rows × 64 columns of C. Which invocations form a
// quad is the implementation's: the quad's blocks come from its first invocation's index, so the
// four always agree; quads are assumed to be 4 consecutive local invocation indices, as on every
// Vulkan driver (matmul.test.ts checks the result against the reference on each adapter it runs).

// B̃ᵀ (columns = rows k..k+3 of B) from each quad invocation's row k+q.
fn quadTileB(v: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(quadBroadcast(v, 0u), quadBroadcast(v, 1u), quadBroadcast(v, 2u), quadBroadcast(v, 3u));
}

@compute @workgroup_size(16, 1, 1)
fn mm_sg16(
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(subgroup_invocation_id) sid: u32,
) {
  let q = sid & 3u;
  let quad = quadBroadcast(li, 0u) >> 2u;
  let row = wid.y * 64u + q * 16u;
  let col = wid.x * 64u + quad * 16u;
  let b = wid.z;
  // No early return before the loop: every invocation of a quad must reach each quadBroadcast.
  // Rows and columns past the edge are clamped (lanes4) and their results discarded by store4x4.
  let bA = P.offA + b * P.sAb;
  let bB = P.offB + b * P.sBb;
  let ra0 = lanes4(bA, row, P.M, P.sAm);
  let ra1 = lanes4(bA, row + 4u, P.M, P.sAm);
  let ra2 = lanes4(bA, row + 8u, P.M, P.sAm);
  let ra3 = lanes4(bA, row + 12u, P.M, P.sAm);
  let cb0 = lanes4(bB, col, P.N, P.sBn);
  let cb1 = lanes4(bB, col + 4u, P.N, P.sBn);
  let cb2 = lanes4(bB, col + 8u, P.N, P.sBn);
  let cb3 = lanes4(bB, col + 12u, P.N, P.sBn);
  var c00 = mat4x4<f32>(); var c01 = mat4x4<f32>(); var c02 = mat4x4<f32>(); var c03 = mat4x4<f32>();
  var c10 = mat4x4<f32>(); var c11 = mat4x4<f32>(); var c12 = mat4x4<f32>(); var c13 = mat4x4<f32>();
  var c20 = mat4x4<f32>(); var c21 = mat4x4<f32>(); var c22 = mat4x4<f32>(); var c23 = mat4x4<f32>();
  var c30 = mat4x4<f32>(); var c31 = mat4x4<f32>(); var c32 = mat4x4<f32>(); var c33 = mat4x4<f32>();
  let K4 = P.K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    let ka = (vec4<u32>(k) + STEP4) * P.sAk;
    let kq = (k + q) * P.sBk;
    let b0 = quadTileB(rowB(cb0, kq));
    let b1 = quadTileB(rowB(cb1, kq));
    let b2 = quadTileB(rowB(cb2, kq));
    let b3 = quadTileB(rowB(cb3, kq));
    let a0 = tileA(ra0, ka);
    c00 += b0 * a0; c01 += b1 * a0; c02 += b2 * a0; c03 += b3 * a0;
    let a1 = tileA(ra1, ka);
    c10 += b0 * a1; c11 += b1 * a1; c12 += b2 * a1; c13 += b3 * a1;
    let a2 = tileA(ra2, ka);
    c20 += b0 * a2; c21 += b1 * a2; c22 += b2 * a2; c23 += b3 * a2;
    let a3 = tileA(ra3, ka);
    c30 += b0 * a3; c31 += b1 * a3; c32 += b2 * a3; c33 += b3 * a3;
  }
  // The K mod 4 remainder: every invocation loads its own B row (no exchange).
  for (var k = K4; k < P.K; k++) {
    let ka = k * P.sAk;
    let kb = k * P.sBk;
    let b0 = rowB(cb0, kb);
    let b1 = rowB(cb1, kb);
    let b2 = rowB(cb2, kb);
    let b3 = rowB(cb3, kb);
    let a0 = colA(ra0, ka);
    c00 += outer(b0, a0); c01 += outer(b1, a0); c02 += outer(b2, a0); c03 += outer(b3, a0);
    let a1 = colA(ra1, ka);
    c10 += outer(b0, a1); c11 += outer(b1, a1); c12 += outer(b2, a1); c13 += outer(b3, a1);
    let a2 = colA(ra2, ka);
    c20 += outer(b0, a2); c21 += outer(b1, a2); c22 += outer(b2, a2); c23 += outer(b3, a2);
    let a3 = colA(ra3, ka);
    c30 += outer(b0, a3); c31 += outer(b1, a3); c32 += outer(b2, a3); c33 += outer(b3, a3);
  }
  if (b >= P.batch) { return; }
  store4x4(b, row, col, c00); store4x4(b, row, col + 4u, c01); store4x4(b, row, col + 8u, c02); store4x4(b, row, col + 12u, c03);
  store4x4(b, row + 4u, col, c10); store4x4(b, row + 4u, col + 4u, c11); store4x4(b, row + 4u, col + 8u, c12); store4x4(b, row + 4u, col + 12u, c13);
  store4x4(b, row + 8u, col, c20); store4x4(b, row + 8u, col + 4u, c21); store4x4(b, row + 8u, col + 8u, c22); store4x4(b, row + 8u, col + 12u, c23);
  store4x4(b, row + 12u, col, c30); store4x4(b, row + 12u, col + 4u, c31); store4x4(b, row + 12u, col + 8u, c32); store4x4(b, row + 12u, col + 12u, c33);
}
