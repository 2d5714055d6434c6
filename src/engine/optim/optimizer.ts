// The shared machinery of the optimizers (torch.optim.Optimizer's role): the parameter list and
// its groups (PyTorch's param_groups: each group its own lr, weight decay and, for Adam, betas
// and eps), the per-parameter step counts (PyTorch's state['step']), the packed optimizer state,
// the GPU launch of shaders/optim.wgsl and state_dict save/load.
//
// GPU layout (see shaders/optim.wgsl and param-pack.ts): gradients packed in one buffer, all
// state in one buffer, parameters bound five per dispatch. A step over N parameters costs
// ⌈N'/5⌉ dispatches for the N' parameters that have a gradient, plus one buffer copy per
// gradient when they are not packed yet (clipGradients / clipGradNorm pack them already, in
// whatever order they were given: the optimizer reads each gradient at its own offset, so groups
// that reorder the parameters cost no copy).
// Nothing is read back: the learning rate and the step-dependent scalars travel in the uniform
// block, and a non-finite step is dropped on the GPU through `foundInf`.

import code from '../../../shaders/optim.wgsl?raw';
import { zeroGrad } from '../autograd';
import type { Backend } from '../backend';
import type { GpuBackend } from '../gpu/gpu-backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { keep } from '../scope';
import { cpuArray, cpuValues, empty, fromData, gpuBuffer, toArray } from '../storage';
import type { CpuArray, Tensor } from '../tensor';
import { fillInto } from '../ops/elementwise';
import { packGrads } from './param-pack';

/** Parameters to optimize: tensors, or [name, tensor] pairs (Module.namedParameters()) naming the state dict entries. */
export type ParamsInput = readonly Tensor[] | readonly (readonly [string, Tensor])[];

/** A parameter group's own hyperparameters (torch.optim's param_groups keys); unset = the optimizer's. */
export interface ParamGroupOptions {
  lr?: number;
  weightDecay?: number;
  /** Adam and AdamW only. */
  betas?: readonly [number, number];
  /** Adam and AdamW only. */
  eps?: number;
}

/** One entry of PyTorch's params list of dicts: `{ params, lr?, weightDecay?, betas?, eps? }`. */
export interface ParamGroup extends ParamGroupOptions {
  params: ParamsInput;
}

/** What an optimizer takes: one list of parameters, or parameter groups. */
export type OptimizerParams = ParamsInput | readonly ParamGroup[];

/** A group's resolved hyperparameters (PyTorch's param_groups[i] without 'params'); lr may change every step. */
export interface GroupHyper {
  lr: number;
  weightDecay: number;
  betas: readonly [number, number];
  eps: number;
}

const GROUP_KEYS = ['params', 'lr', 'weightDecay', 'betas', 'eps'] as const;

function isGroups(p: OptimizerParams): p is readonly ParamGroup[] {
  const first = p[0] as unknown;
  return p.length > 0 && typeof first === 'object' && first !== null && !Array.isArray(first) && 'params' in first;
}

/** The groups' hyperparameters, checked as torch.optim checks them, with the keys this optimizer knows. */
function resolveGroup(g: ParamGroupOptions, defaults: GroupHyper, known: readonly (keyof ParamGroupOptions)[], at: string): GroupHyper {
  for (const key of Object.keys(g)) {
    if (!(GROUP_KEYS as readonly string[]).includes(key) || (key !== 'params' && !known.includes(key as keyof ParamGroupOptions))) {
      throw new Error(`${at}: '${key}' cannot be set per parameter group here (it takes ${known.join(', ')})`);
    }
  }
  const h: GroupHyper = {
    lr: g.lr ?? defaults.lr,
    weightDecay: g.weightDecay ?? defaults.weightDecay,
    betas: g.betas ?? defaults.betas,
    eps: g.eps ?? defaults.eps,
  };
  if (!(h.lr >= 0 && Number.isFinite(h.lr))) throw new Error(`${at}: invalid learning rate: ${h.lr}`);
  if (!(h.weightDecay >= 0)) throw new Error(`${at}: invalid weight_decay value: ${h.weightDecay}`);
  if (!(h.eps >= 0)) throw new Error(`${at}: invalid epsilon value: ${h.eps}`);
  h.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new Error(`${at}: invalid beta parameter at index ${i}: ${b}`);
  });
  return { ...h, betas: [h.betas[0], h.betas[1]] };
}

export interface OptimizerStepOptions {
  /**
   * A one-element f32 tensor on the GPU (PyTorch's `found_inf`), e.g. `nonFiniteFlag(stats)`
   * from clip.ts: where it is nonzero the step changes no parameter and no state. The host's
   * step counts still advance; call `stepSkipped(id)` once the flag has been read back.
   */
  foundInf?: Tensor | null;
}

/** Parameters bound per dispatch (8 storage buffers: gradients, found_inf, state, 5 parameters). */
export const SLOTS = 5;
const WG = 256;
/**
 * Parameters of at least this many elements get a dispatch of their own (optim.wgsl's SINGLE):
 * measured on SwiftShader, the shared-dispatch form costs ~100 ns per element against ~37, while
 * a dispatch costs ~30 µs, so from a few thousand elements on the extra dispatch pays for itself.
 */
export const SINGLE_MIN = 4096;

/** The override constants that select the update rule in optim.wgsl. */
export interface UpdateKernel {
  algo: 0 | 1 | 2;
  amsgrad?: boolean;
  momentum?: boolean;
  nesterov?: boolean;
}

/** The update of one parameter on the CPU, the float64 twin of the kernel (state slot j of the parameter at state[j·stride + off]). */
export interface CpuUpdate {
  p: CpuArray;
  pOff: number;
  g: ArrayLike<number>;
  state: CpuArray;
  off: number;
  stride: number;
  n: number;
  /** This parameter's step count, already incremented (1 on its first step). */
  t: number;
  /** The hyperparameters of the parameter's group. */
  group: GroupHyper;
}

// Buffers bound to the unused parameter slots of a dispatch: WebGPU forbids binding one buffer
// to two writable bindings of a dispatch, so each empty slot gets its own (never written) buffer.
const slotFillers = new WeakMap<GpuBackend, GPUBuffer[]>();

function fillers(b: GpuBackend): GPUBuffer[] {
  let f = slotFillers.get(b);
  if (!f) {
    f = Array.from({ length: SLOTS }, () => b.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }));
    slotFillers.set(b, f);
  }
  return f;
}

/** Groups of at most SLOTS parameters, no two of which share a buffer (for the same reason). */
function slotGroups(indices: readonly number[], bufferOf: (i: number) => GPUBuffer): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let used = new Set<GPUBuffer>();
  for (const i of indices) {
    const buf = bufferOf(i);
    if (group.length === SLOTS || used.has(buf)) {
      groups.push(group);
      group = [];
      used = new Set();
    }
    group.push(i);
    used.add(buf);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function isNamed(p: ParamsInput): p is readonly (readonly [string, Tensor])[] {
  return p.length > 0 && Array.isArray(p[0]);
}

export abstract class Optimizer {
  /** The parameter groups' hyperparameters, in the order given (one group for a plain list); mutable, as in PyTorch. */
  readonly paramGroups: GroupHyper[];
  /** groupOf[i]: the group of parameter i. */
  readonly groupOf: readonly number[];
  readonly params: readonly Tensor[];
  /** State-dict names: the given names, else the index as a string (PyTorch's state keys). */
  readonly names: readonly string[];
  /** Per-parameter step count: steps taken with a gradient (PyTorch's state[p]['step']). */
  readonly steps: number[];
  /** State slot names, in their order in the packed state (PyTorch's state keys). */
  readonly stateNames: readonly string[];
  readonly backend: Backend;
  /** offsets[i]: where parameter i's state starts within one state slot. */
  protected readonly offsets: number[];
  /** Elements of all parameters together (the stride between state slots). */
  protected readonly numel: number;
  /** Packed state [stateNames.length · numel] (a 1-element placeholder when stateless). */
  protected state: Tensor;
  private serial = 0;
  private readonly history = new Map<number, number[]>();

  /**
   * `defaults` fill what a group leaves unset; `groupKeys` are the keys a group may set (the rest
   * are refused, where PyTorch would keep them and ignore them).
   */
  protected constructor(params: OptimizerParams, defaults: GroupHyper, stateNames: readonly string[], groupKeys: readonly (keyof ParamGroupOptions)[]) {
    const groups: readonly ParamGroup[] = isGroups(params) ? params : [{ params: params as ParamsInput }];
    if (params.length === 0) throw new Error('optimizer got an empty parameter list');
    const named: (readonly [string, Tensor])[] = [];
    const groupOf: number[] = [];
    this.paramGroups = groups.map((g, gi) => {
      const at = isGroups(params) ? `parameter group ${gi}` : 'optimizer';
      if (!g.params || typeof g.params.length !== 'number') throw new Error(`${at}: 'params' must be a list of parameters`);
      if (g.params.length === 0) throw new Error(`${at}: an empty parameter list`);
      const list = isNamed(g.params) ? g.params : (g.params as readonly Tensor[]).map((p, i) => [String(named.length + i), p] as const);
      for (const entry of list) {
        named.push(entry);
        groupOf.push(gi);
      }
      return resolveGroup(g, defaults, groupKeys, at);
    });
    this.groupOf = groupOf;
    this.params = named.map(([, p]) => p);
    this.names = named.map(([n]) => n);
    if (new Set(this.params).size !== this.params.length) throw new Error('some parameters appear more than once in the optimizer');
    if (new Set(this.names).size !== this.names.length) throw new Error('parameter names must be unique');
    this.backend = this.params[0].backend;
    for (const p of this.params) {
      if (p.backend !== this.backend) throw new Error(`${p} is on another backend than the first parameter`);
      if (typeof p !== 'object' || p === null || !('dtype' in p)) throw new Error(`not a parameter tensor: ${String(p)} (a group is { params: [...] })`);
      if (p.dtype !== 'f32') throw new Error(`${p}: only f32 parameters can be optimized`);
      if (!p.isContiguous) throw new Error(`${p}: parameters must be contiguous`);
    }
    this.stateNames = stateNames;
    this.steps = this.params.map(() => 0);
    this.offsets = [];
    let n = 0;
    for (const p of this.params) {
      this.offsets.push(n);
      n += p.size;
    }
    this.numel = n;
    this.state = this.zeroState();
  }

  /** The first group's learning rate (the only one without groups). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  /**
   * Sets every group's learning rate (`for g in opt.param_groups: g['lr'] = lr`), for schedules;
   * changeable every step: it is a uniform, nothing recompiles. Set `paramGroups[i].lr` for one.
   */
  set lr(lr: number) {
    for (const g of this.paramGroups) g.lr = lr;
  }

  private zeroState(): Tensor {
    const t = keep(empty([Math.max(1, this.stateNames.length * this.numel)], 'f32', this.backend));
    fillInto(t, 0);
    return t;
  }

  protected abstract kernel(): UpdateKernel;
  /** h0, h1 of the uniform block for a group (see optim.wgsl). */
  protected abstract hyper(g: GroupHyper): { h0: [number, number, number, number]; h1: [number, number, number, number] };
  /** The per-slot scalars for a parameter of group g at step t. */
  protected abstract slotScalars(t: number, g: GroupHyper): [number, number, number, number];
  protected abstract cpuUpdate(u: CpuUpdate): void;

  /**
   * One optimization step over the parameters that have a gradient (PyTorch skips the others:
   * no update, no state, no step count). Returns an id for `stepSkipped`.
   */
  step(options: OptimizerStepOptions = {}): number {
    const present: number[] = [];
    this.params.forEach((p, i) => {
      if (p.grad) present.push(i);
    });
    const id = ++this.serial;
    for (const i of present) this.steps[i]++;
    this.history.set(id, present);
    if (this.history.size > 64) this.history.delete(this.history.keys().next().value as number);
    if (present.length === 0) return id;
    const b = this.backend;
    if (b.kind === 'cpu') this.stepCpu(present, options.foundInf ?? null);
    else this.stepGpu(b, present, options.foundInf ?? null);
    return id;
  }

  /**
   * Tells the optimizer that step `id` was dropped on the GPU (its foundInf flag was set):
   * its parameters' step counts go back by one, as if PyTorch had skipped `optimizer.step()`.
   * Steps encoded between that step and this call used counts one too high for their bias
   * corrections; exact when the caller reads each step's flag before encoding the next.
   */
  stepSkipped(id: number): void {
    const present = this.history.get(id);
    if (!present) return;
    this.history.delete(id);
    for (const i of present) this.steps[i] = Math.max(0, this.steps[i] - 1);
  }

  private stepCpu(present: number[], foundInf: Tensor | null): void {
    if (foundInf && cpuValues(foundInf)[0] !== 0) return;
    const state = cpuArray(this.state);
    for (const i of present) {
      const p = this.params[i];
      this.cpuUpdate({
        p: cpuArray(p),
        pOff: p.offset,
        g: cpuValues(p.grad!),
        state,
        off: this.offsets[i],
        stride: this.numel,
        n: p.size,
        t: this.steps[i],
        group: this.paramGroups[this.groupOf[i]],
      });
    }
  }

  private stepGpu(b: GpuBackend, present: number[], foundInf: Tensor | null): void {
    // Gradients already in one buffer (packed by the clipping, in any order) are read in place.
    const firstGrad = gpuBuffer(this.params[present[0]].grad!);
    const inPlace = present.every((i) => this.params[i].grad!.isContiguous && gpuBuffer(this.params[i].grad!) === firstGrad);
    const pack = inPlace ? null : packGrads(this.params, b);
    const gradOffset = (i: number) => (pack ? pack.offsets[i] : this.params[i].grad!.offset);
    const k = this.kernel();
    const spec = (single: boolean): KernelSpec => ({
      name: 'optim',
      code,
      constants: { ALGO: k.algo, AMSGRAD: k.amsgrad ? 1 : 0, MOMENTUM: k.momentum ? 1 : 0, NESTEROV: k.nesterov ? 1 : 0, SINGLE: single ? 1 : 0 },
      bindings: ['read', 'read', 'write', 'write', 'write', 'write', 'write', 'write'],
    });
    if (foundInf && (foundInf.size !== 1 || foundInf.backend !== b)) throw new Error('foundInf must be a one-element tensor on the GPU');
    const grads = pack ? gpuBuffer(pack.flat) : firstGrad;
    const flag = foundInf ? gpuBuffer(foundInf) : b.dummy;
    const state = gpuBuffer(this.state);
    const spare = fillers(b);
    // One set of dispatches per parameter group: h0/h1 (and the step sizes) are the group's.
    const batches = this.paramGroups.flatMap((hyper, gi) => {
      const present1 = present.filter((i) => this.groupOf[i] === gi && this.params[i].size > 0);
      const large = present1.filter((i) => this.params[i].size >= SINGLE_MIN);
      const small = present1.filter((i) => this.params[i].size < SINGLE_MIN);
      return [
        ...large.map((i) => ({ group: [i], single: true, hyper })),
        ...slotGroups(small, (i) => gpuBuffer(this.params[i])).map((group) => ({ group, single: false, hyper })),
      ];
    });
    for (const { group, single, hyper } of batches) {
      const { h0, h1 } = this.hyper(hyper);
      const u = uniforms();
      const starts = [0];
      for (const i of group) {
        const p = this.params[i];
        u.vec4u(gradOffset(i), this.offsets[i], p.offset, p.size);
        starts.push(starts[starts.length - 1] + Math.ceil(p.size / WG));
      }
      for (let j = group.length; j < SLOTS; j++) u.vec4u(0, 0, 0, 0);
      u.vec4u(...starts.slice(0, 4)).vec4u(...starts.slice(4));
      for (const i of group) u.f32(...this.slotScalars(this.steps[i], hyper));
      for (let j = group.length; j < SLOTS; j++) u.f32(0, 0, 0, 0);
      u.f32(...h0).f32(...h1);
      u.vec4u(group.length, this.numel, foundInf ? foundInf.offset : 0, foundInf ? 1 : 0);
      const ws = group.map((i) => gpuBuffer(this.params[i]));
      while (ws.length < SLOTS) ws.push(spare[ws.length]);
      b.dispatch(spec(single), [grads, flag, state, ...ws], u, starts[group.length]);
    }
    pack?.dispose();
  }

  /** Sets every parameter's gradient to none (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    zeroGrad(this.params);
  }

  /**
   * The optimizer state by name: `${param}.${slot}` (e.g. "fc1.weight.exp_avg") and
   * `${param}.step`, for parameters that have taken a step (PyTorch keeps no state for the others).
   * Reads the GPU state back (one readback).
   */
  async stateDict(): Promise<Record<string, Float32Array>> {
    const all = await toArray(this.state);
    const out: Record<string, Float32Array> = {};
    this.params.forEach((p, i) => {
      if (this.steps[i] === 0) return;
      const name = this.names[i];
      out[`${name}.step`] = Float32Array.of(this.steps[i]);
      this.stateNames.forEach((s, j) => {
        const at = j * this.numel + this.offsets[i];
        out[`${name}.${s}`] = Float32Array.from(all.subarray(at, at + p.size));
      });
    });
    return out;
  }

  /** Restores a `stateDict()`: parameters missing from it start afresh (zero state, step 0). */
  loadStateDict(dict: Readonly<Record<string, ArrayLike<number>>>): void {
    const known = new Set<string>();
    const data = new Float32Array(Math.max(1, this.stateNames.length * this.numel));
    const steps = this.params.map(() => 0);
    this.params.forEach((p, i) => {
      const name = this.names[i];
      const step = dict[`${name}.step`];
      if (!step) return;
      known.add(`${name}.step`);
      if (step.length !== 1 || !Number.isInteger(step[0]) || step[0] < 0) throw new Error(`${name}.step: expected one whole number ≥ 0`);
      steps[i] = step[0];
      this.stateNames.forEach((s, j) => {
        const key = `${name}.${s}`;
        const v = dict[key];
        if (!v) throw new Error(`optimizer state for '${name}' has a step but no '${s}'`);
        if (v.length !== p.size) throw new Error(`${key}: ${v.length} values for a parameter of ${p.size}`);
        known.add(key);
        data.set(Array.from(v), j * this.numel + this.offsets[i]);
      });
    });
    const unknown = Object.keys(dict).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new Error(`unexpected optimizer state entries: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
    const next = keep(fromData(data, [data.length], 'f32', this.backend));
    this.state.dispose();
    this.state = next;
    steps.forEach((s, i) => (this.steps[i] = s));
  }

  /** Frees the optimizer state. */
  dispose(): void {
    this.state.dispose();
  }
}
