// Checks shared by every op suite: forward against the CPU reference, backward against central
// finite differences of the reference computed in float64 (llm.c's tolerance: atol + rtol·|ref|).

import { expect } from 'vitest';
import type { Backend } from '../backend';
import { backward, noGrad } from '../autograd';
import { Random } from '../random';
import { fromData, toArray, toNumbers } from '../storage';
import type { Tensor } from '../tensor';
import { tidy } from '../scope';
import { cpu64 } from './backends';

export interface InputSpec {
  shape: number[];
  /** Values; default: seeded normals. */
  data?: number[];
  /** i32 inputs (indices) are passed through, never differentiated. */
  dtype?: 'f32' | 'i32';
  /** Exclude from the gradient check (e.g. a mask). */
  noGrad?: boolean;
}

export function randomData(n: number, seed: number, scale = 1): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => r.normal() * scale);
}

function materialise(specs: InputSpec[], seed: number): InputSpec[] {
  return specs.map((s, i) => ({ ...s, data: s.data ?? randomData(s.shape.reduce((a, d) => a * d, 1), seed + i * 7919) }));
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

export interface GradCheckOptions {
  seed?: number;
  atol?: number;
  rtol?: number;
  eps?: number;
  /** Forward tolerance (defaults to atol/rtol). */
  fwdAtol?: number;
  fwdRtol?: number;
}

type OpFn = (...xs: Tensor[]) => Tensor;

function build(specs: InputSpec[], backend: Backend, grad: boolean): Tensor[] {
  return specs.map((s) => {
    const t = fromData(s.data!, s.shape, s.dtype ?? 'f32', backend);
    t.requiresGrad = grad && (s.dtype ?? 'f32') === 'f32' && !s.noGrad;
    return t;
  });
}

/** Σ out ⊙ R with a fixed random R: a scalar whose gradient probes the whole Jacobian. */
function projectedLoss(out: Tensor, weights: number[]): Tensor {
  // No tidy here: `w` is saved by mul for the backward pass that follows.
  const w = fromData(weights, out.shape, 'f32', out.backend);
  return sumOf(mulOf(out, w));
}

import { mul as mulOf } from '../ops/elementwise';
import { sum as sumOf } from '../ops/reduce';

/**
 * Runs `fn` on `backend` and on the float64 CPU reference; asserts forward values match and that
 * the backend's gradients match finite differences of the reference.
 */
export async function checkOp(fn: OpFn, specs: InputSpec[], backend: Backend, options: GradCheckOptions = {}): Promise<void> {
  const seed = options.seed ?? 1;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-3;
  const eps = options.eps ?? 1e-4;
  const inputs = materialise(specs, seed);

  // Reference forward in float64.
  const refOut = tidy(() => toNumbers(fn(...build(inputs, cpu64, false))));
  const weights = randomData(refOut.length, seed + 101);

  // Backend forward + backward.
  const xs = build(inputs, backend, true);
  const out = fn(...xs);
  const got = await toArray(out);
  assertClose(got, refOut, options.fwdAtol ?? atol, options.fwdRtol ?? rtol, `forward on ${backend.kind}`);
  const differentiable = xs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (differentiable.length === 0 || !out.requiresGrad) {
    expect(differentiable.length === 0 || !out.requiresGrad).toBe(true);
    return;
  }
  const loss = projectedLoss(out, weights);
  backward(loss);
  for (const i of differentiable) {
    const g = xs[i].grad;
    expect(g, `input ${i} has a gradient`).toBeTruthy();
    const analytic = await toArray(g!);
    const numeric = noGrad(() => {
      const base = inputs[i].data!;
      const res: number[] = [];
      for (let k = 0; k < base.length; k++) {
        const f = (delta: number) =>
          tidy(() => {
            const pert = inputs.map((s, j) => (j === i ? { ...s, data: base.map((v, m) => (m === k ? v + delta : v)) } : s));
            const o = toNumbers(fn(...build(pert, cpu64, false)));
            return o.reduce((acc, v, m) => acc + v * weights[m], 0);
          });
        res.push((f(eps) - f(-eps)) / (2 * eps));
      }
      return res;
    });
    assertClose(analytic, numeric, atol, rtol, `gradient of input ${i} on ${backend.kind}`);
  }
  for (const x of xs) {
    x.grad?.dispose();
    x.dispose();
  }
  loss.dispose();
  out.dispose();
  if (backend.kind === 'webgpu') expect(backend.errors, 'WebGPU validation errors').toEqual([]);
}
