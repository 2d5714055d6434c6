import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu64, testBackends } from '../testing/backends';
import { checkOp } from '../testing/check';
import * as E from './elementwise';
import { matmul, linear } from './matmul';
import { mean, sum, reduceRaw } from './reduce';
import { concat, expand, narrow, permute, reshape, transpose } from './view';
import { cpuValues, fromData, toArray } from '../storage';

for (const nb of testBackends()) {
  describe(`core ops on ${nb.name}`, () => {
    const unary = ['neg', 'relu', 'gelu', 'tanh', 'sigmoid', 'exp', 'abs', 'square'] as const;
    for (const op of unary) {
      it(`${op}: forward and gradient`, async () => {
        const b = await nb.get();
        await checkOp((x) => E[op](x), [{ shape: [3, 5] }], b);
      });
    }
    it('log and sqrt on positive inputs', async () => {
      const b = await nb.get();
      const data = Array.from({ length: 7 }, (_, i) => 0.5 + i * 0.3);
      await checkOp((x) => E.log(x), [{ shape: [7], data }], b);
      await checkOp((x) => E.sqrt(x), [{ shape: [7], data }], b);
    });
    it('log and sqrt of negative and NaN inputs are NaN, of ±0 are −∞ and ±0 (IEEE, PyTorch)', async () => {
      const b = await nb.get();
      const x = fromData([-1, NaN, 0, 4, -Infinity], [5], 'f32', b);
      const [lg, sq] = [Array.from(await toArray(E.log(x))), Array.from(await toArray(E.sqrt(x)))];
      expect(lg.slice(0, 3)).toEqual([NaN, NaN, -Infinity]);
      expect(lg[3]).toBeCloseTo(Math.log(4), 6);
      expect(lg[4]).toBeNaN();
      expect(sq).toEqual([NaN, NaN, 0, 2, NaN]);
    });
    it('clamp with an asymmetric range, scale, addScalar, powAbs', async () => {
      const b = await nb.get();
      await checkOp((x) => E.clamp(x, -0.1, 1.0), [{ shape: [4, 6] }], b);
      await checkOp((x) => E.scale(x, -2.5), [{ shape: [4, 6] }], b);
      await checkOp((x) => E.addScalar(x, 3), [{ shape: [2, 3] }], b);
      await checkOp((x) => E.powAbs(x, 3), [{ shape: [5] }], b);
    });
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      it(`${op} with broadcasting`, async () => {
        const b = await nb.get();
        const pos = (n: number) => Array.from({ length: n }, (_, i) => 1 + 0.25 * i);
        await checkOp((x, y) => E[op](x, y), [{ shape: [2, 3, 4] }, { shape: [3, 1], data: op === 'div' ? pos(3) : undefined }], b);
        await checkOp((x, y) => E[op](x, y), [{ shape: [1, 5] }, { shape: [4, 1], data: op === 'div' ? pos(4) : undefined }], b);
      });
    }
    it('a tensor used twice gets the sum of both gradients', async () => {
      const b = await nb.get();
      await checkOp((x) => E.mul(x, x), [{ shape: [6] }], b);
      await checkOp((x, y) => E.add(E.mul(x, y), E.tanh(x)), [{ shape: [3, 2] }, { shape: [2] }], b);
    });
    it('matmul: batched, transposed operands, bias, odd sizes', async () => {
      const b = await nb.get();
      await checkOp((x, y) => matmul(x, y), [{ shape: [5, 7] }, { shape: [7, 3] }], b);
      await checkOp((x, y, z) => matmul(x, y, z), [{ shape: [2, 5, 7] }, { shape: [7, 9] }, { shape: [9] }], b);
      await checkOp((x, y) => matmul(transpose(x), y), [{ shape: [2, 7, 5] }, { shape: [2, 7, 3] }], b);
      await checkOp((x, y) => matmul(x, transpose(y)), [{ shape: [3, 1, 4] }, { shape: [3, 6, 4] }], b);
      await checkOp((x, w, bias) => linear(x, w, bias), [{ shape: [2, 3, 4] }, { shape: [5, 4] }, { shape: [5] }], b);
      await checkOp((x, y) => matmul(x, y), [{ shape: [1, 1] }, { shape: [1, 1] }], b);
    });
    it('matmul forward on random shapes (property)', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 3 }), async (m, n, k, batch) => {
          await checkOp((x, y) => matmul(x, y), [{ shape: [batch, m, k] }, { shape: [k, n] }], b, { seed: m * 100 + n });
        }).valueOf() as never,
        { numRuns: 6, seed: 42 },
      );
    });
    it('sum and mean over axes', async () => {
      const b = await nb.get();
      await checkOp((x) => sum(x), [{ shape: [3, 4, 5] }], b);
      await checkOp((x) => sum(x, 1), [{ shape: [3, 4, 5] }], b);
      await checkOp((x) => sum(x, [0, 2], true), [{ shape: [3, 4, 5] }], b);
      await checkOp((x) => mean(x, -1), [{ shape: [2, 9] }], b);
    });
    it('long reductions (workgroup schedule) and norms', async () => {
      const b = await nb.get();
      const n = 5000;
      const data = Array.from({ length: n }, (_, i) => Math.sin(i));
      const x = fromData(data, [n], 'f32', b);
      const s = (await toArray(reduceRaw('sumSquares', x, [0])))[0];
      expect(s).toBeCloseTo(data.reduce((a, v) => a + v * v, 0), 1);
      const m = (await toArray(reduceRaw('maxAbs', x, [0])))[0];
      expect(m).toBeCloseTo(Math.max(...data.map(Math.abs)), 5);
    });
    it('views: reshape, permute, narrow, expand, concat', async () => {
      const b = await nb.get();
      await checkOp((x) => E.mul(reshape(x, [4, 3]), reshape(x, [4, 3])), [{ shape: [2, 6] }], b);
      await checkOp((x) => E.relu(permute(x, [2, 0, 1])), [{ shape: [2, 3, 4] }], b);
      await checkOp((x) => E.tanh(narrow(x, 1, 1, 2)), [{ shape: [3, 4] }], b);
      await checkOp((x) => E.sigmoid(expand(x, [2, 3, 4])), [{ shape: [3, 1] }], b);
      await checkOp((x, y) => concat([x, y], 1), [{ shape: [2, 3] }, { shape: [2, 2] }], b);
    });
  });
}

describe('cpuValues on the float64 reference backend', () => {
  it('reads a strided view at full precision', () => {
    // 0.1 + 2^-40 differs from its nearest float32; a float32 copy would round it away.
    const x = fromData([0.1 + 2 ** -40, 1, 2, 3, 4, 5], [2, 3], 'f32', cpu64);
    const v = cpuValues(transpose(x, 0, 1));
    expect(v).toBeInstanceOf(Float64Array);
    expect(Array.from(v)).toEqual([0.1 + 2 ** -40, 3, 1, 4, 2, 5]);
  });
});
