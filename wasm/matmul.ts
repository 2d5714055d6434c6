// AssemblyScript (compiled to WebAssembly with SIMD by tools/build-wasm.mjs; not part of the
// TypeScript program). Batched single-precision matmul, the engine's hot op on the CPU:
//
//   C[b, m, n] = act(Σ_k A[b, m, k] · B[b, k, n] + bias[n]),   act ∈ {identity, relu}
//
// A is read through element strides (batch, row, column), so the transposed views the engine
// passes (Wᵀ of a [out, in] weight, Aᵀ for dB) need no copy; C is contiguous [batch, M, N].
// The GotoBLAS/BLIS structure (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", TOMS 2008) reduced to what our sizes need (K ≤ a few thousand):
// - B is packed once into panels of NR = 8 columns: panel q holds B[k, 8q .. 8q+7] for k = 0..K-1,
//   contiguous, zero-padded past N (packB);
// - each work item is a panel of MR = 4 rows of A, packed the same way (A[4p .. 4p+3, k],
//   zero-padded past M) into the caller's scratch, up to 16 panels at a time, then multiplied with
//   every B panel by the register-blocked micro-kernel: a 4 × 8 tile of C in eight 128-bit accumulators, each k adding
//   the outer product of 4 broadcast A values with 8 B values (16 flops per 4 SIMD multiplies).
// Threads split the work items (batch × row panels); packB runs before them.
// Pointers are byte addresses into linear memory; sizes and strides count f32 elements.

const MR: i32 = 4;
const NR: i32 = 8;

/** The first byte past the module's static data: the host lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Packs B [batch, K, N] (element strides sb, rs, cs) into NR-column panels at dst. */
export function packB(src: usize, sb: i32, rs: i32, cs: i32, batch: i32, K: i32, N: i32, dst: usize): void {
  const panels = (N + NR - 1) / NR;
  for (let b = 0; b < batch; b++) {
    const base = src + <usize>(b * sb) * 4;
    for (let q = 0; q < panels; q++) {
      const n0 = q * NR;
      const full = n0 + NR <= N;
      for (let k = 0; k < K; k++) {
        const row = base + <usize>(k * rs + n0 * cs) * 4;
        if (full && cs == 1) {
          v128.store(dst, v128.load(row));
          v128.store(dst, v128.load(row, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) {
            store<f32>(dst + <usize>c * 4, n0 + c < N ? load<f32>(row + <usize>(c * cs) * 4) : 0);
          }
        }
        dst += NR * 4;
      }
    }
  }
}

/** Bytes packB writes for these sizes. */
export function packedBBytes(batch: i32, K: i32, N: i32): usize {
  return <usize>batch * <usize>K * <usize>((N + NR - 1) / NR) * NR * 4;
}

/** Packs rows m0 .. m0+3 of one A matrix (strides rs, cs) into dst[k·4 + r], zero past M. */
function packAPanel(a: usize, rs: i32, cs: i32, m0: i32, M: i32, K: i32, dst: usize): void {
  for (let r = 0; r < MR; r++) {
    const p = dst + <usize>r * 4;
    if (m0 + r < M) {
      const row = a + <usize>((m0 + r) * rs) * 4;
      if (cs == 1) {
        for (let k = 0; k < K; k++) store<f32>(p + <usize>k * 16, load<f32>(row + <usize>k * 4));
      } else {
        for (let k = 0; k < K; k++) store<f32>(p + <usize>k * 16, load<f32>(row + <usize>(k * cs) * 4));
      }
    } else {
      for (let k = 0; k < K; k++) store<f32>(p + <usize>k * 16, 0);
    }
  }
}

/** Adds the bias, applies the activation and stores a 4-lane row fragment (all lanes in bounds). */
function storeRow(dst: usize, v: v128, bias: v128, act: i32): void {
  let x = f32x4.add(v, bias);
  if (act == 1) x = f32x4.max(x, f32x4.splat(0));
  v128.store(dst, x);
}

/** Row panels packed together: their C rows reuse each B panel from L1 (GotoBLAS's m_c block). */
const MC_PANELS: i32 = 16;

/** Bytes of A-panel scratch gemm needs per thread for depth K (MC_PANELS packed panels + an edge tile). */
export function aPackBytes(K: i32): usize {
  return <usize>(MC_PANELS * MR * K + MR * NR) * 4;
}

/**
 * Work items item0 .. item1-1 of C = act(A·B + bias): item = b · ⌈M/4⌉ + p computes rows
 * 4p .. 4p+3 of batch b against all of packed B (pb, from packB; pbStride bytes between batches,
 * 0 when B is shared). Up to MC_PANELS consecutive items of one batch are packed at once and each
 * B panel is swept over all of them while it is in L1; the A block stays in L2.
 * aPack: aPackBytes(K) of scratch owned by the caller (one per thread).
 */
export function gemm(
  a: usize,
  sa: i32,
  ars: i32,
  acs: i32,
  pb: usize,
  pbStride: usize,
  c: usize,
  M: i32,
  N: i32,
  K: i32,
  bias: usize,
  act: i32,
  item0: i32,
  item1: i32,
  aPack: usize,
): void {
  const rowPanels = (M + MR - 1) / MR;
  const colPanels = (N + NR - 1) / NR;
  const panelBytes = <usize>(K * MR) * 4;
  const tmp = aPack + <usize>MC_PANELS * panelBytes;
  let item = item0;
  while (item < item1) {
    const b = item / rowPanels;
    const p0 = item - b * rowPanels;
    let np = item1 - item;
    if (np > MC_PANELS) np = MC_PANELS;
    if (np > rowPanels - p0) np = rowPanels - p0;
    for (let t = 0; t < np; t++) packAPanel(a + <usize>(b * sa) * 4, ars, acs, (p0 + t) * MR, M, K, aPack + <usize>t * panelBytes);
    const bPanels = pb + <usize>b * pbStride;
    const cBatch = c + <usize>b * <usize>M * <usize>N * 4;
    for (let q = 0; q < colPanels; q++) {
      const pB = bPanels + <usize>(q * K) * NR * 4;
      for (let t = 0; t < np; t++) {
        tile(aPack + <usize>t * panelBytes, pB, K, cBatch, (p0 + t) * MR, q * NR, M, N, bias, act, tmp);
      }
    }
    item += np;
  }
}

/** The 4 × 8 micro-kernel: C[m0.., n0..] = act(A panel · B panel + bias), edges through tmp. */
function tile(pA: usize, pB: usize, K: i32, c: usize, m0: i32, n0: i32, M: i32, N: i32, bias: usize, act: i32, tmp: usize): void {
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
  let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pB);
    const b1 = v128.load(pB, 16);
    const a0 = v128.load32_splat(pA);
    const a1 = v128.load32_splat(pA, 4);
    const a2 = v128.load32_splat(pA, 8);
    const a3 = v128.load32_splat(pA, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    pA += MR * 4;
    pB += NR * 4;
  }
  const cRow = c + (<usize>m0 * <usize>N) * 4;
  let bias0 = zero, bias1 = zero;
  if (n0 + NR <= N && m0 + MR <= M) {
    if (bias) {
      bias0 = v128.load(bias + <usize>n0 * 4);
      bias1 = v128.load(bias + <usize>n0 * 4, 16);
    }
    const out = cRow + <usize>n0 * 4;
    const ld = <usize>N * 4;
    storeRow(out, c00, bias0, act);
    storeRow(out + 16, c01, bias1, act);
    storeRow(out + ld, c10, bias0, act);
    storeRow(out + ld + 16, c11, bias1, act);
    storeRow(out + 2 * ld, c20, bias0, act);
    storeRow(out + 2 * ld + 16, c21, bias1, act);
    storeRow(out + 3 * ld, c30, bias0, act);
    storeRow(out + 3 * ld + 16, c31, bias1, act);
  } else {
    // Edge tile: through the scratch tile, element by element.
    v128.store(tmp, c00);
    v128.store(tmp, c01, 16);
    v128.store(tmp, c10, 32);
    v128.store(tmp, c11, 48);
    v128.store(tmp, c20, 64);
    v128.store(tmp, c21, 80);
    v128.store(tmp, c30, 96);
    v128.store(tmp, c31, 112);
    for (let r = 0; r < MR && m0 + r < M; r++) {
      for (let j = 0; j < NR && n0 + j < N; j++) {
        let x = load<f32>(tmp + <usize>(r * NR + j) * 4);
        if (bias) x += load<f32>(bias + <usize>(n0 + j) * 4);
        if (act == 1 && x < 0) x = 0;
        store<f32>(cRow + <usize>(r * N + n0 + j) * 4, x);
      }
    }
  }
}
