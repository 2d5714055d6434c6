import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tidy } from '../scope';
import { cpuBackend, memoryOf } from '../backend';
import { backward } from '../autograd';
import { Random } from '../random';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData, type InputSpec } from '../testing/check';
import { Embedding } from '../nn/embedding';
import { initContext } from '../nn/module';
import { embedding } from './embedding';
import { mul } from './elementwise';
import { sum } from './reduce';

const idx = (shape: number[], data: number[]): InputSpec => ({ shape, data, dtype: 'i32' });

function randomIndices(n: number, V: number, seed: number): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => r.int(V));
}

/** Independent scatter-add: dW[v] = Σ_{i: idx_i = v} G[i] (skipping padding). */
function naiveGrad(indices: number[], G: number[], V: number, D: number, pad: number): number[] {
  const dw = new Array<number>(V * D).fill(0);
  indices.forEach((v, i) => {
    if (v === pad || v < 0 || v >= V) return;
    for (let d = 0; d < D; d++) dw[v * D + d] += G[i * D + d];
  });
  return dw;
}

for (const nb of testBackends()) {
  describe(`embedding on ${nb.name}`, () => {
    it('forward and weight gradient; sizes 1, odd, more rows than a workgroup', async () => {
      const b = await nb.get();
      await checkOp((i, w) => embedding(i, w), [idx([1], [0]), { shape: [1, 1] }], b);
      await checkOp((i, w) => embedding(i, w), [idx([2, 3], randomIndices(6, 5, 1)), { shape: [5, 7] }], b);
      await checkOp((i, w) => embedding(i, w), [idx([3, 4], randomIndices(12, 70, 2)), { shape: [70, 3] }], b, { seed: 3 });
    });
    it('repeated indices accumulate every occurrence (exact scatter-add)', async () => {
      const b = await nb.get();
      const I = [2, 2, 0, 2, 1, 0, 2, 2];
      await checkOp((i, w) => embedding(i, w), [idx([2, 4], I), { shape: [4, 5] }], b);
      // Against an independent scatter-add, with many repeats of one row.
      const [V, D, N] = [6, 9, 40];
      const indices = randomIndices(N, 3, 4); // only rows 0..2 used, each ~13 times; rows 3..5 get 0
      const w = fromData(randomData(V * D, 5), [V, D], 'f32', b);
      w.requiresGrad = true;
      const G = randomData(N * D, 6);
      backward(sum(mul(embedding(fromData(indices, [N], 'i32', b), w), fromData(G, [N, D], 'f32', b))));
      assertClose(Array.from(await toArray(w.grad!)), naiveGrad(indices, G, V, D, -1), 1e-5, 1e-5, 'dW');
    });
    it('many positions and rows (several workgroups per step, heavy repeats): exact and bit-reproducible', async () => {
      const b = await nb.get();
      const [V, D, N] = [300, 5, 700];
      const r = new Random(12);
      // Half the positions hit 3 hot rows, the rest spread over the table, out-of-range ones mixed in.
      const indices = Array.from({ length: N }, (_, i) => (i % 50 === 7 ? V + i : r.next() < 0.5 ? r.int(3) : r.int(V)));
      const G = randomData(N * D, 13);
      const grads: number[][] = [];
      for (let k = 0; k < 2; k++) {
        const w = fromData(randomData(V * D, 14), [V, D], 'f32', b);
        w.requiresGrad = true;
        const I = fromData(b.kind === 'cpu' ? indices.map((v) => v % V) : indices, [N], 'i32', b);
        backward(sum(mul(embedding(I, w, { paddingIdx: 2 }), fromData(G, [N, D], 'f32', b))));
        grads.push(Array.from(await toArray(w.grad!)));
      }
      const used = b.kind === 'cpu' ? indices.map((v) => v % V) : indices;
      assertClose(grads[0], naiveGrad(used, G, V, D, 2), 1e-5, 1e-5, 'dW');
      expect(grads[1]).toEqual(grads[0]);
      // Summed in ascending position order, in f32, like the CPU reference: bit-identical to it.
      const inRange = indices.map((v) => v % V);
      const dwOn = async (be: typeof b) => {
        const w = fromData(randomData(V * D, 14), [V, D], 'f32', be);
        w.requiresGrad = true;
        backward(sum(mul(embedding(fromData(inRange, [N], 'i32', be), w), fromData(G, [N, D], 'f32', be))));
        return Array.from(await toArray(w.grad!));
      };
      expect(await dwOn(b)).toEqual(await dwOn(cpuBackend));
    });
    it('padding_idx: that row gets no gradient (also negative padding_idx)', async () => {
      const b = await nb.get();
      const I = [0, 3, 1, 3, 3, 2];
      // (No finite-difference check here: the padding row does move the output; PyTorch, too,
      // simply withholds its gradient.)
      const [V, D] = [4, 3];
      const G = randomData(I.length * D, 8);
      for (const paddingIdx of [3, -1]) {
        const w = fromData(randomData(V * D, 7), [V, D], 'f32', b);
        w.requiresGrad = true;
        backward(sum(mul(embedding(fromData(I, [6], 'i32', b), w, { paddingIdx }), fromData(G, [6, D], 'f32', b))));
        const g = Array.from(await toArray(w.grad!));
        expect(g.slice(3 * D)).toEqual([0, 0, 0]);
        assertClose(g, naiveGrad(I, G, V, D, 3), 1e-5, 1e-5, 'dW');
      }
      expect(() => embedding(fromData(I, [6], 'i32', b), fromData(randomData(V * D, 7), [V, D], 'f32', b), { paddingIdx: 4 })).toThrow(/padding_idx/);
    });
    it('random shapes (property)', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 1, max: 80 }),
          fc.integer({ min: 1, max: 9 }),
          fc.nat(1000),
          async (shape, V, D, seed) => {
            const n = shape.reduce((a, d) => a * d, 1);
            await checkOp((i, w) => embedding(i, w), [idx(shape, randomIndices(n, V, seed)), { shape: [V, D] }], b, { seed });
          },
        ),
        { numRuns: 6, seed: 10 },
      );
    });
    if (nb.name !== 'webgpu') {
      it('an out-of-range index is an error on the CPU', async () => {
        const b = await nb.get();
        const w = fromData(randomData(6, 1), [3, 2], 'f32', b);
        expect(() => embedding(fromData([0, 3], [2], 'i32', b), w)).toThrow(/index 3 at position 1 is out of range for 3 embeddings/);
        expect(() => embedding(fromData([-1], [1], 'i32', b), w)).toThrow(/out of range/);
      });
    } else {
      it('an out-of-range index gives a zero row and no gradient on the GPU', async () => {
        const b = await nb.get();
        const [V, D] = [3, 2];
        const wData = randomData(V * D, 1);
        const w = fromData(wData, [V, D], 'f32', b);
        w.requiresGrad = true;
        const I = [1, 3, -1, 2, 1000];
        const y = embedding(fromData(I, [5], 'i32', b), w);
        const want = I.flatMap((v) => (v >= 0 && v < V ? wData.slice(v * D, v * D + D) : [0, 0]));
        assertClose(Array.from(await toArray(y)), want, 0, 1e-6, 'y');
        const G = randomData(I.length * D, 2);
        backward(sum(mul(y, fromData(G, [5, D], 'f32', b))));
        assertClose(Array.from(await toArray(w.grad!)), naiveGrad(I, G, V, D, -1), 1e-6, 1e-6, 'dW');
      });
    }
    it('nn.Embedding: PyTorch name, N(0, 1) init, padding row zeroed at init and never updated', async () => {
      const b = await nb.get();
      const emb = new Embedding(initContext(3, b), 200, 16, { paddingIdx: 0 });
      expect(emb.namedParameters().map(([n]) => n)).toEqual(['weight']);
      expect(emb.weight.shape).toEqual([200, 16]);
      const w = Array.from(await toArray(emb.weight));
      expect(w.slice(0, 16)).toEqual(new Array<number>(16).fill(0));
      const rest = w.slice(16);
      const mean = rest.reduce((a, v) => a + v, 0) / rest.length;
      const std = Math.sqrt(rest.reduce((a, v) => a + (v - mean) ** 2, 0) / rest.length);
      // 3184 samples of N(0, 1): the standard error of the mean is ~0.018, of the std ~0.013.
      expect(Math.abs(mean)).toBeLessThan(0.07);
      expect(Math.abs(std - 1)).toBeLessThan(0.05);
      const y = emb.forward(fromData([0, 5, 0], [3], 'i32', b));
      expect(y.shape).toEqual([3, 16]);
      backward(sum(y));
      const g = Array.from(await toArray(emb.weight.grad!));
      expect(g.slice(0, 16)).toEqual(new Array<number>(16).fill(0));
      expect(g.slice(5 * 16, 6 * 16)).toEqual(new Array<number>(16).fill(1));
      emb.dispose();
    });
    it('forward + backward inside tidy leave no live memory', async () => {
      const b = await nb.get();
      const before = memoryOf(b).liveBytes;
      tidy(() => {
        const w = fromData(randomData(15, 1), [5, 3], 'f32', b);
        w.requiresGrad = true;
        backward(sum(embedding(fromData([1, 1, 4, 0], [2, 2], 'i32', b), w, { paddingIdx: 0 })));
        w.grad?.dispose();
      });
      expect(memoryOf(b).liveBytes).toBe(before);
    });
  });
}
