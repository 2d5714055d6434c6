// nn.Module, shaped like PyTorch's so parameter names map one-to-one onto a PyTorch state dict:
// parameters and sub-modules are registered under names, and namedParameters() yields dotted
// paths ("encoder.layers.0.self_attn.in_proj_weight").

import type { Backend } from '../backend';
import { getDefaultBackend } from '../backend';
import { Random } from '../random';
import { fromData } from '../storage';
import type { Tensor } from '../tensor';
import { keep } from '../scope';

/** Where a module's parameters live and where their initial values come from. */
export interface InitContext {
  backend: Backend;
  rng: Random;
}

export function initContext(seed = 0, backend: Backend = getDefaultBackend()): InitContext {
  return { backend, rng: new Random(seed) };
}

/** A leaf tensor that requires grad, kept out of every tidy scope. */
export function parameter(values: ArrayLike<number>, shape: readonly number[], backend: Backend, name?: string): Tensor {
  const t = keep(fromData(values, shape, 'f32', backend));
  t.requiresGrad = true;
  if (name) t.name = name;
  return t;
}

/** U(-bound, bound), PyTorch's default for Linear/RNN weights (kaiming_uniform with a=√5 gives bound 1/√fan_in). */
export function uniformParam(ctx: InitContext, shape: readonly number[], bound: number): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ctx.rng.uniform(-bound, bound);
  return parameter(v, shape, ctx.backend);
}

export function normalParam(ctx: InitContext, shape: readonly number[], std = 1): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ctx.rng.normal(0, std);
  return parameter(v, shape, ctx.backend);
}

export function constantParam(ctx: InitContext, shape: readonly number[], value: number): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  return parameter(new Float32Array(n).fill(value), shape, ctx.backend);
}

/** A module with its own random stream (dropout masks), which a caller can restart from a seed. */
interface Reseedable {
  reseed(seed: number): void;
}

const isReseedable = (m: Module): m is Module & Reseedable => typeof (m as Partial<Reseedable>).reseed === 'function';

/**
 * Restarts the random stream of every module under `roots` (in their registration order) from
 * seeds drawn from `seed`: the masks of one call then depend on `seed` alone.
 */
export function reseedModules(roots: readonly Module[], seed: number): void {
  const rng = new Random(seed);
  for (const root of roots) for (const [, m] of root.namedModules()) if (isReseedable(m)) m.reseed(rng.seed32());
}

export abstract class Module {
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  training = true;

  protected registerParameter(name: string, t: Tensor): Tensor {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`duplicate parameter name '${name}'`);
    t.name = name;
    this.params.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`duplicate module name '${name}'`);
    this.children.set(name, m);
    return m;
  }

  /** [dotted name, parameter] in registration order, like PyTorch's named_parameters(). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, m] of this.children) out.push(...m.namedModules(`${prefix}${n}.`));
    return out;
  }

  /** Sets training mode here and in every sub-module (dropout is active only in training). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.size, 0);
  }

  /** Frees every parameter (and its gradient). */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
  }
}

/** A list of modules registered as "0", "1", ... (nn.ModuleList). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[] = [];
  constructor(items: M[]) {
    super();
    items.forEach((m, i) => {
      this.items.push(this.registerModule(String(i), m));
    });
  }
}
