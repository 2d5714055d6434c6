import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tidy } from '../scope';
import { memoryOf } from '../backend';
import { backward } from '../autograd';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData } from '../testing/check';
import { mul } from './elementwise';
import { sum } from './reduce';
import { logSoftmax, softmax } from './softmax';
import { transpose } from './view';

/** An independent float64 softmax of one row (max-subtracted), with keep flags. */
function naiveRow(x: number[], keep: boolean[], log: boolean): number[] {
  const idx = x.map((_, j) => j).filter((j) => keep[j]);
  if (idx.length === 0) return x.map(() => 0);
  const m = Math.max(...idx.map((j) => x[j]));
  const s = idx.reduce((a, j) => a + Math.exp(x[j] - m), 0);
  return x.map((v, j) => (!keep[j] ? 0 : log ? v - m - Math.log(s) : Math.exp(v - m) / s));
}

const maskData = (n: number, seed: number, keepRate = 0.6) =>
  randomData(n, seed).map((v) => (v < (keepRate - 0.5) * 2.5 ? 1 : 0));

for (const nb of testBackends()) {
  describe(`softmax and logSoftmax on ${nb.name}`, () => {
    for (const log of [false, true]) {
      const fn = log ? logSoftmax : softmax;
      const name = log ? 'logSoftmax' : 'softmax';
      it(`${name}: last axis, sizes 1, odd and > one workgroup of rows`, async () => {
        const b = await nb.get();
        for (const shape of [[1, 1], [1], [3, 5], [2, 3, 7], [70, 3], [2, 130]]) {
          await checkOp((x) => fn(x), [{ shape }], b, { seed: shape.length * 31 + shape[0] });
        }
      });
      it(`${name}: other axes and a transposed view (read in place)`, async () => {
        const b = await nb.get();
        await checkOp((x) => fn(x, 0), [{ shape: [4, 3, 5] }], b);
        await checkOp((x) => fn(x, 1), [{ shape: [4, 3, 5] }], b, { seed: 2 });
        await checkOp((x) => fn(transpose(x, 0, 1), -1), [{ shape: [6, 4] }], b, { seed: 3 });
      });
      it(`${name}: random shapes and axes (property)`, async () => {
        const b = await nb.get();
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
            fc.nat(),
            async (shape, axisSeed) => {
              const dim = (axisSeed % shape.length) - shape.length;
              await checkOp((x) => fn(x, dim), [{ shape }], b, { seed: axisSeed % 1000 });
            },
          ),
          { numRuns: 6, seed: log ? 7 : 8 },
        );
      });
      it(`${name}: broadcast masks [B,1,1,Tk] and [B,Tq,Tk], with fully masked rows`, async () => {
        const b = await nb.get();
        const [B, H, Tq, Tk] = [2, 2, 3, 5];
        // Batch 1 masks every key: all its rows are fully masked.
        const keyMask = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        await checkOp((x, m) => fn(x, -1, m), [{ shape: [B, H, Tq, Tk] }, { shape: [B, 1, 1, Tk], data: keyMask, noGrad: true }], b);
        const full = maskData(B * Tq * Tk, 5);
        for (let j = 0; j < Tk; j++) full[Tq * Tk + j] = 0; // batch 1, query 0: fully masked
        full[0] = 1;
        await checkOp((x, m) => fn(x, -1, m), [{ shape: [B, Tq, Tk] }, { shape: [B, Tq, Tk], data: full, noGrad: true }], b, { seed: 4 });
        // A mask of lower rank (broadcast over leading dims) along a non-last axis.
        await checkOp((x, m) => fn(x, 1, m), [{ shape: [2, 4, 3] }, { shape: [4, 1], data: [1, 0, 1, 1], noGrad: true }], b, { seed: 6 });
      });
      it(`${name}: fully masked rows are zeros with a zero gradient, never NaN`, async () => {
        const b = await nb.get();
        const x = fromData([1, 2, 3, 4, 5, 6], [2, 3], 'f32', b);
        x.requiresGrad = true;
        const m = fromData([0, 0, 0, 1, 0, 1], [2, 3], 'f32', b);
        const y = fn(x, -1, m);
        const got = Array.from(await toArray(y));
        const want = [...naiveRow([1, 2, 3], [false, false, false], log), ...naiveRow([4, 5, 6], [true, false, true], log)];
        assertClose(got, want, 1e-6, 1e-5, name);
        expect(got.every(Number.isFinite)).toBe(true);
        const w = fromData([0.3, -1, 2, 0.5, 7, -0.25], [2, 3], 'f32', b);
        backward(sum(mul(y, w)));
        const g = Array.from(await toArray(x.grad!), (v) => v + 0); // + 0 folds −0 into 0
        expect(g.slice(0, 3)).toEqual([0, 0, 0]);
        expect(g[4]).toBe(0);
        expect(g.every(Number.isFinite)).toBe(true);
      });
      it(`${name}: non-finite logits without a mask give PyTorch's NaN rows (all −∞, +∞, NaN)`, async () => {
        const b = await nb.get();
        // Row 0 finite, row 1 has one −∞ (finite result), rows 2–4 are PyTorch's NaN rows.
        const rows = [
          [0.5, -1, 2, 0, 1],
          [-Infinity, 1, 0.5, -2, 3],
          [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
          [1, Infinity, 0, 2, -1],
          [0, 1, NaN, 2, 3],
        ];
        const x = fromData(rows.flat(), [5, 5], 'f32', b);
        x.requiresGrad = true;
        const y = fn(x);
        const got = Array.from(await toArray(y));
        const w = randomData(25, 9);
        backward(sum(mul(y, fromData(w, [5, 5], 'f32', b))));
        const g = Array.from(await toArray(x.grad!));
        for (let r = 2; r < 5; r++) {
          expect(got.slice(r * 5, r * 5 + 5).every(Number.isNaN), `row ${r} of y is NaN`).toBe(true);
          expect(g.slice(r * 5, r * 5 + 5).every(Number.isNaN), `row ${r} of dx is NaN`).toBe(true);
        }
        const keepAll = [true, true, true, true, true];
        assertClose(got.slice(0, 10), [...naiveRow(rows[0], keepAll, log), ...naiveRow(rows[1], keepAll, log)], 1e-6, 1e-5, name);
        // Row 1's gradient: the −∞ logit gets dy_0 (log-softmax) or 0 (softmax), the rest stay finite.
        const p1 = naiveRow(rows[1], keepAll, false);
        const w1 = w.slice(5, 10);
        const sw = w1.reduce((a, v) => a + v, 0);
        const swp = w1.reduce((a, v, j) => a + v * p1[j], 0);
        const want1 = p1.map((p, j) => (log ? w1[j] - p * sw : p * (w1[j] - swp)));
        assertClose(g.slice(5, 10), want1, 1e-5, 1e-4, `${name} gradient of a row with one −∞`);
      });
      it(`${name}: a mask keeps its zero rows, but kept logits that are all −∞ still give NaN`, async () => {
        const b = await nb.get();
        const x = fromData([-Infinity, 2, -Infinity, 1, 2, 3], [2, 3], 'f32', b);
        const m = fromData([1, 0, 1, 0, 0, 0], [2, 3], 'f32', b);
        const got = Array.from(await toArray(fn(x, -1, m)));
        expect(got.slice(0, 3).every(Number.isNaN)).toBe(true);
        expect(got.slice(3).map((v) => v + 0)).toEqual([0, 0, 0]);
      });
      it(`${name}: ±1e4 logits neither overflow nor underflow to NaN/−∞`, async () => {
        const b = await nb.get();
        const rows = [
          [1e4, -1e4, 0, 9999],
          [-1e4, -1e4, -1e4, -1e4],
          [1e4, 1e4, 1e4, -1e4],
          [-1e4, -9990, -1e4, 3],
        ];
        const x = fromData(rows.flat(), [4, 4], 'f32', b);
        const got = Array.from(await toArray(fn(x)));
        const want = rows.flatMap((r) => naiveRow(r, [true, true, true, true], log));
        expect(got.every(Number.isFinite)).toBe(true);
        assertClose(got, want, 1e-5, 1e-6, name);
        // And the gradient stays finite there too.
        await checkOp((v) => fn(v), [{ shape: [4, 4], data: rows.flat() }], b, { eps: 1e-2, atol: 5e-3 });
      });
      it(`${name}: matches an independent float64 reference on random data`, async () => {
        const b = await nb.get();
        const [R, N] = [5, 33];
        const data = randomData(R * N, 11, 3);
        const mask = maskData(R * N, 12);
        const got = Array.from(await toArray(fn(fromData(data, [R, N], 'f32', b), -1, fromData(mask, [R, N], 'f32', b))));
        const want: number[] = [];
        for (let r = 0; r < R; r++) {
          want.push(...naiveRow(data.slice(r * N, r * N + N), mask.slice(r * N, r * N + N).map((v) => v !== 0), log));
        }
        assertClose(got, want, 1e-5, 1e-5, name);
      });
    }
    it('softmax rows sum to 1 and logSoftmax = log(softmax)', async () => {
      const b = await nb.get();
      const x = fromData(randomData(4 * 50, 3, 4), [4, 50], 'f32', b);
      const p = Array.from(await toArray(softmax(x)));
      const lp = Array.from(await toArray(logSoftmax(x)));
      for (let r = 0; r < 4; r++) expect(p.slice(r * 50, r * 50 + 50).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      assertClose(lp.map(Math.exp), p, 1e-6, 1e-5, 'exp(logSoftmax)');
    });
    it('rejects a mask that does not broadcast', async () => {
      const b = await nb.get();
      const x = fromData(randomData(6, 1), [2, 3], 'f32', b);
      expect(() => softmax(x, -1, fromData([1, 0], [2], 'f32', b))).toThrow(/does not broadcast/);
    });
    it('forward + backward inside tidy leave no live memory (mask, both variants)', async () => {
      const b = await nb.get();
      const before = memoryOf(b).liveBytes;
      tidy(() => {
        const x = fromData(randomData(24, 1), [2, 3, 4], 'f32', b);
        x.requiresGrad = true;
        const m = fromData([1, 0, 1, 1], [4], 'f32', b);
        backward(sum(mul(logSoftmax(x, -1, m), softmax(x, 1, m))));
        x.grad?.dispose();
      });
      expect(memoryOf(b).liveBytes).toBe(before);
    });
  });
}
