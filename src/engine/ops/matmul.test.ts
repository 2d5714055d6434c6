import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend';
import { autotune, clearTuned, importTuneTable, tunedChoice } from '../gpu/autotune';
import { Random } from '../random';
import { tidy } from '../scope';
import { fromData, toArray, toNumbers } from '../storage';
import type { Tensor } from '../tensor';
import { cpu64, testBackends } from '../testing/backends';
import { assertClose, checkOp, randomData } from '../testing/check';
import { gelu, relu } from './elementwise';
import {
  defaultMatmulVariant,
  forceMatmulVariant,
  MATMUL_VARIANT_NAMES,
  matmul,
  matmulRaw,
  matmulTunable,
  matmulVariantAvailable,
  matmulVariantsOn,
  type MatmulActivation,
  type MatmulVariant,
} from './matmul';
import { narrow, transpose } from './view';

/**
 * One forward case: A is [...aBatch, M, K] (stored as [..., K, M] and transposed when aT), B is
 * [...bBatch, K, N] likewise, optional bias [N] and activation; `offset` reads A through a narrowed
 * view (a non-zero element offset).
 */
interface Case {
  M: number;
  N: number;
  K: number;
  aBatch?: number[];
  bBatch?: number[];
  aT?: boolean;
  bT?: boolean;
  bias?: boolean;
  act?: MatmulActivation;
  offset?: boolean;
}

const CASES: Case[] = [
  { M: 1, N: 1, K: 1 },
  { M: 1, N: 7, K: 5, bias: true },
  { M: 6, N: 1, K: 3 },
  { M: 5, N: 7, K: 3, act: 'relu' },
  { M: 17, N: 33, K: 19, bias: true, act: 'gelu' },
  { M: 19, N: 13, K: 10, aT: true },
  { M: 9, N: 21, K: 14, bT: true, bias: true },
  { M: 23, N: 18, K: 9, aT: true, bT: true },
  { M: 7, N: 6, K: 11, aBatch: [3], bias: true },
  { M: 5, N: 9, K: 6, aBatch: [2, 1], bBatch: [3], bT: true },
  { M: 12, N: 10, K: 13, aBatch: [2], bBatch: [2], aT: true, offset: true },
  { M: 70, N: 67, K: 21, aBatch: [2], bias: true },
  { M: 3, N: 4, K: 0, bias: true },
];

function caseName(c: Case): string {
  const batch = (b?: number[]) => (b ? `[${b.join(',')}]` : '');
  return `${batch(c.aBatch)}${c.M}×${c.K}${c.aT ? 'ᵀ' : ''} · ${batch(c.bBatch)}${c.K}×${c.N}${c.bT ? 'ᵀ' : ''}${c.bias ? ' +bias' : ''}${c.act ? ` ${c.act}` : ''}${c.offset ? ' (offset view)' : ''}`;
}

/** The operands of a case on `backend`, and everything to dispose afterwards. */
function operands(c: Case, backend: Backend, seed: number): { a: Tensor; b: Tensor; bias: Tensor | null; all: Tensor[] } {
  const all: Tensor[] = [];
  const make = (shape: number[], s: number) => {
    const t = fromData(randomData(shape.reduce((p, d) => p * d, 1), s), shape, 'f32', backend);
    all.push(t);
    return t;
  };
  const aB = c.aBatch ?? [];
  const bB = c.bBatch ?? [];
  // The offset case stores one extra leading row block and narrows it away.
  const extra = c.offset ? 1 : 0;
  let a = make(c.aT ? [...aB, c.K + extra, c.M] : [...aB, c.M + extra, c.K], seed);
  if (c.offset) {
    a = narrow(a, aB.length, 1, c.aT ? c.K : c.M);
    all.push(a);
  }
  if (c.aT) {
    a = transpose(a);
    all.push(a);
  }
  let b = make(c.bT ? [...bB, c.N, c.K] : [...bB, c.K, c.N], seed + 1);
  if (c.bT) {
    b = transpose(b);
    all.push(b);
  }
  const bias = c.bias ? make([c.N], seed + 2) : null;
  return { a, b, bias, all };
}

async function checkForward(c: Case, backend: Backend, variant: MatmulVariant | undefined, seed: number): Promise<void> {
  const ref = tidy(() => {
    const o = operands(c, cpu64, seed);
    return toNumbers(matmulRaw(o.a, o.b, o.bias, { activation: c.act }));
  });
  const o = operands(c, backend, seed);
  const out = matmulRaw(o.a, o.b, o.bias, { activation: c.act, variant });
  const got = await toArray(out);
  // Σ of K products of unit normals: rounding grows like √K·ε per term; 1e-5·K is generous and
  // still far below the O(1) error of a dropped or repeated k.
  assertClose(got, ref, 1e-4 + 1e-5 * c.K, 1e-4, `${variant ?? 'cpu'} ${caseName(c)}`);
  out.dispose();
  for (const t of o.all) t.dispose();
}

for (const nb of testBackends()) {
  describe(`matmul kernels on ${nb.name}`, () => {
    afterEach(() => forceMatmulVariant(null));

    if (nb.name !== 'webgpu') {
      it('the reference epilogue is act(a·b + bias) with the element-wise relu and gelu', async () => {
        const b = await nb.get();
        for (const act of ['relu', 'gelu'] as const) {
          const c: Case = { M: 4, N: 5, K: 3, bias: true };
          const o = operands(c, b, 7);
          const fused = await toArray(matmulRaw(o.a, o.b, o.bias, { activation: act }));
          const plain = matmulRaw(o.a, o.b, o.bias);
          const separate = await toArray(act === 'relu' ? relu(plain) : gelu(plain));
          assertClose(fused, separate, 1e-6, 1e-6, act);
          expect(fused.some((v, i) => v !== (toNumbers(plain)[i] ?? NaN))).toBe(true);
        }
      });
      it('forward cases against the float64 reference', async () => {
        const b = await nb.get();
        for (const [i, c] of CASES.entries()) await checkForward(c, b, undefined, 100 + i);
      });
      return;
    }

    for (const variant of MATMUL_VARIANT_NAMES) {
      it(`${variant}: forward on odd sizes, transposed operands, batch broadcast, bias, activations`, async () => {
        const b = await nb.get();
        if (b.kind === 'webgpu' && !matmulVariantAvailable(b, variant)) return; // its feature is missing (SwiftShader has it: see below)
        for (const [i, c] of CASES.entries()) await checkForward(c, b, variant, 100 + i);
        if (b.kind === 'webgpu') expect(b.errors).toEqual([]);
      });
    }

    for (const variant of MATMUL_VARIANT_NAMES) {
      it(`${variant}: gradients (forward and backward matmuls forced to it)`, async () => {
        const b = await nb.get();
        if (b.kind === 'webgpu' && !matmulVariantAvailable(b, variant)) return;
        forceMatmulVariant(variant);
        await checkOp((x, y, z) => matmul(x, y, z), [{ shape: [2, 5, 7] }, { shape: [7, 6] }, { shape: [6] }], b);
        await checkOp((x, y) => matmul(transpose(x), y), [{ shape: [2, 9, 3] }, { shape: [2, 9, 5] }], b);
        await checkOp((x, y) => matmul(x, transpose(y)), [{ shape: [1, 1, 4] }, { shape: [3, 2, 4] }], b);
      });
    }

    it('random shapes against the reference (every variant)', async () => {
      const b = await nb.get();
      const rng = new Random(2024);
      const dim = () => 1 + Math.floor(rng.uniform(0, 1) * 40);
      for (let trial = 0; trial < 4; trial++) {
        const c: Case = { M: dim(), N: dim(), K: dim(), aT: rng.uniform(0, 1) < 0.5, bT: rng.uniform(0, 1) < 0.5, bias: rng.uniform(0, 1) < 0.5 };
        for (const v of b.kind === 'webgpu' ? matmulVariantsOn(b) : []) await checkForward(c, b, v, 500 + trial);
      }
    });

    it('the subgroup kernel runs where the device has subgroups (SwiftShader does), and is refused elsewhere', async () => {
      const b = await nb.get();
      if (b.kind !== 'webgpu') return;
      const has = b.ctx.features.has('subgroups');
      if (b.isAdapter('swiftshader')) expect(has).toBe(true);
      expect(matmulVariantsOn(b).includes('sg16')).toBe(has);
      // Sizes that leave partial quads, blocks and k steps: 70 rows = one full 64-row block + 6.
      await checkForward({ M: 70, N: 37, K: 18, bias: true, act: 'relu' }, b, has ? 'sg16' : undefined, 900);
      if (!has) {
        const x = fromData(new Float32Array(4), [2, 2], 'f32', b);
        expect(() => matmulRaw(x, x, null, { variant: 'sg16' })).toThrow(/needs the 'subgroups' feature/);
        x.dispose();
      }
    });

    it('default selection on SwiftShader picks register tiles by grid width', async () => {
      const b = await nb.get();
      if (b.kind !== 'webgpu' || !b.isAdapter('swiftshader')) return;
      const wide = b.ctx.features.has('subgroups') ? 'sg16' : 'reg16';
      expect(defaultMatmulVariant(b, 512, 512, 512, 1)).toBe(wide);
      expect(defaultMatmulVariant(b, 64, 64, 64, 1)).toBe('reg8');
      expect(defaultMatmulVariant(b, 8, 8, 8, 1)).toBe('reg4');
      expect(defaultMatmulVariant(b, 8, 8, 8, 256)).toBe(wide);
    });

    it('autotune times the candidates, keeps the fastest per problem and serves the nearest', async () => {
      const b = await nb.get();
      if (b.kind !== 'webgpu') return;
      const op = 'matmul-autotune-test';
      clearTuned(op);
      const candidates: MatmulVariant[] = ['simple', 'reg8'];
      const problems = matmulTunable.problems(b).slice(0, 1);
      const table = await autotune(b, { ...matmulTunable, op, candidates: () => candidates, problems: () => problems }, { reps: 1, trials: 1, noStorage: true });
      expect(table.entries).toHaveLength(1);
      const e = table.entries[0];
      for (const v of candidates) expect(e.ms[v]).toBeGreaterThan(0);
      const fastest = candidates.reduce((p, v) => ((e.ms[v] ?? Infinity) < (e.ms[p] ?? Infinity) ? v : p));
      expect(e.best).toBe(fastest);
      expect(tunedChoice(b, op, [40, 40])).toBe(fastest);
      // A second call reuses the table instead of measuring again.
      expect(await autotune(b, { ...matmulTunable, op, candidates: () => candidates, problems: () => problems })).toBe(table);
      clearTuned(op);
      expect(tunedChoice(b, op, problems[0].point)).toBeUndefined();
      // A table kept elsewhere (a worker has no localStorage) comes back only for the same kernels.
      const tunable = { ...matmulTunable, op };
      expect(importTuneTable(b, tunable, { ...table, version: 'other kernels' })).toBe(false);
      expect(tunedChoice(b, op, problems[0].point)).toBeUndefined();
      expect(importTuneTable(b, tunable, table)).toBe(true);
      expect(tunedChoice(b, op, problems[0].point)).toBe(fastest);
      clearTuned(op);
    });
  });
}
