import { describe, expect, it } from 'vitest';
import { backward } from '../autograd';
import type { Backend } from '../backend';
import { tidy } from '../scope';
import { fromData, toArray } from '../storage';
import type { Tensor } from '../tensor';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData, type InputSpec } from '../testing/check';
import { attentionSoftmax, scaledDotProductAttention, type AttentionOptions } from './attention';
import { mul } from './elementwise';
import { sum } from './reduce';
import { narrow, permute, reshape } from './view';

const f = (shape: number[]): InputSpec => ({ shape });
const maskSpec = (rows: number[][]): InputSpec => ({ shape: [rows.length, rows[0].length], data: rows.flat(), noGrad: true });

/**
 * softmax(scale · Q Kᵀ + M) V written out directly (no online softmax, no saved L), in float64:
 * the independent reference for the weights test and the hand-checked cases.
 */
function naiveAttention(
  q: number[], k: number[], v: number[],
  [B, H, Tq, Tk, d, dv]: number[],
  opts: { mask?: number[]; causal?: boolean; scale?: number } = {},
): { out: number[]; weights: number[] } {
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const out = new Array<number>(B * H * Tq * dv).fill(0);
  const weights = new Array<number>(B * H * Tq * Tk).fill(0);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const visible = (j: number) => (!opts.mask || opts.mask[b * Tk + j] === 1) && (!opts.causal || j <= i + Tk - Tq);
        const s: number[] = [];
        for (let j = 0; j < Tk; j++) {
          let x = 0;
          for (let c = 0; c < d; c++) x += q[((b * H + h) * Tq + i) * d + c] * k[((b * H + h) * Tk + j) * d + c];
          s.push(visible(j) ? x * scale : -Infinity);
        }
        const m = Math.max(...s);
        if (m === -Infinity) continue;
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let j = 0; j < Tk; j++) {
          const p = e[j] / z;
          weights[((b * H + h) * Tq + i) * Tk + j] = p;
          for (let c = 0; c < dv; c++) out[((b * H + h) * Tq + i) * dv + c] += p * v[((b * H + h) * Tk + j) * dv + c];
        }
      }
    }
  }
  return { out, weights };
}

function sdpa(opts: AttentionOptions = {}) {
  return (q: Tensor, k: Tensor, v: Tensor, mask?: Tensor) => scaledDotProductAttention(q, k, v, { ...opts, keyPaddingMask: mask ?? null }).out;
}

/** Shapes [B, H, Tq, Tk, d, dv]: size 1, odd sizes, Tq ≠ Tk, more rows than a workgroup (64), more keys than a tile (16). */
const SHAPES: number[][] = [
  [1, 1, 1, 1, 1, 1],
  [2, 3, 5, 7, 4, 4],
  [1, 2, 6, 3, 5, 2],
  [1, 1, 70, 17, 3, 2],
];

function qkv([B, H, Tq, Tk, d, dv]: number[]): InputSpec[] {
  return [f([B, H, Tq, d]), f([B, H, Tk, d]), f([B, H, Tk, dv])];
}

async function upload(b: Backend, data: number[], shape: number[]): Promise<Tensor> {
  return fromData(data, shape, 'f32', b);
}

for (const nb of testBackends()) {
  describe(`scaled dot-product attention on ${nb.name}`, () => {
    it('forward and gradients (q, k, v) against the reference: sizes 1, odd, Tq ≠ Tk, > workgroup, > key tile', async () => {
      const b = await nb.get();
      for (const s of SHAPES) await checkOp(sdpa(), qkv(s), b, { seed: s.reduce((a, x) => a * 3 + x, 0) });
    });

    it('causal: Tq = Tk (j ≤ i), Tq < Tk and Tq > Tk (bottom-right aligned; leading rows fully masked)', async () => {
      const b = await nb.get();
      for (const s of [[1, 2, 9, 9, 8, 8], [2, 1, 3, 6, 5, 3], [1, 2, 6, 3, 4, 4], [1, 1, 20, 20, 2, 2]]) {
        await checkOp(sdpa({ causal: true }), qkv(s), b, { seed: s[2] * 7 + s[3] });
      }
    });

    it('key padding mask, including a fully masked batch row (zeros out, zero gradients)', async () => {
      const b = await nb.get();
      const mask = [[1, 1, 1, 0, 0], [1, 0, 1, 1, 0], [0, 0, 0, 0, 0]];
      await checkOp(sdpa(), [...qkv([3, 2, 4, 5, 3, 3]), maskSpec(mask)], b, { seed: 5 });
      await checkOp(sdpa({ causal: true }), [...qkv([3, 2, 5, 5, 3, 3]), maskSpec(mask)], b, { seed: 6 });
      // More keys than a tile, a whole tile of padding.
      const long = [Array.from({ length: 40 }, (_, j) => (j < 13 ? 1 : 0)), Array.from({ length: 40 }, (_, j) => (j % 3 === 0 ? 1 : 0))];
      await checkOp(sdpa(), [...qkv([2, 1, 3, 40, 2, 2]), maskSpec(long)], b, { seed: 7 });
    });

    it('a fully masked row gives exact zeros and no NaN in values or gradients', async () => {
      const b = await nb.get();
      const [B, H, Tq, Tk, d] = [2, 2, 3, 4, 5];
      const q = await upload(b, randomData(B * H * Tq * d, 1, 30), [B, H, Tq, d]);
      const k = await upload(b, randomData(B * H * Tk * d, 2, 30), [B, H, Tk, d]);
      const v = await upload(b, randomData(B * H * Tk * d, 3), [B, H, Tk, d]);
      const mask = await upload(b, [1, 1, 0, 1, 0, 0, 0, 0], [B, Tk]);
      for (const t of [q, k, v]) t.requiresGrad = true;
      const { out, weights } = tidy(() => {
        const r = scaledDotProductAttention(q, k, v, { keyPaddingMask: mask, returnWeights: true });
        backward(sum(mul(r.out, fromData(randomData(r.out.size, 4), r.out.shape, 'f32', b))));
        return r;
      });
      const o = await toArray(out);
      const w = await toArray(weights!);
      const half = (a: ArrayLike<number>) => Array.from(a).slice(a.length / 2);
      expect(half(o).every((x) => x === 0)).toBe(true);
      expect(half(w).every((x) => x === 0)).toBe(true);
      for (const t of [q, k, v]) {
        const g = await toArray(t.grad!);
        expect(Array.from(g).every(Number.isFinite)).toBe(true);
        expect(half(g).every((x) => x === 0)).toBe(true);
      }
      expect(Array.from(o).every(Number.isFinite)).toBe(true);
    });

    it('returnWeights: rows sum to 1 and equal softmax(QKᵀ/√d) of the direct reference; out equals P V', async () => {
      const b = await nb.get();
      const dims = [2, 3, 7, 19, 6, 4];
      const [B, H, Tq, Tk, d, dv] = dims;
      const qd = randomData(B * H * Tq * d, 11, 2);
      const kd = randomData(B * H * Tk * d, 12, 2);
      const vd = randomData(B * H * Tk * dv, 13);
      const maskRows = Array.from({ length: B * Tk }, (_, i) => (i % Tk < Tk - 3 * (i >= Tk ? 1 : 0) ? 1 : 0));
      for (const causal of [false, true]) {
        const ref = naiveAttention(qd, kd, vd, dims, { mask: maskRows, causal });
        const r = scaledDotProductAttention(
          await upload(b, qd, [B, H, Tq, d]),
          await upload(b, kd, [B, H, Tk, d]),
          await upload(b, vd, [B, H, Tk, dv]),
          { keyPaddingMask: await upload(b, maskRows, [B, Tk]), causal, returnWeights: true },
        );
        expect(r.weights!.shape).toEqual([B, H, Tq, Tk]);
        const w = await toArray(r.weights!);
        assertClose(w, ref.weights, 1e-6, 1e-5, `weights (causal ${causal})`);
        assertClose(await toArray(r.out), ref.out, 1e-5, 1e-5, `out (causal ${causal})`);
        for (let row = 0; row < B * H * Tq; row++) {
          const s = Array.from(w.subarray(row * Tk, (row + 1) * Tk)).reduce((a, x) => a + x, 0);
          expect(s).toBeCloseTo(1, 5);
        }
      }
      // Without returnWeights nothing but the output comes back.
      const r = scaledDotProductAttention(await upload(b, qd, [B, H, Tq, d]), await upload(b, kd, [B, H, Tk, d]), await upload(b, vd, [B, H, Tk, dv]));
      expect(r.weights).toBeUndefined();
    });

    it('explicit scale, and large logits stay finite (online softmax rescaling)', async () => {
      const b = await nb.get();
      await checkOp(sdpa({ scale: 0.3 }), qkv([1, 2, 4, 6, 3, 3]), b, { seed: 21 });
      const [B, H, Tq, Tk, d] = [1, 1, 4, 40, 4];
      const dims = [B, H, Tq, Tk, d, d];
      const qd = randomData(B * H * Tq * d, 22, 40);
      const kd = randomData(B * H * Tk * d, 23, 40);
      const vd = randomData(B * H * Tk * d, 24);
      const ref = naiveAttention(qd, kd, vd, dims);
      const r = scaledDotProductAttention(await upload(b, qd, [B, H, Tq, d]), await upload(b, kd, [B, H, Tk, d]), await upload(b, vd, [B, H, Tk, d]));
      assertClose(await toArray(r.out), ref.out, 1e-4, 1e-4, 'out with logits in the thousands');
    });

    it('strided inputs (heads split by reshape + permute) and an output laid out like q', async () => {
      const b = await nb.get();
      const [B, T, S, H, d] = [2, 5, 4, 3, 4];
      const split = (x: Tensor, len: number) => permute(reshape(x, [B, len, H, d]), [0, 2, 1, 3]);
      await checkOp(
        (x, y, z) => {
          const out = scaledDotProductAttention(split(x, T), split(y, S), split(z, S)).out;
          // [B, H, T, d] in [B, T, H, d] memory order: merging heads back is a pure view.
          expect(out.strides).toEqual([T * H * d, d, H * d, 1]);
          return out;
        },
        [f([B, T, H * d]), f([B, S, H * d]), f([B, S, H * d])],
        b,
        { seed: 31 },
      );
    });

    it('views whose offsets break 4-float alignment (scalar kernels) agree with aligned ones (vec4 kernels)', async () => {
      const b = await nb.get();
      const [B, H, T, d] = [2, 2, 5, 8];
      const n = B * H * T * d;
      const data = [randomData(n, 71), randomData(n, 72), randomData(n, 73)];
      // The same values at element offset 1 of a larger buffer: narrow(…, -1, 1, d) of [B, H, T, d + 1] rows.
      const shifted = (x: number[]) => {
        const wide: number[] = [];
        for (let r = 0; r < n / d; r++) wide.push(0, ...x.slice(r * d, (r + 1) * d));
        return wide;
      };
      const grads = async (unaligned: boolean) => {
        const xs = data.map((x) => fromData(unaligned ? shifted(x) : x, [B, H, T, unaligned ? d + 1 : d], 'f32', b));
        for (const x of xs) x.requiresGrad = true;
        const out = tidy(() => {
          const [q, k, v] = xs.map((x) => (unaligned ? narrow(x, 3, 1, d) : x));
          const o = scaledDotProductAttention(q, k, v, { causal: true }).out;
          backward(sum(mul(o, fromData(randomData(n, 74), o.shape, 'f32', b))));
          return o;
        });
        const gs = await Promise.all(xs.map(async (x) => {
          const g = Array.from(await toArray(x.grad!));
          return unaligned ? g.filter((_, i) => i % (d + 1) !== 0) : g;
        }));
        return [Array.from(await toArray(out)), ...gs];
      };
      const [aligned, unaligned] = [await grads(false), await grads(true)];
      aligned.forEach((a, i) => assertClose(unaligned[i], a, 1e-6, 1e-5, ['out', '∂q', '∂k', '∂v'][i]));
    });

    it('head dim up to 128 (and dv ≠ d)', async () => {
      const b = await nb.get();
      await checkOp(sdpa({ causal: true }), qkv([1, 1, 3, 3, 128, 128]), b, { seed: 41 });
      await checkOp(sdpa(), qkv([1, 2, 2, 3, 65, 7]), b, { seed: 42 });
      const big = [f([1, 1, 1, 129]), f([1, 1, 1, 129]), f([1, 1, 1, 129])];
      expect(() => scaledDotProductAttention(...(big.map((s) => fromData(randomData(129, 1), s.shape, 'f32', b)) as [Tensor, Tensor, Tensor]))).toThrow(/exceeds/);
    });

    it('dropout on P: the same mask in forward and backward on every backend; p = 0 is plain attention', async () => {
      const b = await nb.get();
      const mask = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]];
      await checkOp(sdpa({ dropout: { p: 0.3, seed: 1234 } }), [...qkv([2, 2, 5, 6, 3, 3]), maskSpec(mask)], b, { seed: 51 });
      await checkOp(sdpa({ dropout: { p: 0.5, seed: 99 }, causal: true }), qkv([1, 2, 7, 7, 2, 3]), b, { seed: 52 });
      // With V = 1 the output row sums the kept probabilities times 1/(1 − p): ≈ 1 on average.
      const [B, H, Tq, Tk, d] = [2, 4, 32, 48, 2];
      const ones = Array.from({ length: B * H * Tk }, () => 1);
      const r = scaledDotProductAttention(
        await upload(b, Array.from({ length: B * H * Tq * d }, () => 0), [B, H, Tq, d]),
        await upload(b, randomData(B * H * Tk * d, 53), [B, H, Tk, d]),
        await upload(b, ones, [B, H, Tk, 1]),
        { dropout: { p: 0.25, seed: 7 } },
      );
      const o = await toArray(r.out);
      // Q = 0: uniform weights 1/Tk; each output is (kept keys)/(Tk (1 − p)). Over all rows, the kept fraction ≈ 1 − p.
      const kept = Array.from(o).reduce((a, x) => a + x * Tk * 0.75, 0) / (B * H * Tq * Tk);
      expect(Math.abs(kept - 0.75)).toBeLessThan(0.02);
      const p0 = scaledDotProductAttention(await upload(b, [0.5], [1, 1, 1, 1]), await upload(b, [1, 2], [1, 1, 2, 1]), await upload(b, [3, 4], [1, 1, 2, 1]), { dropout: { p: 0, seed: 3 } });
      const ref = naiveAttention([0.5], [1, 2], [3, 4], [1, 1, 1, 2, 1, 1]);
      assertClose(await toArray(p0.out), ref.out, 1e-6, 1e-6, 'p = 0');
    });
  });

  describe(`attentionSoftmax (masked row softmax) on ${nb.name}`, () => {
    it('forward and gradient: plain, padding mask (a fully masked row), causal [B, H, Tq, Tk], odd sizes', async () => {
      const b = await nb.get();
      await checkOp((x) => attentionSoftmax(x), [f([1, 1])], b);
      await checkOp((x) => attentionSoftmax(x), [f([3, 70])], b, { seed: 2 });
      await checkOp((x, m) => attentionSoftmax(x, { keyPaddingMask: m }), [f([3, 5]), maskSpec([[1, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]])], b, { seed: 3 });
      await checkOp((x, m) => attentionSoftmax(x, { keyPaddingMask: m, causal: true }), [f([2, 3, 4, 5]), maskSpec([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]])], b, { seed: 4 });
      await checkOp((x) => attentionSoftmax(x, { causal: true }), [f([1, 2, 6, 3])], b, { seed: 5 });
      await checkOp((x, m) => attentionSoftmax(x, { keyPaddingMask: m, scale: -0.7 }), [f([2, 3, 4]), maskSpec([[1, 0, 1, 1], [1, 1, 1, 1]])], b, { seed: 6 });
    });
    it('equals the fused kernel’s weights for the same scores', async () => {
      const b = await nb.get();
      const dims = [2, 2, 5, 9, 3, 3];
      const [B, H, Tq, Tk, d] = dims;
      const qd = randomData(B * H * Tq * d, 61);
      const kd = randomData(B * H * Tk * d, 62);
      const mask = Array.from({ length: B * Tk }, (_, i) => (i % 4 === 3 ? 0 : 1));
      const ref = naiveAttention(qd, kd, kd, dims, { mask, causal: true });
      const scores: number[] = [];
      for (let bh = 0; bh < B * H; bh++) {
        for (let i = 0; i < Tq; i++) {
          for (let j = 0; j < Tk; j++) {
            let x = 0;
            for (let c = 0; c < d; c++) x += qd[(bh * Tq + i) * d + c] * kd[(bh * Tk + j) * d + c];
            scores.push(x / Math.sqrt(d));
          }
        }
      }
      const w = attentionSoftmax(await upload(b, scores, [B, H, Tq, Tk]), { keyPaddingMask: await upload(b, mask, [B, Tk]), causal: true });
      assertClose(await toArray(w), ref.weights, 1e-6, 1e-5, 'masked softmax weights');
    });
  });
}
