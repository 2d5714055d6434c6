import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sum } from './reduce';
import { tidy } from '../scope';
import { memoryOf } from '../backend';
import { backward } from '../autograd';
import { Random } from '../random';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData, type InputSpec } from '../testing/check';
import { crossEntropy, type CrossEntropyOptions } from './cross-entropy';
import { transpose } from './view';

const tgt = (shape: number[], data: number[]): InputSpec => ({ shape, data, dtype: 'i32' });

function randomTargets(n: number, C: number, seed: number, ignoreRate = 0, ignoreIndex = -100): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => (r.next() < ignoreRate ? ignoreIndex : r.int(C)));
}

/**
 * PyTorch's F.cross_entropy written out independently in float64 (class-last layout):
 * (1 − ε)·nll_loss(log_softmax) + ε/C·Σ_c(−log p_c), masked and reduced as in LossNLL.cpp.
 */
function torchCrossEntropy(x: number[], t: number[], C: number, o: CrossEntropyOptions, weight?: number[]): number[] {
  const eps = o.labelSmoothing ?? 0;
  const ignore = o.ignoreIndex ?? -100;
  const w = weight ?? new Array<number>(C).fill(1);
  const nll: number[] = [];
  const smooth: number[] = [];
  t.forEach((tn, n) => {
    const row = x.slice(n * C, n * C + C);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    const logp = row.map((v) => v - lse);
    nll.push(tn === ignore ? 0 : -w[tn] * logp[tn]);
    smooth.push(tn === ignore ? 0 : -logp.reduce((a, v, c) => a + w[c] * v, 0));
  });
  // nll_loss's weighted mean divides by the summed weights of the counted targets (LossNLL.cpp).
  const count = t.reduce((a, v) => a + (v !== ignore ? w[v] : 0), 0);
  const sum = (v: number[]) => v.reduce((a, u) => a + u, 0);
  switch (o.reduction ?? 'mean') {
    // PyTorch adds the smoothing term only when ε > 0 (0 · ∞ would be NaN for a −∞ logit).
    case 'none':
      return nll.map((v, n) => (1 - eps) * v + (eps > 0 ? (eps / C) * smooth[n] : 0));
    case 'sum':
      return [(1 - eps) * sum(nll) + (eps > 0 ? (eps / C) * sum(smooth) : 0)];
    case 'mean':
      return [(1 - eps) * (sum(nll) / count) + (eps > 0 ? (eps / C) * (sum(smooth) / count) : 0)];
  }
}

for (const nb of testBackends()) {
  describe(`crossEntropy on ${nb.name}`, () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`${reduction}: [N, C] and [B, T, C], sizes 1 and > one workgroup`, async () => {
        const b = await nb.get();
        const cases: [number[], number][] = [[[1], 1], [[1], 4], [[5], 7], [[2, 3], 6], [[70], 3]];
        for (const [ts, C] of cases) {
          const n = ts.reduce((a, d) => a * d, 1);
          await checkOp((x, t) => crossEntropy(x, t, { reduction }), [{ shape: [...ts, C] }, tgt(ts, randomTargets(n, C, n + C))], b, { seed: n * 3 + C });
        }
      });
      it(`${reduction}: ignore_index and label smoothing, against PyTorch's definition`, async () => {
        const b = await nb.get();
        const [N, C] = [9, 5];
        const x = randomData(N * C, 3, 2);
        for (const [labelSmoothing, ignoreIndex] of [[0, -100], [0.1, -100], [0.25, 0], [1, 2]]) {
          const t = randomTargets(N, C, 4, 0.3, ignoreIndex);
          t[0] = ignoreIndex;
          t[1] = (((ignoreIndex + 1) % C) + C) % C; // a counted target next to the ignored one
          const o: CrossEntropyOptions = { reduction, labelSmoothing, ignoreIndex };
          const got = Array.from(await toArray(crossEntropy(fromData(x, [N, C], 'f32', b), fromData(t, [N], 'i32', b), o)));
          assertClose(got, torchCrossEntropy(x, t, C, o), 1e-5, 1e-5, `loss ε=${labelSmoothing}`);
          await checkOp((xx, tt) => crossEntropy(xx, tt, o), [{ shape: [N, C], data: x }, tgt([N], t)], b);
        }
      });
    }
    it('class weights: PyTorch\'s weighted sum and weighted mean, with smoothing and ignored targets', async () => {
      const b = await nb.get();
      const [N, C] = [9, 5];
      const x = randomData(N * C, 13, 2);
      const w = [0.5, 2, 1, 0, 3];
      const t = randomTargets(N, C, 14, 0.3);
      t[0] = -100;
      t[1] = 3; // a target of weight 0
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        for (const labelSmoothing of [0, 0.2]) {
          const o: CrossEntropyOptions = { reduction, labelSmoothing };
          const wt = fromData(w, [C], 'f32', b);
          const got = Array.from(await toArray(crossEntropy(fromData(x, [N, C], 'f32', b), fromData(t, [N], 'i32', b), { ...o, weight: wt })));
          assertClose(got, torchCrossEntropy(x, t, C, o, w), 1e-5, 1e-5, `${reduction} ε=${labelSmoothing}`);
          await checkOp((xx, tt, ww) => crossEntropy(xx, tt, { ...o, weight: ww }), [{ shape: [N, C], data: x }, tgt([N], t), { shape: [C], data: w, noGrad: true }], b);
        }
      }
    });
    it('PyTorch\'s [B, C, T] layout: found when only it fits, classDim when both fit, refused when unsaid', async () => {
      const b = await nb.get();
      const [B, C, T] = [2, 4, 3];
      const x = randomData(B * C * T, 15);
      const t = randomTargets(B * T, C, 16);
      // The same logits class-last: [B, T, C].
      const last = Array.from({ length: B * T * C }, (_, i) => {
        const [bb, tt, c] = [Math.floor(i / (T * C)), Math.floor(i / C) % T, i % C];
        return x[(bb * C + c) * T + tt];
      });
      const want = torchCrossEntropy(last, t, C, {});
      const got = await toArray(crossEntropy(fromData(x, [B, C, T], 'f32', b), fromData(t, [B, T], 'i32', b)));
      assertClose(Array.from(got), want, 1e-5, 1e-5, '[B, C, T] found');
      await checkOp((xx, tt) => crossEntropy(xx, tt, { classDim: 1, reduction: 'none' }), [{ shape: [B, C, T], data: x }, tgt([B, T], t)], b);
      // C = T: both layouts fit and give different losses.
      const sq = fromData(randomData(2 * 3 * 3, 17), [2, 3, 3], 'f32', b);
      const ts = fromData([0, 1, 2, 2, 1, 0], [2, 3], 'i32', b);
      expect(() => crossEntropy(sq, ts)).toThrow(/fit classes on axis 1 .* and on the last axis: pass classDim/);
      const [a1, aLast] = [await toArray(crossEntropy(sq, ts, { classDim: 1 })), await toArray(crossEntropy(sq, ts, { classDim: -1 }))];
      expect(a1[0]).not.toBeCloseTo(aLast[0], 3);
      expect(() => crossEntropy(sq, ts, { classDim: 3 })).toThrow(/classDim 3 is out of range/);
    });
    it('random shapes, smoothing and ignored targets (property)', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 40 }),
          fc.double({ min: 0, max: 0.5, noNaN: true }),
          fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
          fc.nat(1000),
          async (T, B, C, labelSmoothing, reduction, seed) => {
            const t = randomTargets(B * T, C, seed, 0.2);
            await checkOp((x, tt) => crossEntropy(x, tt, { labelSmoothing, reduction, classDim: -1 }), [{ shape: [B, T, C] }, tgt([B, T], t)], b, { seed });
          },
        ),
        { numRuns: 8, seed: 5 },
      );
    });
    it('a strided (transposed) logits view', async () => {
      const b = await nb.get();
      await checkOp((x, t) => crossEntropy(transpose(x, 0, 1), t), [{ shape: [4, 3] }, tgt([3], [0, 3, 1])], b);
    });
    it('all targets ignored: mean is 0 with a zero gradient (PyTorch: NaN), sum is 0', async () => {
      const b = await nb.get();
      for (const reduction of ['mean', 'sum'] as const) {
        const x = fromData(randomData(12, 1), [4, 3], 'f32', b);
        x.requiresGrad = true;
        const loss = crossEntropy(x, fromData([-100, -100, -100, -100], [4], 'i32', b), { reduction, labelSmoothing: 0.1 });
        expect(loss.shape).toEqual([]);
        expect(Array.from(await toArray(loss))).toEqual([0]);
        backward(loss);
        expect(Array.from(await toArray(x.grad!), (v) => v + 0)).toEqual(new Array<number>(12).fill(0));
      }
    });
    it('±1e4 logits: finite loss and gradient matching the float64 definition', async () => {
      const b = await nb.get();
      const C = 4;
      const x = [1e4, -1e4, 0, 9999, -1e4, -1e4, -1e4, -1e4, 1e4, 1e4, -1e4, 1e4];
      const t = [1, 2, 3];
      for (const labelSmoothing of [0, 0.1]) {
        const o: CrossEntropyOptions = { reduction: 'none', labelSmoothing };
        const got = Array.from(await toArray(crossEntropy(fromData(x, [3, C], 'f32', b), fromData(t, [3], 'i32', b), o)));
        expect(got.every(Number.isFinite)).toBe(true);
        assertClose(got, torchCrossEntropy(x, t, C, o), 1e-3, 1e-6, 'loss');
        await checkOp((xx, tt) => crossEntropy(xx, tt, o), [{ shape: [3, C], data: x }, tgt([3], t)], b, { eps: 1e-2, atol: 5e-3 });
      }
    });
    it("a row with a NaN or +∞ logit has PyTorch's NaN loss and NaN gradient; a −∞ logit is fine", async () => {
      const b = await nb.get();
      const x = fromData([0.5, NaN, 1, 2, Infinity, 0, -Infinity, 1, 0.5], [3, 3], 'f32', b);
      x.requiresGrad = true;
      const loss = crossEntropy(x, fromData([0, 1, 2], [3], 'i32', b), { reduction: 'none' });
      const l = Array.from(await toArray(loss));
      expect(l.slice(0, 2).every(Number.isNaN)).toBe(true);
      assertClose(l.slice(2), torchCrossEntropy([-Infinity, 1, 0.5], [2], 3, { reduction: 'none' }), 1e-5, 1e-5, 'finite row');
      backward(sum(loss));
      const g = Array.from(await toArray(x.grad!));
      expect(g.slice(0, 6).every(Number.isNaN)).toBe(true);
      expect(g.slice(6).every(Number.isFinite)).toBe(true);
    });
    it('the gradient is softmax − smoothed one-hot, scaled by 1/count', async () => {
      const b = await nb.get();
      const [N, C, eps] = [3, 4, 0.2];
      const xd = randomData(N * C, 9);
      const t = [2, -100, 0];
      const x = fromData(xd, [N, C], 'f32', b);
      x.requiresGrad = true;
      backward(crossEntropy(x, fromData(t, [N], 'i32', b), { labelSmoothing: eps }));
      const want: number[] = [];
      for (let n = 0; n < N; n++) {
        const row = xd.slice(n * C, n * C + C);
        const s = row.reduce((a, v) => a + Math.exp(v), 0);
        row.forEach((v, c) => want.push(t[n] === -100 ? 0 : (Math.exp(v) / s - (c === t[n] ? 1 - eps : 0) - eps / C) / 2));
      }
      assertClose(Array.from(await toArray(x.grad!)), want, 1e-6, 1e-5, 'dx');
    });
    if (nb.name !== 'webgpu') {
      it('an out-of-range target is an error on the CPU', async () => {
        const b = await nb.get();
        const x = fromData(randomData(6, 1), [2, 3], 'f32', b);
        expect(() => crossEntropy(x, fromData([0, 3], [2], 'i32', b))).toThrow(/target 3 at position 1 is out of range for 3 classes/);
      });
    } else {
      it('an out-of-range target counts as ignored on the GPU', async () => {
        const b = await nb.get();
        const xd = randomData(9, 1);
        const loss = await toArray(crossEntropy(fromData(xd, [3, 3], 'f32', b), fromData([0, 7, -5], [3], 'i32', b)));
        assertClose(Array.from(loss), torchCrossEntropy(xd.slice(0, 3), [0], 3, {}), 1e-5, 1e-5, 'loss');
      });
    }
    it('rejects targets of the wrong shape or dtype', async () => {
      const b = await nb.get();
      const x = fromData(randomData(6, 1), [2, 3], 'f32', b);
      expect(() => crossEntropy(x, fromData([0, 1, 2], [3], 'i32', b))).toThrow(/without the class axis/);
      expect(() => crossEntropy(x, fromData([0, 1], [2], 'f32', b))).toThrow(/i32/);
      expect(() => crossEntropy(x, fromData(randomData(6, 2), [2, 3], 'f32', b))).toThrow(/probability targets are not supported/);
      expect(() => crossEntropy(x, fromData([0, 1], [2], 'i32', b), { weight: fromData([1, 2], [2], 'f32', b) })).toThrow(/weight must be an f32 tensor of shape \[3\]/);
    });
    it('forward + backward inside tidy leave no live memory (mean and none)', async () => {
      const b = await nb.get();
      const before = memoryOf(b).liveBytes;
      tidy(() => {
        const x = fromData(randomData(12, 1), [4, 3], 'f32', b);
        x.requiresGrad = true;
        const t = fromData([0, -100, 2, 1], [4], 'i32', b);
        backward(crossEntropy(x, t, { labelSmoothing: 0.1 }));
        backward(sum(crossEntropy(x, t, { reduction: 'none' })));
        x.grad?.dispose();
        crossEntropy(x, t); // no tape node: the saved statistics are freed at once
      });
      expect(memoryOf(b).liveBytes).toBe(before);
    });
  });
}
