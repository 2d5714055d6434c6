// Multi-head attention forward + backward, ours (the fused scaledDotProductAttention of
// src/engine/ops/attention.ts) against tfjs built from its ops (matMul, softmax, matMul; gradients
// by tf.grads). Loss = Σ out ⊙ W with a fixed W, so the backward sees a dense upstream gradient.

import { backward } from '../src/engine/autograd';
import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { scaledDotProductAttention as sdpa } from '../src/engine/ops/attention';
import { mul } from '../src/engine/ops/elementwise';
import { sum } from '../src/engine/ops/reduce';
import { tidy } from '../src/engine/scope';
import { fromData } from '../src/engine/storage';
import { countStep } from './counters';
import { timeSteps, uniformData } from './timing';
import type { tf } from './tfjs-side';
import type { AttentionRow } from './types';

export interface AttentionCase {
  b: number;
  h: number;
  t: number;
  d: number;
}

/** t = 16, 32, 64, 128 at b = 8, h = 4, d = 32 (d_model 128). */
export function attentionCases(reduced: boolean): AttentionCase[] {
  if (reduced) return [{ b: 2, h: 2, t: 16, d: 16 }];
  return [16, 32, 64, 128].map((t) => ({ b: 8, h: 4, t, d: 32 }));
}

export async function attentionRows(
  backend: GpuBackend,
  cases: readonly AttentionCase[],
  reps: number,
  withTfjs: boolean,
  log: (line: string) => void,
): Promise<AttentionRow[]> {
  const rows: AttentionRow[] = [];
  for (const c of cases) {
    const shape = [c.b, c.h, c.t, c.d];
    const n = c.b * c.h * c.t * c.d;
    const row: AttentionRow = { ...c, ours_ms: null, tfjs_ms: null };
    const [q, k, v] = [1, 2, 3].map((s) => {
      const x = fromData(uniformData(n, s), shape, 'f32', backend);
      x.requiresGrad = true;
      return x;
    });
    const w = fromData(uniformData(n, 4), shape, 'f32', backend);
    const step = async () => {
      tidy(() => backward(sum(mul(sdpa(q, k, v).out, w))));
      await backend.sync();
      for (const x of [q, k, v]) {
        x.grad?.dispose();
        x.grad = null;
      }
    };
    row.ours_ms = (await timeSteps(step, reps)).median;
    row.counters = await countStep(backend, step);
    for (const x of [q, k, v, w]) x.dispose();
    if (withTfjs) {
      const { tf, tfjsSync } = await import('./tfjs-side');
      const [q, k, v, w] = [1, 2, 3, 4].map((s) => tf.tensor(uniformData(n, s), shape));
      const scale = 1 / Math.sqrt(c.d);
      const f = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(tf.softmax(tf.mul(tf.matMul(qq, kk, false, true), scale)), vv), w));
      const grads = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor);
      const t = await timeSteps(async () => {
        const gs = grads([q, k, v]);
        await tfjsSync();
        tf.dispose(gs);
      }, reps);
      tf.dispose([q, k, v, w]);
      row.tfjs_ms = t.median;
    }
    log(`[bench] attention b=${c.b} h=${c.h} t=${c.t} d=${c.d} fwd+bwd: ours ${row.ours_ms?.toFixed(1) ?? '—'} ms, tfjs ${row.tfjs_ms?.toFixed(1) ?? '—'} ms`);
    rows.push(row);
  }
  return rows;
}
