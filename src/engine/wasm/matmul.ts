// Host side of the WebAssembly matmul (wasm/matmul.ts): copies the operands' spans into the
// kernels' memory, packs B, runs the register-blocked kernel over the rows (split across the
// thread pool), copies C out.
//   C[b] = act(A[b] · B[b] + bias),  A [batch, M, K], B [batch, K, N] as element-strided views,
//   C contiguous [batch, M, N].

import { align, type WasmKernels } from './runtime';

/** A strided 3-D operand over a typed array: element (b, r, c) is data[offset + b·sb + r·sr + c·sc]. */
export interface StridedOperand {
  data: Float32Array;
  offset: number;
  sb: number;
  sr: number;
  sc: number;
}

/** Activation codes of wasm/matmul.ts's epilogue. */
export const WASM_MATMUL_ACT = { none: 0, relu: 1 } as const;

/** Below this many flops a matmul runs on the calling thread alone. */
const PARALLEL_FLOPS = 1e6;

/** Rows per work item of the kernel (its MR). */
const MR = 4;

/** Elements from the first to the last one an operand of these extents touches. */
function span(op: StridedOperand, batch: number, rows: number, cols: number): number {
  return 1 + (batch - 1) * op.sb + (rows - 1) * op.sr + (cols - 1) * op.sc;
}

/** Copies `n` elements of `src` from `from` to byte address `at` of the kernels' memory. */
function copyIn(k: WasmKernels, src: Float32Array, from: number, n: number, at: number): void {
  k.f32.set(src.subarray(from, from + n), at / 4);
}

export function wasmMatmul(
  k: WasmKernels,
  A: StridedOperand,
  B: StridedOperand,
  batch: number,
  M: number,
  N: number,
  K: number,
  bias: { data: Float32Array; offset: number } | null,
  act: keyof typeof WASM_MATMUL_ACT,
  out: Float32Array,
  outOffset: number,
): void {
  if (A.sb < 0 || A.sr < 0 || A.sc < 0 || B.sb < 0 || B.sr < 0 || B.sc < 0) throw new Error('wasmMatmul: negative strides');
  const ex = k.exports;
  const aSpan = span(A, batch, M, K);
  const bSpan = span(B, batch, K, N);
  const bBatches = B.sb === 0 ? 1 : batch;
  const packed = ex.packedBBytes(bBatches, K, N);
  const cBytes = batch * M * N * 4;
  const aPackBytes = align(ex.aPackBytes(K), 64);
  // Layout: A span | B span | bias | packed B | C | one A-panel scratch per thread.
  const offA = 0;
  const offB = align(offA + aSpan * 4, 64);
  const offBias = align(offB + bSpan * 4, 64);
  const offPacked = align(offBias + (bias ? N * 4 : 0), 64);
  const offC = align(offPacked + packed, 64);
  const offScratch = align(offC + cBytes, 64);
  const base = k.reserve(offScratch + aPackBytes * k.threads);
  copyIn(k, A.data, A.offset, aSpan, base + offA);
  copyIn(k, B.data, B.offset, bSpan, base + offB);
  if (bias) copyIn(k, bias.data, bias.offset, N, base + offBias);
  ex.packB(base + offB, B.sb, B.sr, B.sc, bBatches, K, N, base + offPacked);
  const items = batch * Math.ceil(M / MR);
  const pbStride = B.sb === 0 ? 0 : packed / bBatches;
  const args = [base + offA, A.sb, A.sr, A.sc, base + offPacked, pbStride, base + offC, M, N, K, bias ? base + offBias : 0, WASM_MATMUL_ACT[act], 0, items, base + offScratch];
  // Threads take row panels; a product under ~1 MFLOP is done before helpers would wake.
  if (k.pool && 2 * batch * M * N * K >= PARALLEL_FLOPS) k.pool.run('gemm', args, 12, items, 14, aPackBytes);
  else ex.gemm(...(args as Parameters<typeof ex.gemm>));
  out.set(k.f32.subarray((base + offC) / 4, (base + offC) / 4 + batch * M * N), outOffset);
}
