import { describe, expect, it } from 'vitest';
import { backward } from '../autograd';
import { Random } from '../random';
import { tidy } from '../scope';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData, type InputSpec } from '../testing/check';
import { scaledDotProductAttention } from './attention';
import { mul } from './elementwise';
import { attentionWithWeights, hardAttention, type HardAttentionRule } from './hard-attention';
import { sum } from './reduce';

const f = (shape: number[]): InputSpec => ({ shape });

/**
 * Rows of distinct positive weights on the grid (j + 0.5)/Tk, shuffled: neighbours are 1/Tk apart, so
 * the finite-difference steps never reorder them, and thresholds at j/Tk are never crossed.
 */
function gridRows(rows: number, Tk: number, seed: number): number[] {
  const rng = new Random(seed);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: Tk }, (_, j) => (j + 0.5) / Tk);
    for (let j = Tk - 1; j > 0; j--) {
      const s = rng.int(j + 1);
      [v[j], v[s]] = [v[s], v[j]];
    }
    out.push(...v);
  }
  return out;
}

/** Direct reference of the documented rule for one row. */
function hardRow(p: number[], rule: HardAttentionRule): number[] {
  let keep: boolean[];
  if (rule.kind === 'topk') {
    const order = p.map((x, j) => [x, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const top = new Set(order.slice(0, rule.k).map(([, j]) => j));
    keep = p.map((_, j) => top.has(j));
  } else {
    keep = p.map((x) => x >= rule.tau);
    if (!keep.some(Boolean)) keep = p.map((_, j) => j === p.indexOf(Math.max(...p)));
  }
  const z = p.reduce((a, x, j) => a + (keep[j] ? x : 0), 0);
  return p.map((x, j) => (keep[j] && z !== 0 ? x / z : 0));
}

for (const nb of testBackends()) {
  describe(`hard attention on ${nb.name}`, () => {
    const rules: HardAttentionRule[] = [
      { kind: 'topk', k: 1 },
      { kind: 'topk', k: 3 },
      { kind: 'topk', k: 100 },
      { kind: 'threshold', tau: 0.32 },
      { kind: 'threshold', tau: 0.99 },
    ];

    it('forward and gradient (mask held fixed) for top-k and threshold: one row of one key, odd sizes, > workgroup rows', async () => {
      const b = await nb.get();
      for (const rule of rules) {
        for (const shape of [[1, 1], [3, 5], [2, 35, 10]]) {
          const rows = shape.slice(0, -1).reduce((a, x) => a * x, 1);
          const Tk = shape[shape.length - 1];
          await checkOp((p) => hardAttention(p, rule), [{ shape, data: gridRows(rows, Tk, rows + Tk) }], b);
        }
      }
    });

    it('dropped weights are exact zeros, kept ones renormalise to 1, as the documented rule says', async () => {
      const b = await nb.get();
      const [rows, Tk] = [6, 9];
      const data = gridRows(rows, Tk, 3);
      for (const rule of rules) {
        const w = await toArray(hardAttention(fromData(data, [rows, Tk], 'f32', b), rule));
        for (let r = 0; r < rows; r++) {
          const row = Array.from(w.subarray(r * Tk, (r + 1) * Tk));
          const ref = hardRow(data.slice(r * Tk, (r + 1) * Tk), rule);
          assertClose(row, ref, 1e-6, 1e-6, `${rule.kind} row ${r}`);
          ref.forEach((x, j) => x === 0 && expect(row[j]).toBe(0));
          expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
          const keptCount = row.filter((x) => x > 0).length;
          if (rule.kind === 'topk') expect(keptCount).toBe(Math.min(rule.k, Tk));
          else expect(keptCount).toBeGreaterThanOrEqual(1);
        }
      }
    });

    it('ties go to the lower key index; a threshold nobody reaches keeps the first argmax; an all-zero row stays zero', async () => {
      const b = await nb.get();
      const run = async (row: number[], rule: HardAttentionRule) => Array.from(await toArray(hardAttention(fromData(row, [1, row.length], 'f32', b), rule)));
      expect(await run([0.3, 0.3, 0.2, 0.2], { kind: 'topk', k: 1 })).toEqual([1, 0, 0, 0]);
      assertClose(await run([0.2, 0.3, 0.2, 0.3], { kind: 'topk', k: 3 }), [0.25, 0.375, 0, 0.375], 1e-6, 1e-6, 'top-3 with ties');
      expect(await run([0.2, 0.4, 0.4], { kind: 'threshold', tau: 0.5 })).toEqual([0, 1, 0]);
      assertClose(await run([0.25, 0.5, 0.25], { kind: 'threshold', tau: 0.25 }), [0.25, 0.5, 0.25], 1e-6, 1e-6, 'p = τ is kept');
      // A fully masked query row (all weights 0): zeros and zero gradient, never NaN.
      const p = fromData([0, 0, 0, 0.1, 0.6, 0.3], [2, 3], 'f32', b);
      p.requiresGrad = true;
      const w = tidy(() => {
        const out = hardAttention(p, { kind: 'topk', k: 2 });
        backward(sum(mul(out, fromData([1, 2, 3, 4, 5, 6], [2, 3], 'f32', b))));
        return out;
      });
      const wv = Array.from(await toArray(w));
      expect(wv.slice(0, 3)).toEqual([0, 0, 0]);
      const g = Array.from(await toArray(p.grad!));
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.slice(0, 3)).toEqual([0, 0, 0]);
      expect(g[3]).toBe(0);
    });
  });

  describe(`attentionWithWeights on ${nb.name}`, () => {
    const qkv = (B: number, H: number, Tq: number, Tk: number, d: number): InputSpec[] => [f([B, H, Tq, d]), f([B, H, Tk, d]), f([B, H, Tk, d])];
    const mask: InputSpec = { shape: [2, 6], data: [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1], noGrad: true };

    it('soft: the same output and weights as the fused kernel', async () => {
      const b = await nb.get();
      const [B, H, Tq, Tk, d] = [2, 3, 5, 6, 4];
      const t = (n: number, s: number, shape: number[]) => fromData(randomData(n, s), shape, 'f32', b);
      const q = t(B * H * Tq * d, 1, [B, H, Tq, d]);
      const k = t(B * H * Tk * d, 2, [B, H, Tk, d]);
      const v = t(B * H * Tk * d, 3, [B, H, Tk, d]);
      const m = fromData(mask.data!, [B, Tk], 'f32', b);
      for (const causal of [false, true]) {
        const a = attentionWithWeights(q, k, v, { keyPaddingMask: m, causal });
        const fused = scaledDotProductAttention(q, k, v, { keyPaddingMask: m, causal, returnWeights: true });
        assertClose(await toArray(a.out), await toArray(fused.out), 1e-5, 1e-5, 'out');
        assertClose(await toArray(a.weights), await toArray(fused.weights!), 1e-6, 1e-5, 'weights');
      }
    });

    it('gradients to q, k, v: soft and hard (top-k, threshold), with padding and causal masks', async () => {
      const b = await nb.get();
      await checkOp((q, k, v, m) => attentionWithWeights(q, k, v, { keyPaddingMask: m }).out, [...qkv(2, 2, 3, 6, 3), mask], b, { seed: 11 });
      await checkOp((q, k, v) => attentionWithWeights(q, k, v, { causal: true, hard: { kind: 'topk', k: 2 } }).out, qkv(1, 2, 5, 5, 3), b, { seed: 12 });
      await checkOp((q, k, v, m) => attentionWithWeights(q, k, v, { keyPaddingMask: m, hard: { kind: 'topk', k: 3 } }).out, [...qkv(2, 1, 4, 6, 2), mask], b, { seed: 13 });
      await checkOp((q, k, v, m) => attentionWithWeights(q, k, v, { keyPaddingMask: m, causal: true, hard: { kind: 'threshold', tau: 0.2 } }).out, [...qkv(2, 2, 6, 6, 3), mask], b, { seed: 14 });
      // Weights as the output: the differentiable hard weights themselves.
      await checkOp((q, k) => attentionWithWeights(q, k, k, { hard: { kind: 'topk', k: 2 } }).weights, [f([1, 1, 3, 2]), f([1, 1, 4, 2])], b, { seed: 15 });
    });

    it('hard weights: exact zeros outside the kept set, rows sum to 1, fully masked rows are zero', async () => {
      const b = await nb.get();
      const [B, H, Tq, Tk, d] = [2, 2, 4, 6, 3];
      const t = (n: number, s: number, shape: number[]) => fromData(randomData(n, s), shape, 'f32', b);
      const q = t(B * H * Tq * d, 21, [B, H, Tq, d]);
      const k = t(B * H * Tk * d, 22, [B, H, Tk, d]);
      const v = t(B * H * Tk * d, 23, [B, H, Tk, d]);
      const m = fromData([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1], [B, Tk], 'f32', b);
      const r = attentionWithWeights(q, k, v, { keyPaddingMask: m, hard: { kind: 'topk', k: 2 } });
      const w = await toArray(r.weights);
      const o = await toArray(r.out);
      for (let row = 0; row < B * H * Tq; row++) {
        const ws = Array.from(w.subarray(row * Tk, (row + 1) * Tk));
        const masked = row < H * Tq;
        expect(ws.filter((x) => x !== 0).length).toBe(masked ? 0 : 2);
        expect(ws.reduce((a, x) => a + x, 0)).toBeCloseTo(masked ? 0 : 1, 5);
        if (!masked) expect(ws[4]).toBe(0);
      }
      expect(Array.from(o).every(Number.isFinite)).toBe(true);
      expect(Array.from(o.subarray(0, H * Tq * d)).every((x) => x === 0)).toBe(true);
    });
  });
}
