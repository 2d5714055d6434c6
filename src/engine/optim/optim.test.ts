// SGD, Adam and AdamW against their update formulas written out here in float64 (independently
// of sgd.ts / adam.ts), over several steps with a learning rate that changes every step, a
// parameter that misses its gradient on one step (PyTorch skips it: no update, no step count),
// shapes of one element and sizes that are not multiples of the workgroup, and more parameters
// than one dispatch binds, and one large enough for a dispatch of its own. Also: dispatch counts, the GPU found_inf skip, state_dict round trips.
import { describe, expect, it } from 'vitest';
import { backward, zeroGrad } from '../autograd';
import { memoryOf, type Backend } from '../backend';
import { clipGradients, decodeGradStats, nonFiniteFlag } from '../clip';
import { parameter } from '../nn/module';
import { add, mul, sub, tanh } from '../ops/elementwise';
import { matmul } from '../ops/matmul';
import { mean, sum } from '../ops/reduce';
import { keep, tidy } from '../scope';
import { fromData, toArray, toFloat32 } from '../storage';
import type { Tensor } from '../tensor';
import { testBackends } from '../testing/backends';
import { assertClose, randomData } from '../testing/check';
import { Adam, AdamW } from './adam';
import { SINGLE_MIN, type Optimizer } from './optimizer';
import { SGD } from './sgd';
import { inverseSqrtSchedule } from './schedules';

// [70, 64] is large enough for a dispatch of its own (optim.wgsl's SINGLE); the rest share.
const SHAPES = [[3, 5], [300], [1], [7], [2, 2], [257], [4], [70, 64]];
const STEPS = 4;
/** (step, parameter) pairs without a gradient. */
const MISSING = new Set(['2:3', '3:0']);

type Config =
  | { algo: 'sgd'; lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }
  | { algo: 'adam' | 'adamw'; lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean };

const CONFIGS: [string, Config][] = [
  ['SGD', { algo: 'sgd', lr: 0.1 }],
  ['SGD momentum 0.9, dampening 0.1, weight decay 0.01', { algo: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['SGD nesterov 0.9, weight decay 0.05, maximize', { algo: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.05, maximize: true }],
  ['Adam', { algo: 'adam', lr: 0.01 }],
  ['Adam weight decay 0.1 (L2), amsgrad', { algo: 'adam', lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  ['AdamW (default decay 0.01)', { algo: 'adamw', lr: 0.02 }],
  ['AdamW decay 0.1, betas (0.8, 0.99), eps 1e-6, amsgrad, maximize', { algo: 'adamw', lr: 0.02, weightDecay: 0.1, betas: [0.8, 0.99], eps: 1e-6, amsgrad: true, maximize: true }],
];

function make(c: Config, params: [string, Tensor][]): Optimizer {
  if (c.algo === 'sgd') return new SGD(params, c);
  return c.algo === 'adam' ? new Adam(params, c) : new AdamW(params, c);
}

/** The textbook updates in float64 for one parameter; `st` is its state. */
interface RefState {
  t: number;
  m: number[];
  v: number[];
  vmax: number[];
  buf: number[] | null;
}

function refStep(c: Config, lr: number, p: number[], g0: number[], st: RefState): void {
  st.t++;
  const g = c.maximize ? g0.map((x) => -x) : g0;
  const wd = c.weightDecay ?? (c.algo === 'adamw' ? 1e-2 : 0);
  if (c.algo === 'sgd') {
    const mu = c.momentum ?? 0;
    const tau = c.dampening ?? 0;
    const d = g.map((gi, i) => gi + wd * p[i]);
    if (mu !== 0) {
      st.buf = st.buf === null ? [...d] : st.buf.map((b, i) => mu * b + (1 - tau) * d[i]);
      for (let i = 0; i < d.length; i++) d[i] = c.nesterov ? d[i] + mu * st.buf[i] : st.buf[i];
    }
    for (let i = 0; i < p.length; i++) p[i] -= lr * d[i];
    return;
  }
  const [b1, b2] = c.betas ?? [0.9, 0.999];
  const eps = c.eps ?? 1e-8;
  const bc1 = 1 - Math.pow(b1, st.t);
  const bc2 = 1 - Math.pow(b2, st.t);
  for (let i = 0; i < p.length; i++) {
    let gi = g[i];
    if (c.algo === 'adamw') p[i] *= 1 - lr * wd;
    else gi += wd * p[i];
    st.m[i] = b1 * st.m[i] + (1 - b1) * gi;
    st.v[i] = b2 * st.v[i] + (1 - b2) * gi * gi;
    st.vmax[i] = Math.max(st.vmax[i], st.v[i]);
    const vh = c.amsgrad ? st.vmax[i] : st.v[i];
    // m̂ / (√v̂ + ε) with m̂ = m / bc1, √v̂ = √v / √bc2: PyTorch's ε placement.
    p[i] -= (lr / bc1) * (st.m[i] / (Math.sqrt(vh) / Math.sqrt(bc2) + eps));
  }
}

const sizeOf = (s: number[]) => s.reduce((a, d) => a * d, 1);

function build(b: Backend, seed: number): { named: [string, Tensor][]; init: number[][] } {
  const init = SHAPES.map((s, i) => randomData(sizeOf(s), seed + i));
  const named = SHAPES.map((s, i) => [`layer${i}.weight`, parameter(init[i], s, b)] as [string, Tensor]);
  return { named, init };
}

function gradsAt(step: number, seed: number): (number[] | null)[] {
  return SHAPES.map((s, i) => (MISSING.has(`${step}:${i}`) ? null : randomData(sizeOf(s), seed + 1000 * step + i, 0.5)));
}

function setGrads(params: Tensor[], grads: (number[] | null)[]): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = grads[i] ? keep(fromData(grads[i]!, p.shape, 'f32', p.backend)) : null;
  });
}

async function values(ts: Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from(await toArray(t))));
}

for (const nb of testBackends()) {
  describe(`optimizers on ${nb.name}`, () => {
    for (const [name, config] of CONFIGS) {
      it(`${name}: ${STEPS} steps match the float64 formulas (lr changing every step, a missing gradient)`, async () => {
        const b = await nb.get();
        const { named, init } = build(b, 7);
        const params = named.map(([, p]) => p);
        const opt = make(config, named);
        const schedule = inverseSqrtSchedule(config.lr, 3);
        const ref = init.map((v) => [...v]);
        const refState: RefState[] = init.map((v) => ({ t: 0, m: v.map(() => 0), v: v.map(() => 0), vmax: v.map(() => 0), buf: null }));
        for (let step = 1; step <= STEPS; step++) {
          const grads = gradsAt(step, 11);
          setGrads(params, grads);
          const lr = schedule(step);
          opt.lr = lr;
          const dispatches = b.kind === 'webgpu' ? b.counters.dispatches : 0;
          const pipelines = b.kind === 'webgpu' ? b.counters.pipelines : 0;
          opt.step();
          if (b.kind === 'webgpu') {
            const present = grads.map((g, i) => (g === null ? 0 : sizeOf(SHAPES[i]))).filter((n) => n > 0);
            const large = present.filter((n) => n >= SINGLE_MIN).length;
            expect(b.counters.dispatches - dispatches, 'dispatches: one per large parameter, one per five others').toBe(large + Math.ceil((present.length - large) / 5));
            if (step > 1) expect(b.counters.pipelines, 'a new learning rate compiles nothing').toBe(pipelines);
          }
          grads.forEach((g, i) => {
            if (g) refStep(config, lr, ref[i], g, refState[i]);
          });
          const got = await values(params);
          got.forEach((v, i) => assertClose(v, ref[i], 1e-6, 1e-5, `${name}, step ${step}, parameter ${i}`));
        }
        expect(opt.steps).toEqual(refState.map((s) => s.t));
        const sd = await opt.stateDict();
        named.forEach(([n], i) => {
          expect(sd[`${n}.step`][0]).toBe(refState[i].t);
          if (config.algo === 'sgd') {
            if (config.momentum) assertClose(sd[`${n}.momentum_buffer`], refState[i].buf!, 1e-6, 1e-5, `${n}.momentum_buffer`);
            else expect(sd[`${n}.momentum_buffer`]).toBeUndefined();
          } else {
            assertClose(sd[`${n}.exp_avg`], refState[i].m, 1e-7, 1e-5, `${n}.exp_avg`);
            assertClose(sd[`${n}.exp_avg_sq`], refState[i].v, 1e-9, 1e-5, `${n}.exp_avg_sq`);
            if (config.amsgrad) assertClose(sd[`${n}.max_exp_avg_sq`], refState[i].vmax, 1e-9, 1e-5, `${n}.max_exp_avg_sq`);
          }
        });
        if (b.kind === 'webgpu') expect(b.errors, 'WebGPU validation errors').toEqual([]);
        zeroGrad(params);
        opt.dispose();
        for (const p of params) p.dispose();
      });
    }

    it('parameter groups: each group steps with its own lr, weight decay, betas and eps (torch.optim param_groups)', async () => {
      const b = await nb.get();
      const GROUP1 = 4; // parameters 0–3 in group 0, 4–7 (the large one among them) in group 1
      const cases: [Config, Config][] = [
        [{ algo: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }, { algo: 'sgd', lr: 0.3, momentum: 0.9, weightDecay: 0 }],
        [{ algo: 'adam', lr: 0.01, weightDecay: 0.1 }, { algo: 'adam', lr: 0.03, weightDecay: 0, betas: [0.8, 0.99], eps: 1e-6 }],
        [{ algo: 'adamw', lr: 0.02, weightDecay: 0.1, amsgrad: true }, { algo: 'adamw', lr: 0.005, weightDecay: 0, betas: [0.5, 0.9], amsgrad: true }],
      ];
      for (const [c0, c1] of cases) {
        const { named, init } = build(b, 51);
        const params = named.map(([, p]) => p);
        const g1 = { params: named.slice(GROUP1), lr: c1.lr, weightDecay: c1.weightDecay, ...(c1.algo !== 'sgd' ? { betas: c1.betas, eps: c1.eps } : {}) };
        const groups = [{ params: named.slice(0, GROUP1) }, Object.fromEntries(Object.entries(g1).filter(([, v]) => v !== undefined)) as typeof g1];
        const opt = c0.algo === 'sgd' ? new SGD(groups, c0) : c0.algo === 'adam' ? new Adam(groups, c0) : new AdamW(groups, c0);
        expect(opt.groupOf).toEqual(SHAPES.map((_, i) => (i < GROUP1 ? 0 : 1)));
        const ref = init.map((v) => [...v]);
        const refState: RefState[] = init.map((v) => ({ t: 0, m: v.map(() => 0), v: v.map(() => 0), vmax: v.map(() => 0), buf: null }));
        for (let step = 1; step <= 3; step++) {
          const grads = gradsAt(step, 61);
          setGrads(params, grads);
          const scale = 1 / step;
          opt.paramGroups[0].lr = c0.lr * scale;
          opt.paramGroups[1].lr = c1.lr * scale;
          opt.step();
          grads.forEach((g, i) => {
            if (g) refStep(i < GROUP1 ? c0 : { ...c1, amsgrad: c0.algo !== 'sgd' ? c0.amsgrad : undefined } as Config, (i < GROUP1 ? c0.lr : c1.lr) * scale, ref[i], g, refState[i]);
          });
          const got = await values(params);
          got.forEach((v, i) => assertClose(v, ref[i], 1e-6, 1e-5, `${c0.algo} groups, step ${step}, parameter ${i}`));
        }
        opt.lr = 0.5; // a schedule's setter reaches every group
        expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.5]);
        if (b.kind === 'webgpu') expect(b.errors, 'WebGPU validation errors').toEqual([]);
        zeroGrad(params);
        opt.dispose();
        for (const p of params) p.dispose();
      }
    });

    it('stateDict → loadStateDict into a fresh optimizer continues identically', async () => {
      const b = await nb.get();
      for (const config of [CONFIGS[1][1], CONFIGS[4][1]]) {
        const a = build(b, 21);
        const pa = a.named.map(([, p]) => p);
        const oa = make(config, a.named);
        for (let step = 1; step <= 2; step++) {
          setGrads(pa, gradsAt(step, 31));
          oa.step();
        }
        // A checkpoint: the parameters' values and the optimizer state, into fresh objects.
        const av = await values(pa);
        const named = a.named.map(([n], i) => [n, parameter(av[i], pa[i].shape, b)] as [string, Tensor]);
        const pc = named.map(([, p]) => p);
        const oc = make(config, named);
        oc.loadStateDict(await oa.stateDict());
        expect(oc.steps).toEqual(oa.steps);
        setGrads(pa, gradsAt(3, 31));
        setGrads(pc, gradsAt(3, 31));
        oa.lr = oc.lr = config.lr / 2;
        oa.step();
        oc.step();
        const [va, vc] = [await values(pa), await values(pc)];
        va.forEach((v, i) => assertClose(vc[i], v, 0, 0, `parameter ${i} after a restored step`));
        expect(() => oc.loadStateDict({ 'nope.step': [1] })).toThrow(/unexpected optimizer state entries: nope.step/);
        expect(() => oc.loadStateDict({ 'layer0.weight.step': [1] })).toThrow(/has a step but no/);
        for (const o of [oa, oc]) o.dispose();
        for (const p of [...pa, ...pc]) {
          p.grad?.dispose();
          p.dispose();
        }
      }
    });

    it('foundInf: a set flag drops the step on the GPU (no parameter or state changes); stepSkipped rewinds the count', async () => {
      const b = await nb.get();
      const { named, init } = build(b, 41);
      const params = named.map(([, p]) => p);
      const opt = new Adam(named, { lr: 0.01 });
      const ref = init.map((v) => [...v]);
      const st: RefState[] = init.map((v) => ({ t: 0, m: v.map(() => 0), v: v.map(() => 0), vmax: v.map(() => 0), buf: null }));
      const cfg: Config = { algo: 'adam', lr: 0.01 };
      const flag = fromData([0, 1], [2], 'f32', b);
      const clear = flag.view([1], [1], 0);
      const set = flag.view([1], [1], 1);
      const g1 = gradsAt(1, 51);
      setGrads(params, g1);
      opt.step({ foundInf: clear });
      g1.forEach((g, i) => g && refStep(cfg, 0.01, ref[i], g, st[i]));
      const g2 = gradsAt(2, 51);
      setGrads(params, g2);
      const readbacks = b.kind === 'webgpu' ? b.counters.readbacks : 0;
      const id = opt.step({ foundInf: set });
      if (b.kind === 'webgpu') expect(b.counters.readbacks, 'step reads nothing back').toBe(readbacks);
      const skipped = await values(params);
      skipped.forEach((v, i) => assertClose(v, ref[i], 1e-6, 1e-5, `parameter ${i} after a dropped step`));
      expect(opt.steps[0]).toBe(2);
      opt.stepSkipped(id);
      expect(opt.steps).toEqual(st.map((s) => s.t));
      const g3 = gradsAt(3, 51);
      setGrads(params, g3);
      opt.step({ foundInf: clear });
      g3.forEach((g, i) => g && refStep(cfg, 0.01, ref[i], g, st[i]));
      (await values(params)).forEach((v, i) => assertClose(v, ref[i], 1e-6, 1e-5, `parameter ${i} after the next step`));
      for (const t of [clear, set, flag]) t.dispose();
      zeroGrad(params);
      opt.dispose();
      for (const p of params) p.dispose();
    });

    it('parameters that are views of one buffer go to separate dispatches (no aliased writable bindings)', async () => {
      const b = await nb.get();
      const base = parameter(randomData(10, 61), [10], b);
      const [x, y] = [base.view([4], [1], 0), base.view([2, 3], [3, 1], 4)];
      const z = parameter(randomData(3, 62), [3], b);
      const gx = randomData(4, 63);
      const gy = randomData(6, 64);
      const gz = randomData(3, 65);
      setGrads([x, y, z], [gx, gy, gz]);
      const before = [...(await toArray(base))];
      const zBefore = [...(await toArray(z))];
      const opt = new SGD([x, y, z], { lr: 0.5 });
      const dispatches = b.kind === 'webgpu' ? b.counters.dispatches : 0;
      opt.step();
      if (b.kind === 'webgpu') expect(b.counters.dispatches - dispatches).toBe(2);
      const g = [...gx, ...gy];
      assertClose(await toArray(base), before.map((v, i) => v - 0.5 * g[i]), 1e-6, 1e-6, 'the shared buffer');
      assertClose(await toArray(z), zBefore.map((v, i) => v - 0.5 * gz[i]), 1e-6, 1e-6, 'the other parameter');
      if (b.kind === 'webgpu') expect(b.errors, 'WebGPU validation errors').toEqual([]);
      zeroGrad([x, y, z]);
      opt.dispose();
      for (const t of [x, y, z, base]) t.dispose();
    });

    it('a whole training step (backward, clipGradients with the loss, AdamW with found_inf): one readback, flat memory', async () => {
      const b = await nb.get();
      const W1 = parameter(randomData(12, 71, 0.5), [3, 4], b);
      const b1 = parameter(randomData(4, 72, 0.1), [4], b);
      const W2 = parameter(randomData(4, 73, 0.5), [4, 1], b);
      const params = [W1, b1, W2];
      const X = fromData(randomData(24, 74), [8, 3], 'f32', b);
      const Y = fromData(randomData(8, 75), [8, 1], 'f32', b);
      const opt = new AdamW(params, { lr: 0.05 });
      const live: number[] = [];
      const losses: number[] = [];
      for (let step = 0; step < 30; step++) {
        const readbacks = b.kind === 'webgpu' ? b.counters.readbacks : 0;
        const stats = tidy(() => {
          const d = sub(matmul(tanh(add(matmul(X, W1), b1)), W2), Y);
          const loss = mean(mul(d, d));
          backward(loss);
          const st = clipGradients(params, { kind: 'norm', maxNorm: 0.5 }, { loss });
          const flag = nonFiniteFlag(st);
          opt.step({ foundInf: flag });
          return st;
        });
        zeroGrad(params);
        const v = decodeGradStats(await toFloat32(stats), params.length);
        stats.dispose();
        if (b.kind === 'webgpu') expect(b.counters.readbacks - readbacks, 'readbacks per step').toBe(1);
        expect(v.nonFinite).toBe(false);
        expect(v.totalPost).toBeLessThanOrEqual(0.5 * (1 + 1e-5));
        losses.push(v.loss);
        live.push(memoryOf(b).liveBytes);
      }
      expect(losses[29]).toBeLessThan(losses[0] * 0.8);
      expect(new Set(live.slice(2)).size, `live bytes per step: ${[...new Set(live)].join(', ')}`).toBe(1);
      // A poisoned step: the flag drops the update on the GPU.
      const before = await Promise.all(params.map(async (p) => Array.from(await toArray(p))));
      const stats = tidy(() => {
        const loss = sum(mul(W1, fromData([NaN], [1], 'f32', b)));
        backward(loss);
        const st = clipGradients(params, { kind: 'norm', maxNorm: 0.5 }, { loss });
        opt.step({ foundInf: nonFiniteFlag(st) });
        return st;
      });
      zeroGrad(params);
      const v = decodeGradStats(await toFloat32(stats), params.length);
      expect([v.nonFinite, v.firstNonFinite]).toEqual([true, 0]);
      const after = await Promise.all(params.map(async (p) => Array.from(await toArray(p))));
      expect(after).toEqual(before);
      stats.dispose();
      if (b.kind === 'webgpu') expect(b.errors, 'WebGPU validation errors').toEqual([]);
      opt.dispose();
      for (const t of [...params, X, Y]) t.dispose();
    });

    it('rejects bad hyperparameters and parameter lists as torch.optim does', async () => {
      const b = await nb.get();
      const p = parameter([1, 2], [2], b);
      expect(() => new SGD([p], { lr: -1 })).toThrow(/learning rate/);
      expect(() => new SGD([p], { lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
      expect(() => new Adam([p], { betas: [1, 0.999] })).toThrow(/beta parameter at index 0/);
      expect(() => new Adam([p, p])).toThrow(/more than once/);
      expect(() => new Adam([])).toThrow(/empty parameter list/);
      expect(() => new Adam([{ params: [p] }, { params: [p] }])).toThrow(/more than once/);
      expect(() => new Adam([{ params: [p], lr: -1 }])).toThrow(/parameter group 0: invalid learning rate/);
      expect(() => new SGD([{ params: [p], betas: [0.9, 0.99] }], { lr: 0.1 })).toThrow(/parameter group 0: 'betas' cannot be set per parameter group/);
      expect(() => new Adam([{ params: [p], momentum: 0.9 } as never])).toThrow(/'momentum' cannot be set per parameter group/);
      expect(() => new Adam([{ params: [] }])).toThrow(/parameter group 0: an empty parameter list/);
      p.dispose();
    });
  });
}
