import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sum } from './reduce';
import { mul } from './elementwise';
import { backward } from '../autograd';
import { tidy } from '../scope';
import { memoryOf } from '../backend';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData } from '../testing/check';
import { LayerNorm } from '../nn/layer-norm';
import { initContext } from '../nn/module';
import { layerNorm, layerNormRaw } from './layer-norm';
import { transpose } from './view';

/** Independent float64 layer norm of [R, D] data (biased variance). */
function naive(x: number[], D: number, w: number[] | null, b: number[] | null, eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / D; r++) {
    const row = x.slice(r * D, r * D + D);
    const mu = row.reduce((a, v) => a + v, 0) / D;
    const v = row.reduce((a, u) => a + (u - mu) ** 2, 0) / D;
    row.forEach((u, j) => out.push(((u - mu) / Math.sqrt(v + eps)) * (w ? w[j] : 1) + (b ? b[j] : 0)));
  }
  return out;
}

for (const nb of testBackends()) {
  describe(`layerNorm on ${nb.name}`, () => {
    it('x, weight and bias gradients; sizes 1, odd, more rows than a workgroup', async () => {
      const b = await nb.get();
      for (const shape of [[1, 1], [1, 5], [3, 7], [2, 3, 4], [70, 3], [2, 67]]) {
        const D = shape[shape.length - 1];
        await checkOp((x, w, bias) => layerNorm(x, w, bias), [{ shape }, { shape: [D] }, { shape: [D] }], b, { seed: shape[0] * 13 + D });
      }
    });
    it('without weight/bias, with only one of them, a custom eps and a strided input', async () => {
      const b = await nb.get();
      await checkOp((x) => layerNorm(x), [{ shape: [4, 6] }], b);
      await checkOp((x, w) => layerNorm(x, w, null), [{ shape: [3, 5] }, { shape: [5] }], b, { seed: 2 });
      await checkOp((x, bias) => layerNorm(x, null, bias, 1e-2), [{ shape: [3, 5] }, { shape: [5] }], b, { seed: 3 });
      await checkOp((x, w, bias) => layerNorm(transpose(x, 0, 1), w, bias), [{ shape: [5, 3] }, { shape: [5] }, { shape: [5] }], b, { seed: 4 });
    });
    it('random shapes (property)', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }), fc.nat(1000), async (shape, seed) => {
          const D = shape[shape.length - 1];
          await checkOp((x, w, bias) => layerNorm(x, w, bias), [{ shape }, { shape: [D] }, { shape: [D] }], b, { seed });
        }),
        { numRuns: 6, seed: 9 },
      );
    });
    it('matches an independent reference; saves mean and rstd; biased variance', async () => {
      const b = await nb.get();
      const [R, D] = [5, 9];
      const x = randomData(R * D, 21, 3).map((v) => v + 100); // |μ| ≫ σ: a one-pass E[x²] − μ² would cancel
      const w = randomData(D, 22);
      const bias = randomData(D, 23);
      const r = layerNormRaw(fromData(x, [R, D], 'f32', b), fromData(w, [D], 'f32', b), fromData(bias, [D], 'f32', b), 1e-5);
      assertClose(Array.from(await toArray(r.y)), naive(x, D, w, bias, 1e-5), 2e-4, 2e-4, 'y');
      expect(r.mean.shape).toEqual([R]);
      const mean = Array.from(await toArray(r.mean));
      const rstd = Array.from(await toArray(r.rstd));
      for (let i = 0; i < R; i++) {
        const row = x.slice(i * D, i * D + D);
        const mu = row.reduce((a, v) => a + v, 0) / D;
        const varBiased = row.reduce((a, v) => a + (v - mu) ** 2, 0) / D;
        expect(mean[i]).toBeCloseTo(mu, 3);
        expect(rstd[i]).toBeCloseTo(1 / Math.sqrt(varBiased + 1e-5), 3);
      }
    });
    it('a constant row normalises to 0 (then bias), not NaN', async () => {
      const b = await nb.get();
      const y = layerNorm(fromData([3, 3, 3, 3], [1, 4], 'f32', b), null, fromData([1, 2, 3, 4], [4], 'f32', b));
      expect(Array.from(await toArray(y))).toEqual([1, 2, 3, 4]);
    });
    it('rejects a weight of the wrong shape', async () => {
      const b = await nb.get();
      expect(() => layerNorm(fromData([1, 2, 3], [1, 3], 'f32', b), fromData([1, 2], [2], 'f32', b))).toThrow(/weight must be/);
    });
    it('forward + backward inside tidy leave no live memory', async () => {
      const b = await nb.get();
      const before = memoryOf(b).liveBytes;
      tidy(() => {
        const x = fromData(randomData(24, 1), [2, 3, 4], 'f32', b);
        const w = fromData(randomData(4, 2), [4], 'f32', b);
        const bias = fromData(randomData(4, 3), [4], 'f32', b);
        for (const t of [x, w, bias]) t.requiresGrad = true;
        backward(sum(mul(layerNorm(x, w, bias), x)));
        for (const t of [x, w, bias]) t.grad?.dispose();
        layerNorm(x); // no tape node: the statistics are freed at once
      });
      expect(memoryOf(b).liveBytes).toBe(before);
    });
    it('nn.LayerNorm: PyTorch names and defaults (weight 1, bias 0, eps 1e-5), affine off, bias off', async () => {
      const b = await nb.get();
      const ln = new LayerNorm(initContext(0, b), 6);
      expect(ln.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
      expect(ln.eps).toBe(1e-5);
      expect(Array.from(await toArray(ln.weight!))).toEqual(new Array<number>(6).fill(1));
      expect(Array.from(await toArray(ln.bias!))).toEqual(new Array<number>(6).fill(0));
      const x = randomData(12, 4);
      assertClose(Array.from(await toArray(ln.forward(fromData(x, [2, 6], 'f32', b)))), naive(x, 6, null, null, 1e-5), 1e-5, 1e-4, 'y');
      expect(new LayerNorm(initContext(0, b), [6], { elementwiseAffine: false }).namedParameters()).toEqual([]);
      expect(new LayerNorm(initContext(0, b), 6, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
      expect(() => ln.forward(fromData(x, [3, 4], 'f32', b))).toThrow(/last axis/);
      ln.dispose();
    });
  });
}
