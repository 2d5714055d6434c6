// Matmul throughput, ours against tfjs-backend-webgpu, on square sizes and on the products of a
// transformer layer's feed-forward block (forward x·W₁ᵀ, and the backward's dY·W and dYᵀ·X).

import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { matmulRaw, matmulVariantFor, matmulVariantsOn } from '../src/engine/ops/matmul';
import { transpose } from '../src/engine/ops/view';
import { fromData } from '../src/engine/storage';
import type { Tensor } from '../src/engine/tensor';
import { gflops, timeSteps, uniformData } from './timing';
// tfjs is imported only when a run compares with it: its ES modules do not load under plain Node
// (the device bench, src/cli/device-bench.ts), and the Node bundle leaves it out.
import type { Layout, MatmulRow, MatmulVariantRow } from './types';

export interface MatmulCase {
  m: number;
  n: number;
  k: number;
  batch?: number;
  layout?: Layout;
  what: string;
}

/** Square sizes, then one feed-forward block at batch·seq = 512 rows, d_model 256, d_ff = 4·d_model. */
export function matmulCases(reduced: boolean): MatmulCase[] {
  if (reduced) {
    return [
      { m: 64, n: 64, k: 64, what: 'square' },
      { m: 128, n: 128, k: 128, what: 'square' },
      { m: 64, n: 128, k: 32, layout: 'NT', what: 'linear x·Wᵀ' },
      { m: 32, n: 64, k: 96, layout: 'TN', what: 'weight grad dYᵀ·X' },
      { m: 16, n: 16, k: 8, batch: 4, layout: 'NT', what: 'attention scores Q·Kᵀ' },
    ];
  }
  const rows = 512;
  const d = 256;
  const ff = 4 * d;
  return [
    ...[128, 256, 512, 1024].map((s) => ({ m: s, n: s, k: s, what: 'square' })),
    { m: rows, n: ff, k: d, layout: 'NT', what: 'FFN forward x·W₁ᵀ (batch·seq × d_model → 4·d_model)' },
    { m: rows, n: d, k: ff, layout: 'NN', what: 'FFN backward dY·W₂ (dX)' },
    { m: ff, n: d, k: rows, layout: 'TN', what: 'FFN backward dYᵀ·X (dW)' },
    { m: 64, n: 64, k: 32, batch: 32, layout: 'NT', what: 'attention scores Q·Kᵀ (b·h = 32, t = 64, d = 32)' },
    { m: 64, n: 32, k: 64, batch: 32, layout: 'NN', what: 'attention output P·V (b·h = 32, t = 64, d = 32)' },
  ];
}

function ours(backend: GpuBackend, c: MatmulCase, layout: Layout): { a: Tensor; b: Tensor; free(): void } {
  const batch = c.batch ?? 1;
  // Batched cases give both operands their own batch (attention's Q·Kᵀ and P·V); else 2-D.
  const lead = batch > 1 ? [batch] : [];
  const aStored = fromData(uniformData(batch * c.m * c.k, 1), [...lead, ...(layout[0] === 'T' ? [c.k, c.m] : [c.m, c.k])], 'f32', backend);
  const bStored = fromData(uniformData(batch * c.k * c.n, 2), [...lead, ...(layout[1] === 'T' ? [c.n, c.k] : [c.k, c.n])], 'f32', backend);
  const a = layout[0] === 'T' ? transpose(aStored) : aStored;
  const b = layout[1] === 'T' ? transpose(bStored) : bStored;
  return {
    a,
    b,
    free: () => {
      for (const t of new Set([a, b, aStored, bStored])) t.dispose();
    },
  };
}

export async function matmulRows(
  backend: GpuBackend,
  cases: readonly MatmulCase[],
  reps: number,
  withTfjs: boolean,
  log: (line: string) => void,
): Promise<MatmulRow[]> {
  const rows: MatmulRow[] = [];
  for (const c of cases) {
    const layout = c.layout ?? 'NN';
    const batch = c.batch ?? 1;
    const flops = 2 * batch * c.m * c.n * c.k;
    const o = ours(backend, c, layout);
    const variant = matmulVariantFor(backend, c.m, c.n, c.k, batch);
    const mine = await timeSteps(async () => {
      const out = matmulRaw(o.a, o.b);
      await backend.sync();
      out.dispose();
    }, reps);
    o.free();
    let theirs: number | null = null;
    if (withTfjs) {
      const { tf, tfjsSync } = await import('./tfjs-side');
      const ta = layout[0] === 'T';
      const tb = layout[1] === 'T';
      const a = tf.tensor(uniformData(batch * c.m * c.k, 1), batch > 1 ? [batch, ta ? c.k : c.m, ta ? c.m : c.k] : [ta ? c.k : c.m, ta ? c.m : c.k]);
      const b = tf.tensor(uniformData(batch * c.k * c.n, 2), batch > 1 ? [batch, tb ? c.n : c.k, tb ? c.k : c.n] : [tb ? c.n : c.k, tb ? c.k : c.n]);
      const t = await timeSteps(async () => {
        const out = tf.matMul(a, b, ta, tb);
        await tfjsSync();
        out.dispose();
      }, reps);
      tf.dispose([a, b]);
      theirs = t.median;
    }
    const row: MatmulRow = {
      m: c.m,
      n: c.n,
      k: c.k,
      batch,
      layout,
      what: c.what,
      variant,
      ours_ms: mine.median,
      tfjs_ms: theirs,
      ours_gflops: gflops(flops, mine.median),
      tfjs_gflops: theirs === null ? null : gflops(flops, theirs),
    };
    log(
      `[bench] matmul ${batch > 1 ? `${batch}×` : ''}${c.m}×${c.n}×${c.k} ${layout}: ours ${row.ours_gflops.toFixed(2)} GFLOP/s (${variant}), tfjs ${row.tfjs_gflops?.toFixed(2) ?? '—'} GFLOP/s`,
    );
    rows.push(row);
  }
  return rows;
}

/** Each of our kernels forced at size³ (what the selector would pick is in the square rows). */
export async function matmulVariantRows(backend: GpuBackend, size: number, reps: number, log: (line: string) => void): Promise<MatmulVariantRow[]> {
  const c: MatmulCase = { m: size, n: size, k: size, what: 'square' };
  const o = ours(backend, c, 'NN');
  const rows: MatmulVariantRow[] = [];
  for (const variant of matmulVariantsOn(backend)) {
    const t = await timeSteps(async () => {
      const out = matmulRaw(o.a, o.b, null, { variant });
      await backend.sync();
      out.dispose();
    }, reps);
    const row = { variant, m: size, n: size, k: size, ours_ms: t.median, ours_gflops: gflops(2 * size ** 3, t.median) };
    log(`[bench] matmul variant ${variant} at ${size}³: ${row.ours_gflops.toFixed(2)} GFLOP/s`);
    rows.push(row);
  }
  o.free();
  return rows;
}
