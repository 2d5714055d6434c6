// argmax over the last dim against a plain-JS scan: first index of the maximum, ties to the lower
// index (NaN skipped on the CPU), strided input, more rows than one workgroup; and no gradient recorded.
import { describe, expect, it } from 'vitest';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { randomData } from '../testing/check';
import { argmax } from './argmax';
import { transpose } from './view';

function reference(data: ArrayLike<number>, rows: number, n: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let arg = 0;
    for (let j = 1; j < n; j++) if (data[r * n + j] > data[r * n + arg]) arg = j;
    return arg;
  });
}

for (const nb of testBackends()) {
  describe(`argmax on ${nb.name}`, () => {
    it('random rows, 1 to 300 wide, up to 130 rows (more than one workgroup)', async () => {
      const b = await nb.get();
      for (const [rows, n, seed] of [[1, 1, 1], [3, 7, 2], [130, 5, 3], [2, 300, 4]]) {
        const data = randomData(rows * n, seed);
        const got = await toArray(argmax(fromData(data, [rows, n], 'f32', b)));
        expect(Array.from(got)).toEqual(reference(Float32Array.from(data), rows, n));
      }
    });
    it('output shape drops the last dim; i32; no gradient', async () => {
      const b = await nb.get();
      const x = fromData(randomData(2 * 3 * 4, 5), [2, 3, 4], 'f32', b);
      x.requiresGrad = true;
      const y = argmax(x);
      expect(y.shape).toEqual([2, 3]);
      expect(y.dtype).toBe('i32');
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBeNull();
    });
    it('ties go to the lower index', async () => {
      const b = await nb.get();
      const got = await toArray(argmax(fromData([1, 3, 3, 2, 0, 0, 0, 0, -2, -1, -1, -3], [3, 4], 'f32', b)));
      expect(Array.from(got)).toEqual([1, 0, 1]);
    });
    // WGSL lets an implementation assume that NaNs and infinities never occur, so the non-finite
    // rule is only a promise of the CPU reference (SwiftShader happens to follow it too).
    it.runIf(nb.name !== 'webgpu')('NaN never wins unless first; -Infinity rows answer 0', async () => {
      const b = await nb.get();
      const rows = [
        [NaN, 5, 1, 0],
        [0, NaN, 2, 2],
        [-Infinity, -Infinity, -Infinity, -Infinity],
        [-1, -0.5, Infinity, 7],
      ];
      const got = await toArray(argmax(fromData(rows.flat(), [4, 4], 'f32', b)));
      expect(Array.from(got)).toEqual([0, 2, 0, 2]);
    });
    it('reads strided views (a transposed matrix) and offsets', async () => {
      const b = await nb.get();
      const data = randomData(5 * 6, 6);
      const x = fromData(data, [5, 6], 'f32', b);
      const got = await toArray(argmax(transpose(x, 0, 1)));
      const t = Array.from({ length: 6 * 5 }, (_, k) => Math.fround(data[(k % 5) * 6 + Math.floor(k / 5)]));
      expect(Array.from(got)).toEqual(reference(t, 6, 5));
      const rowsFrom2 = x.view([3, 6], [6, 1], 12);
      expect(Array.from(await toArray(argmax(rowsFrom2)))).toEqual(reference(Float32Array.from(data).slice(12), 3, 6));
    });
  });
}
