// Property suite against PyTorch 1.13: every public op of the engine on seeded random shapes and
// edge cases — empty and size-1 dims, −∞ / +∞ / NaN / ±0 inputs, fully masked rows, strided
// (transposed) views — forward values and the gradients of sum(out ⊙ R), on CPU float64, CPU
// float32 (the `unit` project) and WebGPU (`node-gpu`). One python process per suite computes
// every case in float64 (tools/parity/ops.py). Skips with a reason in the browser (no python) or
// where torch is missing. The deliberate differences from PyTorch (docs/engine.md) are the
// `documented` entries below, compared as documented rather than skipped.
import { beforeAll, describe, expect, it } from 'vitest';
import { backward } from './autograd';
import type { Backend } from './backend';
import { Random } from './random';
import { tidy } from './scope';
import { fromData, toArray, toNumbers } from './storage';
import type { Tensor } from './tensor';
import { cpu64, testBackends } from './testing/backends';
import { inBrowser, NEEDS_NODE, nodeModules, PYTHON, torchMissing, type NodeModules } from './testing/torch-parity';
import * as E from './index';
import { scaledDotProductAttention } from './ops/attention';

interface InputCase {
  shape: number[];
  data: number[];
  dtype?: 'f32' | 'i32';
  grad?: boolean;
  /** Built as its transpose's data and turned back: a strided view. */
  transpose?: boolean;
}

interface Case {
  id: string;
  op: string;
  inputs: InputCase[];
  opts: Record<string, unknown>;
  R: number[];
  /** A deliberate difference (docs/engine.md): how to read PyTorch's answer. */
  documented?: 'masked-rows-zero' | 'all-ignored-zero';
}

interface TorchOut {
  out?: (number | string)[];
  shape?: number[];
  grads?: ((number | string)[] | null)[];
  error?: string;
}

const SPECIAL = [-Infinity, Infinity, NaN, 0, -0];
const numel = (s: number[]) => s.reduce((a, d) => a * d, 1);

/** Seeded data: normals, with a share of special values when `special`. */
function values(r: Random, n: number, special = false, scale = 1): number[] {
  return Array.from({ length: n }, () => (special && r.next() < 0.2 ? SPECIAL[r.int(SPECIAL.length)] : r.normal() * scale));
}

function shapeOf(r: Random, rank: number, opts: { empty?: boolean; max?: number } = {}): number[] {
  return Array.from({ length: rank }, () => (opts.empty && r.next() < 0.3 ? 0 : 1 + r.int(opts.max ?? 5)));
}

function input(r: Random, shape: number[], o: { special?: boolean; grad?: boolean; transpose?: boolean; scale?: number } = {}): InputCase {
  const t = o.transpose && shape.length >= 2;
  return { shape, data: values(r, numel(shape), o.special, o.scale), grad: o.grad ?? true, transpose: t || undefined };
}

/** Every case: a few hundred, fixed by the seed. */
function buildCases(): Case[] {
  const r = new Random(13);
  const cases: Case[] = [];
  const add = (op: string, inputs: InputCase[], opts: Record<string, unknown> = {}, documented?: Case['documented']) => {
    cases.push({ id: `${op}#${cases.length}`, op, inputs, opts, R: [], documented });
  };
  const unary = ['neg', 'relu', 'gelu', 'tanh', 'sigmoid', 'exp', 'log', 'sqrt', 'abs', 'square'];
  for (const op of unary) {
    for (let k = 0; k < 4; k++) {
      const shape = shapeOf(r, 1 + r.int(3), { empty: k === 3 });
      const positive = op === 'log' || op === 'sqrt';
      const inp = input(r, shape, { special: k === 1, transpose: k === 2 });
      if (positive && k !== 1) inp.data = inp.data.map((v) => Math.abs(v) + 0.1);
      add(op, [inp]);
    }
  }
  for (let k = 0; k < 3; k++) {
    add('scale', [input(r, shapeOf(r, 2), { special: k === 1 })], { c: -1.5 });
    add('addScalar', [input(r, shapeOf(r, 2), { special: k === 1 })], { c: 0.25 });
    add('clamp', [input(r, shapeOf(r, 2), { special: k === 1 })], { lo: -0.5, hi: 0.7 });
  }
  for (const op of ['add', 'sub', 'mul', 'div']) {
    for (let k = 0; k < 4; k++) {
      const a = shapeOf(r, 3, { empty: k === 3 });
      const b = a.map((d) => (r.next() < 0.4 ? 1 : d)).slice(r.int(2)); // broadcasting, fewer dims
      add(op, [input(r, a, { special: k === 1, transpose: k === 2 }), input(r, b, { special: k === 1 })]);
    }
  }
  for (const op of ['sum', 'mean']) {
    for (let k = 0; k < 5; k++) {
      const shape = shapeOf(r, 1 + r.int(3), { empty: k === 4 && op === 'sum' });
      const axes = k === 0 ? null : [r.int(shape.length)];
      add(op, [input(r, shape, { special: k === 1, transpose: k === 2 })], { axes, keepDims: k === 3 });
    }
  }
  for (let k = 0; k < 6; k++) {
    const [M, K, N] = [1 + r.int(6), k === 5 ? 0 : 1 + r.int(6), 1 + r.int(6)];
    const batch = k >= 3 ? [1 + r.int(3)] : [];
    add('matmul', [input(r, [...batch, M, K], { transpose: k === 2, special: k === 4 }), input(r, [...batch, K, N], { transpose: k === 1 })]);
  }
  for (let k = 0; k < 3; k++) {
    const [B, I, O] = [1 + r.int(4), 1 + r.int(6), 1 + r.int(6)];
    add('linear', [input(r, [B, I]), input(r, [O, I], { transpose: k === 1 }), ...(k !== 2 ? [input(r, [O])] : [])]);
  }
  for (const op of ['softmax', 'logSoftmax']) {
    for (let k = 0; k < 6; k++) {
      const shape = shapeOf(r, 1 + r.int(3), { empty: k === 5 });
      const inp = input(r, shape, { special: k === 1, transpose: k === 2, scale: 3 });
      if (k === 3 && shape.length >= 1 && numel(shape) > 0) {
        const n = shape[shape.length - 1];
        for (let j = 0; j < n; j++) inp.data[j] = -Infinity; // one row all −∞ (no mask): PyTorch's NaN
      }
      add(op, [inp], { dim: k === 4 ? 0 : -1 });
    }
  }
  for (let k = 0; k < 6; k++) {
    const shape = shapeOf(r, 2 + r.int(2));
    const nd = k >= 4 ? 2 : 1;
    const ns = shape.slice(shape.length - nd);
    const x = input(r, shape, { special: k === 1, transpose: k === 2 && nd === 1, scale: 2 });
    if (k === 3) x.data = x.data.map((v) => 300 + 0.1 * v); // a large mean
    add('layerNorm', [x, ...(k !== 5 ? [input(r, ns), input(r, ns)] : [])], { normalizedShape: ns, eps: 1e-5 });
  }
  for (let k = 0; k < 7; k++) {
    const [N, C] = [1 + r.int(6), 1 + r.int(6)];
    const t = Array.from({ length: N }, () => r.int(C));
    if (k === 2) t[0] = -100;
    const reduction = (['mean', 'sum', 'none'] as const)[k % 3];
    const labelSmoothing = k >= 3 ? 0.2 : 0;
    const inputs = [input(r, [N, C], { special: k === 6 }), { shape: [N], data: t, dtype: 'i32' as const }];
    if (k >= 4) inputs.push({ ...input(r, [C]), data: values(r, C).map((v) => Math.abs(v) + 0.1), grad: false });
    add('crossEntropy', inputs, { reduction, labelSmoothing, ignoreIndex: -100 });
  }
  {
    // All targets ignored: mean is 0 here, NaN in PyTorch (documented).
    add('crossEntropy', [input(r, [3, 4]), { shape: [3], data: [-100, -100, -100], dtype: 'i32' }], { reduction: 'mean', labelSmoothing: 0, ignoreIndex: -100 }, 'all-ignored-zero');
    // PyTorch's class axis 1: [B, C, T] logits with [B, T] targets.
    add('crossEntropy', [input(r, [2, 5, 3]), { shape: [2, 3], data: [0, 4, 2, 1, 3, 3], dtype: 'i32' }], { reduction: 'mean', labelSmoothing: 0, ignoreIndex: -100 });
  }
  for (let k = 0; k < 3; k++) {
    const [V, D, n] = [2 + r.int(6), 1 + r.int(5), k === 2 ? 0 : 1 + r.int(6)];
    add('embedding', [{ shape: [n], data: Array.from({ length: n }, () => r.int(V)), dtype: 'i32' }, input(r, [V, D])], k === 1 ? { paddingIdx: 0 } : {});
  }
  for (let k = 0; k < 4; k++) {
    const [B, H, Tq, Tk, d] = [1 + r.int(2), 1 + r.int(2), 1 + r.int(4), 2 + r.int(4), 1 + r.int(4)];
    const opts: Record<string, unknown> = { causal: k === 1 };
    if (k >= 2) {
      const mask = Array.from({ length: B * Tk }, () => (r.next() < 0.7 ? 1 : 0));
      if (k === 3) for (let j = 0; j < Tk; j++) mask[j] = 0; // batch 0 sees no key: documented zeros
      else mask[0] = 1;
      opts.keyPaddingMask = mask;
    }
    add('attention', [input(r, [B, H, Tq, d]), input(r, [B, H, Tk, d]), input(r, [B, H, Tk, d])], opts, k === 3 ? 'masked-rows-zero' : undefined);
  }
  add('permute', [input(r, [2, 3, 4])], { dims: [2, 0, 1] });
  add('narrow', [input(r, [4, 5])], { axis: 1, start: 1, length: 3 });
  add('concat', [input(r, [2, 3]), input(r, [2, 0]), input(r, [2, 2], { transpose: true })], { axis: 1 });
  add('stack', [input(r, [3, 2]), input(r, [3, 2])], { axis: 1 });
  add('expand', [input(r, [3, 1])], { shape: [2, 3, 4] });
  add('reshape', [input(r, [3, 4], { transpose: true })], { shape: [2, 6] });
  return cases;
}

/** The engine's side of each op (inputs already built, transposed views applied). */
function runOp(c: Case, xs: Tensor[]): Tensor {
  const o = c.opts as Record<string, never>;
  const [x, y, z] = xs;
  switch (c.op) {
    case 'neg': case 'relu': case 'gelu': case 'tanh': case 'sigmoid': case 'exp': case 'log': case 'sqrt': case 'abs': case 'square':
      return (E[c.op as 'neg'])(x);
    case 'add': case 'sub': case 'mul': case 'div':
      return (E[c.op as 'add'])(x, y);
    case 'scale': return E.scale(x, o.c);
    case 'addScalar': return E.addScalar(x, o.c);
    case 'clamp': return E.clamp(x, o.lo, o.hi);
    case 'sum': return E.sum(x, o.axes ?? undefined, o.keepDims);
    case 'mean': return E.mean(x, o.axes ?? undefined, o.keepDims);
    case 'matmul': return E.matmul(x, y);
    case 'linear': return E.linear(x, y, z ?? null);
    case 'softmax': return E.softmax(x, o.dim);
    case 'logSoftmax': return E.logSoftmax(x, o.dim);
    case 'layerNorm': return E.layerNorm(x, y ?? null, z ?? null, o.eps, o.normalizedShape);
    case 'crossEntropy': return E.crossEntropy(x, y, { reduction: o.reduction, labelSmoothing: o.labelSmoothing, ignoreIndex: o.ignoreIndex, weight: z ?? null });
    case 'embedding': return E.embedding(x, y, { paddingIdx: o.paddingIdx ?? null });
    case 'attention': {
      const kpm = c.opts.keyPaddingMask as number[] | undefined;
      const mask = kpm ? fromData(kpm, [x.shape[0], y.shape[2]], 'f32', x.backend) : null;
      return scaledDotProductAttention(x, y, z, { causal: o.causal, keyPaddingMask: mask }).out;
    }
    case 'permute': return E.permute(x, o.dims);
    case 'narrow': return E.narrow(x, o.axis, o.start, o.length);
    case 'concat': return E.concat(xs, o.axis);
    case 'stack': return E.stack(xs, o.axis);
    case 'expand': return E.expand(x, o.shape);
    case 'reshape': return E.reshape(x, o.shape);
    default: throw new Error(`no engine op for ${c.op}`);
  }
}

const decode = (v: number | string) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

/** JSON with NaN / Infinity / -Infinity tokens and -0.0, which Python's json reads. */
function toPythonJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `@@${Object.is(v, -0) ? '-0.0' : String(v)}@@` : v,
  ).replace(/"@@(NaN|Infinity|-Infinity|-0\.0)@@"/g, '$1');
}

function runTorch(m: NodeModules, cases: Case[]): { torch: string; results: Record<string, TorchOut> } {
  const dir = m.fs.mkdtempSync(m.path.join(m.os.tmpdir(), 'torch-ops-'));
  try {
    m.fs.writeFileSync(m.path.join(dir, 'input.json'), toPythonJson({ cases }));
    const script = m.url.fileURLToPath(new URL('../../tools/parity/ops.py', import.meta.url));
    m.cp.execFileSync(PYTHON, [script, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(m.fs.readFileSync(m.path.join(dir, 'output.json'), 'utf8')) as { torch: string; results: Record<string, TorchOut> };
  } finally {
    m.fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Element-wise within atol + rtol·|e|; NaN matches NaN, ±∞ match exactly. Returns the first mismatch. */
function mismatch(got: ArrayLike<number>, want: readonly number[], atol: number, rtol: number): string | null {
  if (got.length !== want.length) return `length ${got.length}, PyTorch ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i], want[i]];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    return `[${i}] = ${a}, PyTorch ${e}`;
  }
  return null;
}

/** PyTorch's answer read through a documented difference. */
function documentedWant(c: Case, out: number[]): number[] {
  if (c.documented === 'masked-rows-zero' || c.documented === 'all-ignored-zero') return out.map((v) => (Number.isNaN(v) ? 0 : v));
  return out;
}

const CASES = buildCases();

const backends: { name: string; get: () => Promise<Backend>; atol: number; rtol: number }[] = [
  ...testBackends().map((nb) => ({ name: nb.name === 'cpu' ? 'cpu float32' : nb.name, get: nb.get, atol: 2e-4, rtol: 2e-4 })),
  ...(testBackends().some((nb) => nb.name === 'cpu') ? [{ name: 'cpu float64', get: async () => cpu64 as Backend, atol: 1e-7, rtol: 1e-7 }] : []),
];

describe('every public op against PyTorch 1.13 (random shapes and edge cases)', () => {
  let torch: { torch: string; results: Record<string, TorchOut> } | null = null;
  let skipReason: string | null = null;
  beforeAll(async () => {
    if (inBrowser) {
      skipReason = NEEDS_NODE;
      return;
    }
    const m = await nodeModules();
    skipReason = await torchMissing(m);
    if (skipReason) return;
    const rng = new Random(99);
    // R of each output's shape needs the shape: PyTorch reports it, so a first pass without R
    // would cost a second process; instead R is drawn for the largest possible output lazily:
    // every case gets 4096 values and the script uses the first numel(out).
    for (const c of CASES) c.R = values(rng, 4096);
    torch = runTorch(m, CASES.map((c) => ({ ...c })));
  }, 120_000);

  for (const be of backends) {
    it(`${be.name}: ${CASES.length} cases, forward and gradients`, async (ctx) => {
      if (skipReason) ctx.skip(skipReason);
      const b = await be.get();
      const failures: string[] = [];
      let compared = 0;
      for (const c of CASES) {
        const ref = torch!.results[c.id];
        const xs = c.inputs.map((s) => {
          const shape = s.transpose ? [...s.shape.slice(0, -2), s.shape[s.shape.length - 1], s.shape[s.shape.length - 2]] : s.shape;
          const t = fromData(s.data, shape, s.dtype ?? 'f32', b);
          if (s.grad && (s.dtype ?? 'f32') === 'f32') t.requiresGrad = true;
          return t;
        });
        let got: { out: number[]; shape: number[]; grads: (number[] | null)[] } | { error: string };
        try {
          const [out, ...grads] = tidy(() => {
            const views = xs.map((t, i) => (c.inputs[i].transpose ? E.transpose(t, -1, -2) : t));
            const o = runOp(c, views);
            if (o.size > 0 && xs.some((t) => t.requiresGrad)) {
              backward(E.sum(E.mul(o, fromData(c.R.slice(0, o.size), o.shape, 'f32', b))));
            }
            return [o, ...xs.map((t) => t.grad)];
          });
          const read = async (t: Tensor) => (b.kind === 'cpu' ? toNumbers(t) : Array.from(await toArray(t)));
          got = { out: await read(out), shape: [...out.shape], grads: await Promise.all(grads.map((g) => (g ? read(g) : null))) };
          out.dispose();
        } catch (e) {
          got = { error: (e as Error).message };
        }
        for (const t of xs) {
          t.grad?.dispose();
          t.dispose();
        }
        if ('error' in got || ref.error) {
          if (!('error' in got) || !ref.error) failures.push(`${c.id}: engine ${'error' in got ? `refused (${got.error})` : 'ran'}, PyTorch ${ref.error ? `refused (${ref.error})` : 'ran'}`);
          continue;
        }
        compared++;
        if (got.shape.join(',') !== ref.shape!.join(',')) {
          failures.push(`${c.id}: shape [${got.shape}], PyTorch [${ref.shape}]`);
          continue;
        }
        const bad = mismatch(got.out, documentedWant(c, ref.out!.map(decode)), be.atol, be.rtol);
        if (bad) failures.push(`${c.id} forward ${bad}`);
        ref.grads!.forEach((g, i) => {
          if (!g || !c.inputs[i].grad) return;
          const mine = got.grads[i];
          if (!mine) {
            failures.push(`${c.id} input ${i}: no gradient, PyTorch has one`);
            return;
          }
          const badG = mismatch(mine, documentedWant(c, g.map(decode)), be.atol * 10, be.rtol * 10);
          if (badG) failures.push(`${c.id} gradient of input ${i} ${badG}`);
        });
      }
      console.log(`[torch property] ${be.name}, torch ${torch!.torch}: ${compared} of ${CASES.length} cases compared, ${failures.length} failures`);
      expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
    });
  }
});
