// Parity with PyTorch (tools/parity/clip.py, run in float64 by Debian's python3-torch):
// clip_grad_norm_ for norm types 1, 2, 3 and inf (returned total and clipped gradients),
// clip_grad_value_, and a few steps of Adam, AdamW and SGD (parameters after every step and the
// final optimizer state), relative error ≤ 1e-5. A parameter without a gradient is included.
// Node projects only (it spawns /usr/bin/python3); skipped with a reason when torch is missing.
import { describe, expect, it } from 'vitest';
import { zeroGrad } from './autograd';
import type { Backend } from './backend';
import { clipGradNorm, clipGradValue, type NormType } from './clip';
import { parameter } from './nn/module';
import { Adam, AdamW } from './optim/adam';
import type { Optimizer } from './optim/optimizer';
import { SGD } from './optim/sgd';
import { keep } from './scope';
import { fromData, toArray } from './storage';
import type { Tensor } from './tensor';
import { testBackends } from './testing/backends';
import { randomData } from './testing/check';
import { expectParity as expectParityWithin, inBrowser, NEEDS_NODE, nodeModules, runTorchScript, torchMissing, type NodeModules } from './testing/torch-parity';

type Grads = (number[] | null)[];

interface OptimCase {
  algo: 'adam' | 'adamw' | 'sgd';
  options: { momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number; amsgrad?: boolean };
  /** Parameters from `from` on form a second parameter group with these settings (PyTorch's param_groups). */
  group1?: { from: number; weightDecay?: number; betas?: [number, number]; eps?: number };
  lrs: number[];
  params: number[][];
  grads: Grads[];
}

interface TorchResult {
  norm: { total: number; grads: Grads }[];
  value: { grads: Grads }[];
  optim: { params: number[][][]; state: Record<string, number[]> }[];
  torch: string;
}

function runTorch(m: NodeModules, input: object): TorchResult {
  return runTorchScript<TorchResult>(m, new URL('../../tools/parity/clip.py', import.meta.url), input);
}

const RTOL = 1e-5;
const ATOL = 1e-7;

function expectParity(actual: ArrayLike<number>, expected: readonly number[], what: string): number {
  return expectParityWithin(actual, expected, what, RTOL, ATOL);
}

const SHAPES = [[3000], [4, 6], [1], [257], [5]];
const sizeOf = (s: number[]) => s.reduce((a, d) => a * d, 1);

function withGrads(b: Backend, grads: Grads): Tensor[] {
  return SHAPES.map((s, i) => {
    const p = parameter(new Float32Array(sizeOf(s)), s, b);
    const g = grads[i];
    if (g) p.grad = keep(fromData(g, s, 'f32', b));
    return p;
  });
}

function release(ps: Tensor[]): void {
  zeroGrad(ps);
  for (const p of ps) p.dispose();
}

async function compareGrads(ps: Tensor[], expected: Grads, what: string): Promise<number> {
  let worst = 0;
  for (let i = 0; i < ps.length; i++) {
    const e = expected[i];
    if (e === null) expect(ps[i].grad, `${what}: parameter ${i} has no gradient`).toBeNull();
    else worst = Math.max(worst, expectParity(await toArray(ps[i].grad!), e, `${what}, gradient ${i}`));
  }
  return worst;
}

function makeOptimizer(c: OptimCase, ps: Tensor[]): Optimizer {
  const { from, ...settings } = c.group1 ?? { from: ps.length };
  const params = c.group1 ? [{ params: ps.slice(0, from) }, { ...settings, params: ps.slice(from) }] : ps;
  if (c.algo === 'sgd') return new SGD(params, { lr: c.lrs[0], ...c.options });
  return c.algo === 'adam' ? new Adam(params, { lr: c.lrs[0], ...c.options }) : new AdamW(params, { lr: c.lrs[0], ...c.options });
}

async function parity(m: NodeModules, b: Backend): Promise<void> {
  // Gradients are float32 values (so both sides start from the same numbers).
  const f32 = (v: number[]) => Array.from(Float32Array.from(v));
  const grads: Grads = SHAPES.map((s, i) => f32(randomData(sizeOf(s), 200 + i, 0.05)));
  grads[2] = null;
  const normCases: { normType: NormType; maxNorm: number }[] = [
    { normType: 1, maxNorm: 5 },
    { normType: 2, maxNorm: 1 },
    { normType: 3, maxNorm: 0.2 },
    { normType: 'inf', maxNorm: 0.1 },
    { normType: 2, maxNorm: 100 },
  ];
  const valueCases = [0.03, 1];
  const steps = 4;
  const configs: [OptimCase['algo'], OptimCase['options']][] = [
    ['adam', {}],
    ['adam', { weightDecay: 0.1, amsgrad: true, betas: [0.8, 0.99] }],
    ['adamw', {}],
    ['adamw', { weightDecay: 0.1, eps: 1e-6, amsgrad: true }],
    ['sgd', { momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
    ['sgd', { momentum: 0.9, nesterov: true }],
    ['adamw', { weightDecay: 0.1 }],
    ['sgd', { momentum: 0.9, weightDecay: 0.05 }],
  ];
  // The last two: parameters 2 on in a second group (no decay; for AdamW other betas and eps).
  const groups: (OptimCase['group1'] | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined,
    { from: 2, weightDecay: 0, betas: [0.5, 0.9], eps: 1e-5 }, { from: 2, weightDecay: 0 }];
  // Parameter 3 has no gradient on step 2 (PyTorch skips it: no update, its step count lags).
  const optimCases: OptimCase[] = configs.map(([algo, options], c) => ({
    algo,
    options,
    ...(groups[c] ? { group1: groups[c] } : {}),
    lrs: Array.from({ length: steps }, (_, t) => (algo === 'sgd' ? 0.1 : 0.01) / (1 + t)),
    params: SHAPES.map((s, i) => f32(randomData(sizeOf(s), 300 + 10 * c + i))),
    grads: Array.from({ length: steps }, (_, t) => SHAPES.map((s, i) => (t === 1 && i === 3 ? null : f32(randomData(sizeOf(s), 400 + 100 * c + 10 * t + i, 0.1))))),
  }));
  const ref = runTorch(m, { shapes: SHAPES, grads, norm: normCases, value: valueCases, optim: optimCases });

  const worst: Record<string, number> = {};
  for (const [k, c] of normCases.entries()) {
    const ps = withGrads(b, grads);
    const total = clipGradNorm(ps, c.maxNorm, c.normType);
    const tag = `clip_grad_norm_(p=${c.normType}, max=${c.maxNorm})`;
    worst[tag] = Math.max(expectParity(await toArray(total), [ref.norm[k].total], `${tag} total`), await compareGrads(ps, ref.norm[k].grads, tag));
    total.dispose();
    release(ps);
  }
  for (const [k, c] of valueCases.entries()) {
    const ps = withGrads(b, grads);
    clipGradValue(ps, c);
    worst[`clip_grad_value_(${c})`] = await compareGrads(ps, ref.value[k].grads, `clip_grad_value_(${c})`);
    release(ps);
  }
  for (const [k, c] of optimCases.entries()) {
    const ps = SHAPES.map((s, i) => parameter(c.params[i], s, b));
    const opt = makeOptimizer(c, ps);
    const tag = `${c.algo} ${JSON.stringify(c.options)}`;
    let w = 0;
    for (let t = 0; t < steps; t++) {
      ps.forEach((p, i) => {
        p.grad?.dispose();
        const g = c.grads[t][i];
        p.grad = g ? keep(fromData(g, p.shape, 'f32', b)) : null;
      });
      opt.lr = c.lrs[t];
      opt.step();
      for (let i = 0; i < ps.length; i++) w = Math.max(w, expectParity(await toArray(ps[i]), ref.optim[k].params[t][i], `${tag}, step ${t + 1}, parameter ${i}`));
    }
    const state = await opt.stateDict();
    for (const [key, v] of Object.entries(ref.optim[k].state)) {
      expect(state[key], `${tag}: state '${key}'`).toBeDefined();
      w = Math.max(w, expectParity(state[key], v, `${tag}, state ${key}`));
    }
    // Ours also has `${i}.step` for SGD, whose PyTorch state has no step.
    expect(Object.keys(state).filter((key) => !(key in ref.optim[k].state) && !key.endsWith('.step'))).toEqual([]);
    worst[tag] = w;
    opt.dispose();
    release(ps);
  }
  console.log(
    `[clip/optim parity] ${b.kind}, torch ${ref.torch}: max relative error ` +
      Object.entries(worst)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join('; '),
  );
  if (b.kind === 'webgpu') expect(b.errors, 'WebGPU validation errors').toEqual([]);
}

for (const nb of testBackends()) {
  describe(`clipping and optimizer parity with PyTorch on ${nb.name}`, () => {
    it('clip_grad_norm_ (1, 2, 3, inf), clip_grad_value_, Adam/AdamW/SGD steps and state match torch within rtol 1e-5', async (ctx) => {
      if (inBrowser) ctx.skip(NEEDS_NODE);
      const m = await nodeModules();
      const missing = await torchMissing(m);
      if (missing) ctx.skip(missing);
      await parity(m, await nb.get());
    });
  });
}
