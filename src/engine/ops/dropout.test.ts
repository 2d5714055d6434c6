import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tidy } from '../scope';
import { memoryOf } from '../backend';
import { backward } from '../autograd';
import { cpuBackend } from '../backend';
import { fromData, toArray } from '../storage';
import { testBackends } from '../testing/backends';
import { checkOp, randomData } from '../testing/check';
import { Dropout } from '../nn/dropout';
import { initContext } from '../nn/module';
import { ones } from './creation';
import { dropout, dropoutKeeps, pcgHash } from './dropout';
import { sum } from './reduce';
import { transpose } from './view';

for (const nb of testBackends()) {
  describe(`dropout on ${nb.name}`, () => {
    it('forward and gradient (the mask regenerated in backward); sizes 1, odd, > one workgroup', async () => {
      const b = await nb.get();
      for (const [shape, p, seed] of [[[1], 0.5, 1], [[3, 5], 0.3, 2], [[2, 3, 70], 0.6, 3]] as const) {
        await checkOp((x) => dropout(x, p, true, seed), [{ shape: [...shape] }], b, { seed });
      }
      await checkOp((x) => dropout(transpose(x, 0, 1), 0.4, true, 9), [{ shape: [4, 6] }], b);
    });
    it('random shapes, p and seeds (property)', async () => {
      const b = await nb.get();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
          fc.double({ min: 0, max: 0.95, noNaN: true }),
          fc.nat(),
          async (shape, p, seed) => {
            await checkOp((x) => dropout(x, p, true, seed), [{ shape }], b, { seed: seed % 1000 });
          },
        ),
        { numRuns: 6, seed: 3 },
      );
    });
    it('masks are bit-identical to the CPU reference and to the hash rule, for the same seed', async () => {
      const b = await nb.get();
      const n = 5000;
      for (const [p, seed] of [[0.1, 0], [0.5, 12345], [0.85, 0xdeadbeef]]) {
        const got = await toArray(dropout(ones([n], { backend: b }), p, true, seed));
        const cpu = await toArray(dropout(ones([n], { backend: cpuBackend }), p, true, seed));
        expect(got).toEqual(cpu);
        const scale = Math.fround(1 / (1 - p));
        for (let i = 0; i < n; i++) {
          const want = dropoutKeeps(seed, i, p) ? scale : 0;
          if (got[i] !== want) expect.fail(`element ${i}: ${got[i]}, want ${want}`);
        }
      }
    });
    it('keep rate within 3σ of 1 − p, kept values scaled by 1/(1 − p), seeds independent', async () => {
      const b = await nb.get();
      const n = 100_000;
      const xd = randomData(n, 4);
      const x = fromData(xd, [n], 'f32', b);
      for (const p of [0.1, 0.5, 0.9]) {
        for (const seed of [1, 2]) {
          const y = await toArray(dropout(x, p, true, seed));
          let kept = 0;
          for (let i = 0; i < n; i++) {
            if (y[i] === 0) continue;
            kept++;
            const want = xd[i] / (1 - p);
            if (!(Math.abs(y[i] - want) <= 1e-5 * Math.abs(want) + 1e-6)) expect.fail(`element ${i}: ${y[i]}, want ${want}`);
          }
          const sigma = Math.sqrt(n * p * (1 - p));
          expect(Math.abs(kept - n * (1 - p)), `p = ${p}, seed ${seed}: kept ${kept}`).toBeLessThan(3 * sigma);
        }
        // Masks of consecutive seeds agree where two independent masks would: p² + (1 − p)².
        const [a, c] = [await toArray(dropout(x, p, true, 7)), await toArray(dropout(x, p, true, 8))];
        let agree = 0;
        for (let i = 0; i < n; i++) if ((a[i] === 0) === (c[i] === 0)) agree++;
        const q = p * p + (1 - p) * (1 - p);
        expect(Math.abs(agree - n * q)).toBeLessThan(3 * Math.sqrt(n * q * (1 - q)));
      }
    });
    it('eval or p = 0 is the identity; p = 1 gives zeros', async () => {
      const b = await nb.get();
      const xd = randomData(7, 5);
      for (const [p, training] of [[0, true], [0.5, false]] as const) {
        const x = fromData(xd, [7], 'f32', b);
        x.requiresGrad = true;
        const y = dropout(x, p, training, 3);
        expect(Array.from(await toArray(y))).toEqual(Array.from(Float32Array.from(xd)));
        backward(sum(y));
        expect(Array.from(await toArray(x.grad!))).toEqual(new Array<number>(7).fill(1));
      }
      expect(Array.from(await toArray(dropout(fromData(xd, [7], 'f32', b), 1, true, 3)), (v) => v + 0)).toEqual(new Array<number>(7).fill(0));
      expect(() => dropout(fromData(xd, [7], 'f32', b), 1.5, true, 0)).toThrow(/p must be/);
    });
    it('nn.Dropout: fresh masks per call in training, identity in eval', async () => {
      const b = await nb.get();
      const d = new Dropout(0.5, initContext(1, b));
      expect(d.namedParameters()).toEqual([]);
      const x = ones([64], { backend: b });
      const m1 = await toArray(d.forward(x));
      const m2 = await toArray(d.forward(x));
      expect(m1).not.toEqual(m2);
      expect(Array.from(m1).every((v) => v === 0 || v === 2)).toBe(true);
      d.eval();
      expect(Array.from(await toArray(d.forward(x)))).toEqual(new Array<number>(64).fill(1));
    });
    it('forward + backward inside tidy leave no live memory', async () => {
      const b = await nb.get();
      const before = memoryOf(b).liveBytes;
      tidy(() => {
        const x = fromData(randomData(300, 1), [3, 100], 'f32', b);
        x.requiresGrad = true;
        backward(sum(dropout(dropout(x, 0.3, true, 1), 0.5, false, 0)));
        x.grad?.dispose();
      });
      expect(memoryOf(b).liveBytes).toBe(before);
    });
  });
}

describe('pcgHash', () => {
  it('is the PCG-RXS-M-XS hash on u32 (reference values computed with 64-bit BigInt arithmetic)', () => {
    const ref = (v: number) => {
      const M = 0xffffffffn;
      const state = (BigInt(v) * 747796405n + 2891336453n) & M;
      const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & M;
      return Number((word >> 22n) ^ word);
    };
    for (const v of [0, 1, 2, 255, 65536, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff]) expect(pcgHash(v)).toBe(ref(v));
  });
});
