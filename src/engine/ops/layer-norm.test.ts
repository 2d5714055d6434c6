import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sum } from './reduce';
import { mul } from './elementwise';
import { backward } from '../autograd';
import { keep, tidy } from '../scope';
import { memoryOf } from '../backend';
import { fromData, toArray, toNumbers } from '../storage';
import { cpu64, testBackends } from '../testing/backends';
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
    it('a large mean loses no more precision than PyTorch float32 (x = μ + σ·N(0,1), [3, 64])', async () => {
      const b = await nb.get();
      // Mean over 20 draws of the largest |error| against float64 on the same f32 inputs, for y, dx
      // and dweight (weight, bias, dy ~ N(0,1)). PyTorch 1.13 float32 CPU, measured the same way
      // over 50 draws: μ 300, σ 0.1: 7.3e-4, 2.4e-3, 8.3e-4; μ 1e4, σ 1: 2.2e-3, 7.1e-4, 2.7e-3.
      const cases = [
        { mu: 300, sd: 0.1, torch: [7.3e-4, 2.4e-3, 8.3e-4] },
        { mu: 1e4, sd: 1, torch: [2.2e-3, 7.1e-4, 2.7e-3] },
      ];
      const [R, D, draws] = [3, 64, 20];
      for (const { mu, sd, torch } of cases) {
        const err = [0, 0, 0];
        for (let k = 0; k < draws; k++) {
          const f32 = (v: number[]) => Array.from(Float32Array.from(v));
          const data = {
            x: f32(randomData(R * D, 100 + k, sd).map((v) => v + mu)),
            w: f32(randomData(D, 200 + k)),
            bias: f32(randomData(D, 300 + k)),
            dy: f32(randomData(R * D, 400 + k)),
          };
          const run = async (be: typeof b) =>
            tidy(() => {
              const x = fromData(data.x, [R, D], 'f32', be);
              const w = fromData(data.w, [D], 'f32', be);
              x.requiresGrad = true;
              w.requiresGrad = true;
              const y = layerNorm(x, w, fromData(data.bias, [D], 'f32', be));
              backward(sum(mul(y, fromData(data.dy, [R, D], 'f32', be))));
              return [keep(y), keep(x.grad!), keep(w.grad!)];
            });
          const [got, want] = [await run(b), await run(cpu64)];
          for (let i = 0; i < 3; i++) {
            const [g, e] = [await toArray(got[i]), toNumbers(want[i])];
            err[i] += e.reduce((m, v, j) => Math.max(m, Math.abs(g[j] - v)), 0) / draws;
            got[i].dispose();
            want[i].dispose();
          }
        }
        console.log(`layerNorm μ ${mu} σ ${sd} on ${b.kind}: mean max error y ${err[0].toExponential(2)}, dx ${err[1].toExponential(2)}, dweight ${err[2].toExponential(2)}`);
        ['y', 'dx', 'dweight'].forEach((what, i) => expect(err[i], `${what} at μ ${mu}`).toBeLessThanOrEqual(torch[i]));
      }
    });
    it('a normalized shape of two and three trailing axes (F.layer_norm(x, [T, D]))', async () => {
      const b = await nb.get();
      await checkOp((x, w, bias) => layerNorm(x, w, bias, 1e-5, [3, 4]), [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [3, 4] }], b, { seed: 31 });
      await checkOp((x) => layerNorm(x, null, null, 1e-5, [2, 3, 2]), [{ shape: [2, 3, 2] }], b, { seed: 32 });
      await checkOp((x, w) => layerNorm(transpose(x, 0, 2), w), [{ shape: [5, 2, 3] }, { shape: [2, 5] }], b, { seed: 33 });
      // The same numbers as one flattened axis, against the independent reference.
      const xd = randomData(24, 34, 2);
      const wd = randomData(12, 35);
      const y = layerNorm(fromData(xd, [2, 3, 4], 'f32', b), fromData(wd, [3, 4], 'f32', b), null, 1e-5, [3, 4]);
      expect(y.shape).toEqual([2, 3, 4]);
      assertClose(Array.from(await toArray(y)), naive(xd, 12, wd, null, 1e-5), 1e-5, 1e-4, 'y');
      expect(() => layerNorm(fromData(xd, [2, 3, 4], 'f32', b), null, null, 1e-5, [2, 4])).toThrow(/normalized shape \[2, 4\] is not the trailing axes/);
      expect(() => layerNorm(fromData(xd, [2, 3, 4], 'f32', b), fromData(wd, [12], 'f32', b), null, 1e-5, [3, 4])).toThrow(/weight must have the normalized shape/);
      const ln = new LayerNorm(initContext(0, b), [3, 4]);
      expect(ln.weight!.shape).toEqual([3, 4]);
      assertClose(Array.from(await toArray(ln.forward(fromData(xd, [2, 3, 4], 'f32', b)))), naive(xd, 12, null, null, 1e-5), 1e-5, 1e-4, 'nn.LayerNorm([3, 4])');
      ln.dispose();
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
      expect(() => ln.forward(fromData(x, [3, 4], 'f32', b))).toThrow(/last axes/);
      ln.dispose();
    });
  });
}
