// Every matmul kernel this device can run, checked against the CPU reference on the adapter being
// benchmarked: a lent GPU runs kernels no test suite has run there (its subgroup size, its quad
// layout), and a fast kernel that is wrong must show before its figures are recorded.
// Shapes: odd sizes (partial blocks, quads and k steps), a transposed operand, a batch, bias + relu.

import { CpuBackend } from '../src/engine/backend';
import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { matmulRaw, matmulVariantsOn, type MatmulActivation } from '../src/engine/ops/matmul';
import { transpose } from '../src/engine/ops/view';
import { fromData, toFloat32 } from '../src/engine/storage';
import type { Backend } from '../src/engine/backend';
import type { Tensor } from '../src/engine/tensor';
import { uniformData } from './timing';

export interface MatmulCheckRow {
  variant: string;
  /** Largest |ours − reference| / (1 + |reference|) over every element of every shape. */
  max_rel_err: number;
  ok: boolean;
}

interface Shape {
  M: number;
  N: number;
  K: number;
  batch: number;
  bT: boolean;
  act: MatmulActivation;
}

const SHAPES: Shape[] = [
  { M: 70, N: 37, K: 18, batch: 1, bT: false, act: 'none' },
  { M: 129, N: 65, K: 67, batch: 1, bT: true, act: 'relu' },
  { M: 33, N: 20, K: 9, batch: 3, bT: false, act: 'none' },
];

/** f32 accumulation of K ≤ 67 products of values in [-0.5, 0.5): errors of ~1e-5; a wrong block is O(1). */
const TOLERANCE = 1e-3;

function operands(s: Shape, backend: Backend): { a: Tensor; b: Tensor; bias: Tensor; all: Tensor[] } {
  const lead = s.batch > 1 ? [s.batch] : [];
  const a = fromData(uniformData(s.batch * s.M * s.K, 11), [...lead, s.M, s.K], 'f32', backend);
  const bStored = fromData(uniformData(s.batch * s.K * s.N, 12), [...lead, ...(s.bT ? [s.N, s.K] : [s.K, s.N])], 'f32', backend);
  const b = s.bT ? transpose(bStored) : bStored;
  const bias = fromData(uniformData(s.N, 13), [s.N], 'f32', backend);
  return { a, b, bias, all: [...new Set([a, b, bStored, bias])] };
}

export async function matmulCheckRows(backend: GpuBackend, log: (line: string) => void): Promise<MatmulCheckRow[]> {
  const cpu = new CpuBackend({ float64: true });
  const refs: Float32Array[] = [];
  for (const s of SHAPES) {
    const o = operands(s, cpu);
    refs.push(await toFloat32(matmulRaw(o.a, o.b, o.bias, { activation: s.act })));
  }
  const rows: MatmulCheckRow[] = [];
  for (const variant of matmulVariantsOn(backend)) {
    let worst = 0;
    for (const [i, s] of SHAPES.entries()) {
      const o = operands(s, backend);
      const out = matmulRaw(o.a, o.b, o.bias, { activation: s.act, variant });
      const got = await toFloat32(out);
      out.dispose();
      for (const t of o.all) t.dispose();
      for (let j = 0; j < got.length; j++) {
        const e = Math.abs(got[j] - refs[i][j]) / (1 + Math.abs(refs[i][j]));
        worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
      }
    }
    const row = { variant, max_rel_err: worst, ok: worst <= TOLERANCE };
    log(`[check] matmul ${variant}: max relative error ${worst.toExponential(2)} ${row.ok ? 'ok' : 'WRONG'}`);
    rows.push(row);
  }
  return rows;
}
