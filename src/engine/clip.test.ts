// Gradient clipping against PyTorch's definitions computed here in float64 (clip_grad_value_,
// clamp hooks with an asymmetric range, clip_grad_norm_ for p = 1, 2, 3, ∞ with max_norm just
// under, at and over the total), the packed stats vector, and the non-finite flag.
import { describe, expect, it } from 'vitest';
import { backward, zeroGrad } from './autograd';
import type { Backend } from './backend';
import {
  clampGradHook,
  clampGradHooks,
  clipGradients,
  clipGradNorm,
  clipGradValue,
  decodeGradStats,
  nonFiniteFlag,
  STATS,
  statsLength,
} from './clip';
import { parameter } from './nn/module';
import { mul } from './ops/elementwise';
import { sum } from './ops/reduce';
import { keep, tidy } from './scope';
import { fromData, toArray } from './storage';
import type { Tensor } from './tensor';
import { testBackends } from './testing/backends';
import { assertClose, randomData } from './testing/check';

/** Shapes: many pieces of 64 (5000), one element, odd sizes. */
const SHAPES = [[5000], [3, 5], [1], [2049], [7]];

interface Setup {
  params: Tensor[];
  grads: (number[] | null)[];
}

/** Parameters with the given gradients (null: no gradient, skipped like PyTorch). */
function setup(b: Backend, grads: (number[] | null)[], shapes = SHAPES): Setup {
  const params = shapes.map((s, i) => parameter(randomData(s.reduce((a, d) => a * d, 1), 100 + i), s, b, `p${i}`));
  params.forEach((p, i) => {
    const g = grads[i];
    if (g) p.grad = keep(fromData(g, p.shape, 'f32', b));
  });
  return { params, grads };
}

function dispose(s: Setup): void {
  zeroGrad(s.params);
  for (const p of s.params) p.dispose();
}

function randomGrads(seed: number, scale = 1, shapes = SHAPES): number[][] {
  return shapes.map((s, i) => randomData(s.reduce((a, d) => a * d, 1), seed + i, scale));
}

/** ‖x‖_p in float64. */
function norm(x: readonly number[], p: number): number {
  if (p === Infinity) return x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return x.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
}

/** clip_grad_norm_'s total: the p-norm of the per-parameter p-norms, over parameters with a gradient. */
function totalNorm(grads: (number[] | null)[], p: number): number {
  return norm(grads.filter((g): g is number[] => g !== null).map((g) => norm(g, p)), p);
}

async function gradsOf(s: Setup): Promise<(Float32Array | null)[]> {
  return Promise.all(s.params.map(async (p) => (p.grad ? Float32Array.from(await toArray(p.grad)) : null)));
}

async function expectGrads(s: Setup, expected: (number[] | null)[], what: string, rtol = 1e-5): Promise<void> {
  const got = await gradsOf(s);
  got.forEach((g, i) => {
    if (expected[i] === null) expect(g, `${what}: parameter ${i} has no gradient`).toBeNull();
    else assertClose(g!, expected[i]!, 1e-7, rtol, `${what}: gradient ${i}`);
  });
}

for (const nb of testBackends()) {
  describe(`gradient clipping on ${nb.name}`, () => {
    it('clipGradValue clamps every element to [−c, c]; parameters without a gradient stay without', async () => {
      const b = await nb.get();
      const grads: (number[] | null)[] = randomGrads(1);
      grads[2] = null;
      const s = setup(b, grads);
      clipGradValue(s.params, 0.5);
      await expectGrads(s, grads.map((g) => g && g.map((v) => Math.min(Math.max(v, -0.5), 0.5))), 'clip_grad_value_(0.5)', 0);
      dispose(s);
    });

    it('clampGradHook: torch.clamp(g, −0.1, 1.0) on the gradient before accumulation; the remover removes it', async () => {
      const b = await nb.get();
      const p = parameter(randomData(15, 3), [3, 5], b, 'w');
      const R = randomData(15, 4, 2);
      const run = () =>
        tidy(() => {
          backward(sum(mul(p, fromData(R, [3, 5], 'f32', b))));
        });
      const remove = clampGradHook(p, -0.1, 1.0);
      run();
      assertClose(await toArray(p.grad!), R.map((v) => Math.fround(Math.min(Math.max(Math.fround(v), -0.1), 1.0))), 0, 0, 'hooked gradient');
      expect(R.some((v) => v < -0.1) && R.some((v) => v > 1.0), 'the test data reaches both bounds').toBe(true);
      zeroGrad([p]);
      remove();
      run();
      assertClose(await toArray(p.grad!), R, 0, 1e-6, 'gradient after removing the hook');
      zeroGrad([p]);
      p.dispose();
    });

    it('clampGradHooks selects parameters by a name predicate, with one remover', async () => {
      const b = await nb.get();
      const names = ['encoder.weight', 'encoder.bias', 'decoder.weight'];
      const ps = names.map((n, i) => parameter(randomData(6, 10 + i), [6], b, n));
      const named = names.map((n, i) => [n, ps[i]] as const);
      const R = randomData(6, 20, 2);
      const run = () =>
        tidy(() => {
          const Rt = fromData(R, [6], 'f32', b);
          for (const p of ps) backward(sum(mul(p, Rt)));
        });
      const clamped = R.map((v) => Math.min(Math.max(v, -0.1), 1.0));
      for (const [group, hit] of [
        ['weight', [true, false, true]],
        ['enc', [true, true, false]],
        ['', [true, true, true]],
      ] as const) {
        const remove = clampGradHooks(named, (name) => name.includes(group), -0.1, 1.0);
        run();
        for (let i = 0; i < ps.length; i++) {
          assertClose(await toArray(ps[i].grad!), hit[i] ? clamped : R, 0, 1e-6, `group '${group}', ${names[i]}`);
        }
        zeroGrad(ps);
        remove();
      }
      expect(ps.every((p) => p.hooks.length === 0)).toBe(true);
      for (const p of ps) p.dispose();
    });

    for (const p of [1, 2, 3, Infinity]) {
      it(`clipGradNorm, norm type ${p}: max_norm just over, at and just under the total; returns the total before clipping`, async () => {
        const b = await nb.get();
        const grads: (number[] | null)[] = randomGrads(30 + p, 0.1);
        grads[3] = null;
        const total = totalNorm(grads, p);
        for (const [what, maxNorm] of [
          ['just over', total * (1 + 1e-3)],
          ['at', total],
          ['just under', total * (1 - 1e-3)],
          ['far under', total / 7],
        ] as const) {
          const s = setup(b, grads);
          const readbacks = b.kind === 'webgpu' ? b.counters.readbacks : 0;
          const t = clipGradNorm(s.params, maxNorm, p === Infinity ? 'inf' : p);
          if (b.kind === 'webgpu') expect(b.counters.readbacks, 'clipGradNorm reads nothing back').toBe(readbacks);
          expect(t.shape).toEqual([]);
          assertClose(await toArray(t), [total], 0, 1e-5, `total norm (${what})`);
          const coef = Math.min(maxNorm / (total + 1e-6), 1);
          if (what === 'just over') expect(coef).toBe(1);
          else expect(coef).toBeLessThan(1);
          await expectGrads(s, grads.map((g) => g && g.map((v) => v * coef)), `clip_grad_norm_(${what})`);
          t.dispose();
          dispose(s);
        }
      });
    }

    it('clipGradNorm with zero gradients leaves them zero and returns 0; with no gradients at all returns 0', async () => {
      const b = await nb.get();
      const zero = SHAPES.map((s) => new Array<number>(s.reduce((a, d) => a * d, 1)).fill(0));
      const s = setup(b, zero);
      const t = clipGradNorm(s.params, 1, 2);
      expect(Array.from(await toArray(t))).toEqual([0]);
      await expectGrads(s, zero, 'zero gradients', 0);
      t.dispose();
      dispose(s);
      const none = setup(b, SHAPES.map(() => null));
      const t0 = clipGradNorm(none.params, 1, Infinity);
      expect(Array.from(await toArray(t0))).toEqual([0]);
      expect(none.params.every((q) => q.grad === null)).toBe(true);
      t0.dispose();
      dispose(none);
    });

    it('a general p (2.5) and clipping the same parameters twice (already packed)', async () => {
      const b = await nb.get();
      const grads = randomGrads(50);
      const s = setup(b, grads);
      const total = totalNorm(grads, 2.5);
      const t1 = clipGradNorm(s.params, total / 2, 2.5);
      const coef = Math.min(total / 2 / (total + 1e-6), 1);
      assertClose(await toArray(t1), [total], 0, 2e-5, 'total, p = 2.5');
      const t2 = clipGradNorm(s.params, total / 2, 2.5);
      assertClose(await toArray(t2), [total * coef], 0, 2e-5, 'total after clipping, p = 2.5');
      await expectGrads(s, grads.map((g) => g.map((v) => v * coef * Math.min(total / 2 / (total * coef + 1e-6), 1))), 'clipped twice', 2e-5);
      t1.dispose();
      t2.dispose();
      dispose(s);
    });

    for (const rule of ['none', 'value', 'range', 'norm'] as const) {
      it(`clipGradients '${rule}': the packed stats (loss, flag, totals, per-parameter norms before and after, clamped counts)`, async () => {
        const b = await nb.get();
        const grads: (number[] | null)[] = randomGrads(60, 0.5);
        grads[1] = null;
        const s = setup(b, grads);
        const loss = fromData([2.75], [], 'f32', b);
        const p = rule === 'norm' ? Infinity : 2;
        const only = [true, true, false, true, true];
        const pre = grads.map((g) => (g ? norm(g, p) : 0));
        const totalPre = totalNorm(grads, p);
        const maxNorm = totalPre / 3;
        const coef = rule === 'norm' ? Math.min(maxNorm / (totalPre + 1e-6), 1) : 1;
        const clipped = grads.map((g, i) => {
          if (!g) return null;
          if (rule === 'value') return g.map((v) => Math.min(Math.max(v, -0.2), 0.2));
          if (rule === 'range' && only[i]) return g.map((v) => Math.min(Math.max(v, -0.1), 1.0));
          return g.map((v) => v * coef);
        });
        const post = clipped.map((g) => (g ? norm(g, p) : 0));
        // The elements that clipping by value / range changed, counted per parameter.
        const clamped = grads.map((g, i) => {
          if (!g) return 0;
          if (rule === 'value') return g.filter((v) => v < -0.2 || v > 0.2).length;
          if (rule === 'range' && only[i]) return g.filter((v) => v < -0.1 || v > 1.0).length;
          return 0;
        });
        if (rule === 'value' || rule === 'range') expect(clamped.some((c) => c > 0), 'the test clamps something').toBe(true);
        const dispatches = b.kind === 'webgpu' ? b.counters.dispatches : 0;
        const stats = clipGradients(
          s.params,
          rule === 'none'
            ? { kind: 'none' }
            : rule === 'value'
              ? { kind: 'value', clipValue: 0.2 }
              : rule === 'range'
                ? { kind: 'range', lo: -0.1, hi: 1.0, only }
                : { kind: 'norm', maxNorm, normType: 'inf' },
          { loss },
        );
        if (b.kind === 'webgpu') expect(b.counters.dispatches - dispatches, 'dispatches').toBe(rule === 'none' ? 2 : rule === 'norm' ? 5 : 6);
        expect(stats.shape).toEqual([statsLength(5)]);
        const d = decodeGradStats(await toArray(stats), 5);
        expect(d.loss).toBe(2.75);
        expect(d.nonFinite).toBe(false);
        expect(d.firstNonFinite).toBe(-1);
        expect(d.normType).toBe(p);
        assertClose(d.paramPre, pre, 1e-7, 1e-5, 'per-parameter norms before');
        assertClose(d.paramPost, post, 1e-7, 1e-5, 'per-parameter norms after');
        expect(Array.from(d.paramClamped), 'clamped elements per parameter').toEqual(clamped);
        assertClose([d.totalPre, d.totalPost, d.clipCoef], [totalPre, norm(post, p), coef], 1e-7, 1e-5, 'totals and coefficient');
        await expectGrads(s, clipped, `gradients after '${rule}'`);
        if (rule === 'norm') expect(d.totalPost).toBeLessThanOrEqual(maxNorm * (1 + 1e-6));
        stats.dispose();
        loss.dispose();
        dispose(s);
      });
    }

    it('the non-finite flag: NaN and ±Inf gradients name the first such parameter; a NaN loss alone gives −1', async () => {
      const b = await nb.get();
      const cases: { what: string; poke: [number, number, number][]; loss: number; flag: boolean; first: number }[] = [
        { what: 'all finite', poke: [], loss: 1, flag: false, first: -1 },
        { what: 'NaN in parameter 3', poke: [[3, 2048, NaN]], loss: 1, flag: true, first: 3 },
        { what: '+Inf in 4 and NaN in 1', poke: [[4, 6, Infinity], [1, 0, NaN]], loss: 1, flag: true, first: 1 },
        { what: '−Inf at the last element of parameter 0', poke: [[0, 4999, -Infinity]], loss: 1, flag: true, first: 0 },
        { what: 'NaN loss only', poke: [], loss: NaN, flag: true, first: -1 },
        { what: 'Inf loss only', poke: [], loss: Infinity, flag: true, first: -1 },
        { what: 'huge but finite gradients (their squares overflow)', poke: [[2, 0, 3e38]], loss: 1, flag: false, first: -1 },
      ];
      for (const c of cases) {
        const grads = randomGrads(70);
        for (const [i, k, v] of c.poke) grads[i][k] = v;
        const s = setup(b, grads);
        const loss = fromData([c.loss], [1], 'f32', b);
        const stats = clipGradients(s.params, { kind: 'norm', maxNorm: 1 }, { loss });
        const v = await toArray(stats);
        expect(v[STATS.nonFinite], `${c.what}: flag`).toBe(c.flag ? 1 : 0);
        expect(v[STATS.firstNonFinite], `${c.what}: first parameter`).toBe(c.first);
        const flag = nonFiniteFlag(stats);
        expect(Array.from(await toArray(flag)), `${c.what}: flag view`).toEqual([c.flag ? 1 : 0]);
        if (c.what.startsWith('huge')) expect(v[STATS.totalPre]).toBe(Infinity);
        flag.dispose();
        stats.dispose();
        loss.dispose();
        dispose(s);
      }
    });

    it('a parameter longer than 64 × 4096 elements (longer pieces): norm, clipping and the flag', async () => {
      const b = await nb.get();
      const n = 300_001;
      const g = randomData(n, 90, 0.01);
      const s = setup(b, [g], [[n]]);
      const total = norm(g, 2);
      const stats = clipGradients(s.params, { kind: 'norm', maxNorm: total / 2 });
      const d = decodeGradStats(await toArray(stats), 1);
      assertClose([d.totalPre, d.totalPost], [total, total / 2], 0, 1e-5, 'totals');
      expect(d.nonFinite).toBe(false);
      stats.dispose();
      dispose(s);
      g[n - 1] = NaN;
      const s2 = setup(b, [g], [[n]]);
      const st2 = clipGradients(s2.params, { kind: 'value', clipValue: 1 });
      const d2 = decodeGradStats(await toArray(st2), 1);
      expect([d2.nonFinite, d2.firstNonFinite]).toEqual([true, 0]);
      st2.dispose();
      dispose(s2);
    });

    it('norm clipping with a non-finite total behaves as PyTorch (Inf total → coefficient 0; NaN → NaN)', async () => {
      const b = await nb.get();
      const shapes = [[4], [3]];
      const inf = setup(b, [[1, 2, Infinity, 3], [1, -1, 2]], shapes);
      const t = clipGradNorm(inf.params, 1, 2);
      expect(Array.from(await toArray(t))).toEqual([Infinity]);
      const g = await gradsOf(inf);
      expect(Array.from(g[1]!)).toEqual([0, -0, 0]);
      expect(Number.isNaN(g[0]![2])).toBe(true);
      t.dispose();
      dispose(inf);
      const nan = setup(b, [[1, NaN, 1, 1], [1, 1, 1]], shapes);
      const tn = clipGradNorm(nan.params, 1, Infinity);
      expect(Number.isNaN((await toArray(tn))[0])).toBe(true);
      expect((await gradsOf(nan))[1]!.every((v) => Number.isNaN(v))).toBe(true);
      tn.dispose();
      dispose(nan);
    });

    it('clipping leaves every p.grad a view of one packed buffer (a second clip copies nothing)', async () => {
      const b = await nb.get();
      if (b.kind !== 'webgpu') return;
      const s = setup(b, randomGrads(80));
      clipGradValue(s.params, 10);
      const storage = s.params[0].grad!.storage;
      expect(s.params.every((p) => p.grad!.storage === storage)).toBe(true);
      const stats = clipGradients(s.params, { kind: 'norm', maxNorm: 1 });
      expect(s.params.every((p) => p.grad!.storage === storage)).toBe(true);
      stats.dispose();
      dispose(s);
      expect(b.errors, 'WebGPU validation errors').toEqual([]);
    });
  });
}
