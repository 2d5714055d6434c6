// The WebAssembly matmul kernel against a float64 triple loop, on shapes that cross its 4 × 8
// tiles and packing panels in every way (edges, strided and transposed operands, shared B,
// bias and relu epilogue), on one thread and split over three (the pool's row-panel shares). The op suites (`--project wasm`) cover it again through matmul().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertClose, randomData } from '../testing/check';
import { wasmMatmul, type StridedOperand } from './matmul';
import { createWasmKernels, type WasmKernels } from './runtime';

interface Case {
  batch: number;
  M: number;
  N: number;
  K: number;
  aT?: boolean;
  bT?: boolean;
  bShared?: boolean;
  bias?: boolean;
  relu?: boolean;
}

const CASES: Case[] = [
  { batch: 1, M: 1, N: 1, K: 1 },
  { batch: 1, M: 4, N: 8, K: 5 },
  { batch: 1, M: 5, N: 9, K: 3, bias: true },
  { batch: 1, M: 67, N: 130, K: 33, aT: true, relu: true, bias: true },
  { batch: 3, M: 13, N: 17, K: 40, bT: true },
  { batch: 4, M: 9, N: 16, K: 7, aT: true, bT: true, bShared: true, bias: true },
  { batch: 1, M: 128, N: 64, K: 256, bT: true },
  { batch: 2, M: 3, N: 5, K: 0, bias: true },
  { batch: 2, M: 101, N: 70, K: 90, aT: true, bias: true, relu: true },
];

/** A [rows, cols] matrix per batch stored row-major, or stored as [batch, cols, rows] and read transposed. */
function operand(data: Float32Array, rows: number, cols: number, transposed: boolean, shared: boolean): StridedOperand {
  const sb = shared ? 0 : rows * cols;
  return transposed ? { data, offset: 0, sb, sr: 1, sc: rows } : { data, offset: 0, sb, sr: cols, sc: 1 };
}

function reference(c: Case, A: StridedOperand, B: StridedOperand, bias: Float32Array | null): number[] {
  const out: number[] = [];
  for (let b = 0; b < c.batch; b++)
    for (let i = 0; i < c.M; i++)
      for (let j = 0; j < c.N; j++) {
        let acc = bias ? bias[j] : 0;
        for (let k = 0; k < c.K; k++) acc += A.data[A.offset + b * A.sb + i * A.sr + k * A.sc] * B.data[B.offset + b * B.sb + k * B.sr + j * B.sc];
        out.push(c.relu ? Math.max(0, acc) : acc);
      }
  return out;
}

describe.each([1, 3])('wasmMatmul, %i thread(s)', (threads) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await createWasmKernels({ threads });
    expect(kernels.threads).toBe(threads);
  });
  afterAll(() => kernels.stopThreads());
  for (const c of CASES) {
    const name = `${c.batch}×${c.M}×${c.K}${c.aT ? 'ᵀ' : ''} · ${c.K}×${c.N}${c.bT ? 'ᵀ' : ''}${c.bShared ? ' (shared B)' : ''}${c.bias ? ' +bias' : ''}${c.relu ? ' relu' : ''}`;
    it(name, () => {
      const a = Float32Array.from(randomData(c.batch * c.M * c.K, 1));
      const b = Float32Array.from(randomData((c.bShared ? 1 : c.batch) * c.K * c.N, 2));
      const bias = c.bias ? Float32Array.from(randomData(c.N, 3)) : null;
      const A = operand(a, c.M, c.K, !!c.aT, false);
      const B = operand(b, c.K, c.N, !!c.bT, !!c.bShared);
      const out = new Float32Array(c.batch * c.M * c.N + 2).fill(NaN);
      wasmMatmul(kernels, A, B, c.batch, c.M, c.N, c.K, bias ? { data: bias, offset: 0 } : null, c.relu ? 'relu' : 'none', out, 1);
      assertClose(out.subarray(1, 1 + c.batch * c.M * c.N), reference(c, A, B, bias), 1e-6 * Math.max(c.K, 10), 1e-5, 'C'); // f32 sums of K products
      assertClose([out[0], out[out.length - 1]], [NaN, NaN], 0, 0, 'untouched neighbours');
    });
  }
});
