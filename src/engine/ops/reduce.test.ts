// Reductions on views: every schedule of shaders/reduce.wgsl (one invocation per output, one
// workgroup per output; the one-dim stride walk and the general index arithmetic) against a plain
// loop over the row-major elements of the view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends';
import { reduceRaw, type ReduceOp } from './reduce';
import { fromData, toArray } from '../storage';
import { narrow, permute } from './view';

/** The reduction of row-major `values` of `shape` over `axes`, element by element. */
function reference(op: ReduceOp, values: ArrayLike<number>, shape: readonly number[], axes: readonly number[]): number[] {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const nOut = kept.reduce((a, d) => a * shape[d], 1);
  const out = new Array<number>(nOut).fill(op === 'max' ? -Infinity : 0);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    let k = 0;
    for (const d of kept) k = k * shape[d] + idx[d];
    const v = values[i];
    if (op === 'sum') out[k] += v;
    else if (op === 'sumSquares') out[k] += v * v;
    else if (op === 'max') out[k] = Math.max(out[k], v);
    else out[k] = Math.max(out[k], Math.abs(v));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const OPS: readonly ReduceOp[] = ['sum', 'sumSquares', 'max', 'maxAbs'];

for (const nb of testBackends()) {
  describe(`reductions on views, ${nb.name}`, () => {
    it('any axes of a permuted, narrowed view, each op', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
          fc.nat(),
          fc.nat(),
          fc.constantFrom(...OPS),
          async (dims, permSeed, axesSeed, op) => {
            const rank = dims.length;
            // one extra element on the first dim, narrowed away: the view has an offset
            const full = [dims[0] + 1, ...dims.slice(1)];
            const data = Float32Array.from({ length: full.reduce((a, c) => a * c, 1) }, (_, i) => Math.sin(i * 1.7) * 3);
            const perm = [...Array(rank).keys()].sort((p, q) => ((p * 7 + permSeed) % 11) - ((q * 7 + permSeed) % 11));
            const x = permute(narrow(fromData(data, full, 'f32', b), 0, 1, dims[0]), perm);
            const axes = [...Array(rank).keys()].filter((d) => (axesSeed >> d) & 1);
            const values = await toArray(x);
            const got = Array.from(await toArray(reduceRaw(op, x, axes)));
            const want = reference(op, values, x.shape, axes);
            expect(got.length).toBe(want.length);
            got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 3));
          },
        ),
        { numRuns: 40 },
      );
    });

    it('long reductions (one workgroup per output): contiguous, strided and two-dim reduced spaces', async () => {
      const b = await nb.get();
      const data = Float32Array.from({ length: 3 * 1100 }, (_, i) => Math.cos(i * 0.37));
      const m = fromData(data, [1100, 3], 'f32', b);
      const t = permute(m, [1, 0]); // [3, 1100], reduced dim strided by 3
      const cube = fromData(data, [110, 3, 10], 'f32', b); // axes 0 and 2: strides 30 and 1, not mergeable
      const cases: [typeof m, number[]][] = [
        [m, [0]],
        [t, [1]],
        [m, [0, 1]],
        [cube, [0, 2]],
      ];
      for (const [x, axes] of cases) {
        for (const op of OPS) {
          const got = Array.from(await toArray(reduceRaw(op, x, axes)));
          const want = reference(op, await toArray(x), x.shape, axes);
          got.forEach((g, i) => expect(g, `${op} over ${axes} of [${x.shape}]`).toBeCloseTo(want[i], 2));
        }
      }
    });
  });
}
