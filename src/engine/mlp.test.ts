// End to end on the engine alone: a two-layer MLP learns the two-spirals problem (> 95% accuracy)
// on every backend, and 200 training steps leave live memory flat after the first step.
import { describe, expect, it } from 'vitest';
import { backward, noGrad, zeroGrad } from './autograd';
import { memoryOf, type Backend } from './backend';
import { initContext } from './nn/module';
import { Linear } from './nn/linear';
import { Module } from './nn/module';
import { binaryRaw, copyInto, exp, log, addScalar, mul, neg, tanh } from './ops/elementwise';
import { mean } from './ops/reduce';
import { tidy } from './scope';
import { fromData, item, toArray } from './storage';
import type { Tensor } from './tensor';
import { testBackends } from './testing/backends';

/** Two interleaved spirals, labels ±1 (Lang & Witbrock 1988). */
function spirals(n: number): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = (i / n) * 1.0 + 0.1;
    const t = (i / n) * 2.5 * Math.PI;
    for (const s of [1, -1]) {
      x.push(s * r * Math.cos(t), s * r * Math.sin(t));
      y.push(s);
    }
  }
  return { x, y };
}

class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly fc3: Linear;
  constructor(backend: Backend) {
    super();
    const ctx = initContext(7, backend);
    this.fc1 = this.registerModule('fc1', new Linear(ctx, 2, 32));
    this.fc2 = this.registerModule('fc2', new Linear(ctx, 32, 32));
    this.fc3 = this.registerModule('fc3', new Linear(ctx, 32, 1));
  }
  forward(x: Tensor): Tensor {
    return this.fc3.forward(tanh(this.fc2.forward(tanh(this.fc1.forward(x)))));
  }
}

/** Logistic loss mean(log(1 + exp(−y·z))) for labels ±1. */
function logisticLoss(z: Tensor, y: Tensor): Tensor {
  return mean(log(addScalar(exp(neg(mul(z, y))), 1)));
}

/** Plain SGD with momentum, in place: v ← μv + g, p ← p − lr·v. */
function sgdStep(params: Tensor[], velocity: Map<Tensor, Tensor>, lr: number, mu: number): void {
  noGrad(() => {
    for (const p of params) {
      const g = p.grad!;
      const v = velocity.get(p);
      if (v) {
        const nv = binaryRaw('axpby', v, g, mu, 1);
        copyInto(v, nv);
        nv.dispose();
      } else {
        const nv = binaryRaw('axpby', g, g, 1, 0);
        velocity.set(p, nv);
      }
      const np = binaryRaw('axpby', p, velocity.get(p)!, 1, -lr);
      copyInto(p, np);
      np.dispose();
    }
  });
}

for (const nb of testBackends()) {
  describe(`MLP end to end on ${nb.name}`, () => {
    it('learns two spirals to > 95% accuracy', async () => {
      const backend = await nb.get();
      const { x, y } = spirals(100);
      const X = fromData(x, [200, 2], 'f32', backend);
      const Y = fromData(y, [200, 1], 'f32', backend);
      const model = new Mlp(backend);
      const velocity = new Map<Tensor, Tensor>();
      let first = NaN;
      let last = NaN;
      for (let step = 0; step < 1500; step++) {
        const loss = tidy(() => {
          const l = logisticLoss(model.forward(X), Y);
          backward(l);
          return l;
        });
        sgdStep(model.parameters(), velocity, 0.3, 0.9);
        zeroGrad(model.parameters());
        if (step === 0) first = await item(loss);
        if (step === 1499) last = await item(loss);
        loss.dispose();
      }
      const z = await toArray(tidy(() => model.forward(X)));
      const acc = y.filter((label, i) => Math.sign(z[i]) === label).length / y.length;
      console.log(`[mlp] ${backend.adapterName}: loss ${first.toFixed(3)} → ${last.toFixed(4)}, accuracy ${(acc * 100).toFixed(1)}%`);
      expect(last).toBeLessThan(first);
      expect(acc).toBeGreaterThan(0.95);
    });

    it('200 training steps leave live memory flat after the first step', async () => {
      const backend = await nb.get();
      const { x, y } = spirals(32);
      const X = fromData(x, [64, 2], 'f32', backend);
      const Y = fromData(y, [64, 1], 'f32', backend);
      const model = new Mlp(backend);
      const velocity = new Map<Tensor, Tensor>();
      const live: number[] = [];
      for (let step = 0; step < 200; step++) {
        const loss = tidy(() => {
          const l = logisticLoss(model.forward(X), Y);
          backward(l);
          return l;
        });
        sgdStep(model.parameters(), velocity, 0.1, 0.9);
        zeroGrad(model.parameters());
        await item(loss);
        loss.dispose();
        live.push(memoryOf(backend).liveBytes);
      }
      expect(new Set(live.slice(1)).size, `live bytes per step: ${[...new Set(live)].join(', ')}`).toBe(1);
      if (backend.kind === 'webgpu') {
        // Reuse, not growth: buffers created stop increasing once the pool has warmed up.
        const created = backend.pool.snapshot().created;
        const l = tidy(() => logisticLoss(model.forward(X), Y));
        await item(l);
        l.dispose();
        expect(backend.pool.snapshot().created).toBe(created);
      }
    });
  });
}
