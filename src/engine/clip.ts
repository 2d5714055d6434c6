// Gradient clipping with PyTorch's exact semantics, the gradient norms for plotting, and the
// non-finite check, all on the GPU without reading anything back inside a training step.
//
//   clipGradValue(params, c)      torch.nn.utils.clip_grad_value_: g ← clamp(g, −c, c)
//   clampGradHook(p, lo, hi)      p.register_hook(lambda g: torch.clamp(g, lo, hi)), lo ≠ −hi allowed
//   clipGradNorm(params, M, p)    torch.nn.utils.clip_grad_norm_ (1.13 and 2.x):
//                                   n_s = ‖g_s‖_p,  total = ‖(n_1, …, n_N)‖_p   (p = ∞: max_s max_i |g_si|)
//                                   g ← g · min(M / (total + 1e-6), 1);  returns total (before clipping)
//   clipGradients(params, rule)   any of the above plus, in one packed f32 tensor read back once
//                                 per step: the loss, a non-finite flag and the index of the
//                                 first parameter whose gradient is non-finite, the total and
//                                 per-parameter norms before and after clipping.
//
// Parameters without a gradient are skipped as PyTorch skips them (their norms read 0).
// On the GPU the gradients are first packed into one buffer (optim/param-pack.ts), so a norm is
// two dispatches (partial sums per piece of a parameter, then one workgroup for the
// per-parameter norms, the total, the flag and the clipping coefficient) and clipping one more; the coefficient is read
// by the scaling kernel from the GPU, never by the host. Kernels: shaders/clip.wgsl.

import code from '../../shaders/clip.wgsl?raw';
import type { Backend } from './backend';
import type { GpuBackend } from './gpu/gpu-backend';
import type { KernelSpec } from './gpu/kernel';
import { uniforms } from './gpu/uniforms';
import { cpuArray, cpuValues, empty, fromData, gpuBuffer } from './storage';
import type { Tensor } from './tensor';
import { contiguousRaw } from './ops/view';
import { packGrads, type GradPack } from './optim/param-pack';

/** A p-norm order: any p > 0, Infinity, or 'inf' (PyTorch accepts the string too). */
export type NormType = number | 'inf';

/** Field indices of the packed stats vector; per-parameter norms follow the header. */
export const STATS = {
  loss: 0,
  /** 1 when the loss or some gradient element is NaN or ±∞ (before clipping), else 0. */
  nonFinite: 1,
  /** Index (in the given parameter list) of the first parameter with a non-finite gradient, −1 if none. */
  firstNonFinite: 2,
  totalPre: 3,
  totalPost: 4,
  /** The factor the gradients were multiplied by: min(max_norm / (total + 1e-6), 1) for norm clipping, else 1. */
  clipCoef: 5,
  normType: 6,
  numParams: 7,
} as const;
export const STATS_HEADER = 8;

/**
 * Length of the stats vector for N parameters: header, N norms before clipping, N after, and N
 * counts of the gradient elements that clipping by value or range clamped (0 for other rules).
 */
export function statsLength(numParams: number): number {
  return STATS_HEADER + 3 * numParams;
}

export type ClipRule =
  | { kind: 'none' }
  /** clip_grad_value_: clamp every gradient element to [−clipValue, clipValue]. */
  | { kind: 'value'; clipValue: number }
  /** clamp to [lo, hi], for the parameters with `only[i]` (default all): the register_hook idiom applied after backward. */
  | { kind: 'range'; lo: number; hi: number; only?: readonly boolean[] }
  /** clip_grad_norm_. */
  | { kind: 'norm'; maxNorm: number; normType?: NormType };

export interface GradStats {
  loss: number;
  nonFinite: boolean;
  /** Index of the first parameter with a non-finite gradient; −1 when only the loss is (or nothing). */
  firstNonFinite: number;
  totalPre: number;
  totalPost: number;
  clipCoef: number;
  normType: number;
  paramPre: Float32Array;
  paramPost: Float32Array;
  /** Per parameter: how many gradient elements clipping by value / range clamped (g < lo or g > hi). */
  paramClamped: Float32Array;
}

export function normTypeValue(normType: NormType): number {
  const p = normType === 'inf' ? Infinity : normType;
  if (!(p > 0)) throw new Error(`norm type must be > 0 or 'inf', got ${normType}`);
  return p;
}

/** Reads a stats vector (after `toFloat32(stats)`). */
export function decodeGradStats(values: ArrayLike<number>, numParams: number): GradStats {
  if (values.length !== statsLength(numParams)) throw new Error(`stats: ${values.length} values for ${numParams} parameters`);
  const pre = Float32Array.from({ length: numParams }, (_, i) => values[STATS_HEADER + i]);
  const post = Float32Array.from({ length: numParams }, (_, i) => values[STATS_HEADER + numParams + i]);
  const clamped = Float32Array.from({ length: numParams }, (_, i) => values[STATS_HEADER + 2 * numParams + i]);
  return {
    loss: values[STATS.loss],
    nonFinite: values[STATS.nonFinite] !== 0,
    firstNonFinite: values[STATS.firstNonFinite],
    totalPre: values[STATS.totalPre],
    totalPost: values[STATS.totalPost],
    clipCoef: values[STATS.clipCoef],
    normType: values[STATS.normType],
    paramPre: pre,
    paramPost: post,
    paramClamped: clamped,
  };
}

/** The non-finite flag of a stats vector as a one-element view, for `optimizer.step({ foundInf })`. */
export function nonFiniteFlag(stats: Tensor): Tensor {
  return stats.view([1], [1], stats.offset + STATS.nonFinite);
}

// ---- CPU reference -------------------------------------------------------------------------

const maxNan = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const clampNan = (x: number, lo: number, hi: number) => (Number.isNaN(x) ? x : Math.min(Math.max(x, lo), hi));

/**
 * ‖x‖_p of one gradient. Each term |x|^p and the result are rounded to float32 (`round` =
 * Math.fround) so that what overflows there (squares beyond 3.4e38) is ∞ here too, as in the
 * kernels and PyTorch; the sum itself runs in float64 (a float32 running sum would be less
 * accurate than the kernels' per-piece sums). No rounding on the float64 reference backend.
 */
function cpuNorm(x: ArrayLike<number>, p: number, round: (v: number) => number): number {
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < x.length; i++) m = maxNan(m, Math.abs(x[i]));
    return m;
  }
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    s += round(p === 1 ? a : p === 2 ? a * a : a ** p);
  }
  return round(p === 1 ? s : p === 2 ? Math.sqrt(s) : s ** (1 / p));
}

/** The norm of the per-parameter norms (clip_grad_norm_'s total). */
function totalOf(norms: readonly number[], p: number, round: (v: number) => number): number {
  if (p === Infinity) return norms.reduce(maxNan, 0);
  return cpuNorm(norms, p, round);
}

const roundFor = (b: Backend) => (b.kind === 'cpu' && b.float64 ? (v: number) => v : Math.fround);

/** A CPU parameter's gradient as a contiguous array (replacing a strided gradient by a copy). */
function cpuGrad(p: Tensor): { a: ReturnType<typeof cpuArray>; off: number; n: number } {
  let g = p.grad!;
  if (!g.isContiguous) {
    const c = contiguousRaw(g);
    g.dispose();
    p.grad = c;
    g = c;
  }
  return { a: cpuArray(g), off: g.offset, n: g.size };
}

function cpuNorms(params: readonly Tensor[], p: number, round: (v: number) => number): number[] {
  return params.map((q) => (q.grad ? cpuNorm(cpuValues(q.grad), p, round) : 0));
}

function cpuScaleAll(params: readonly Tensor[], f: (x: number, i: number) => number): void {
  params.forEach((q, i) => {
    if (!q.grad) return;
    const { a, off, n } = cpuGrad(q);
    for (let k = 0; k < n; k++) a[off + k] = f(a[off + k], i);
  });
}

function cpuCoef(total: number, maxNorm: number): number {
  const raw = maxNorm / (total + 1e-6);
  return Number.isNaN(raw) ? raw : Math.min(raw, 1);
}

// ---- GPU launchers ---------------------------------------------------------------------------

const FIN_HEADER = 1;
const FIN_LOSS = 2;
const FIN_COEF = 4;
const FIN_POST = 8;
const FIN_SAME = 16;
const WG = 256;
/** Workgroup size of the per-piece kernels (partials, clamp_pieces). */
const PIECE_WG = 64;

/** The NORM variant of clip.wgsl for order p, and p's integer exponent when it has one. */
function normKernel(p: number): { norm: number; pInt: number } {
  if (p === Infinity) return { norm: 0, pInt: 0 };
  if (p === 1) return { norm: 1, pInt: 1 };
  if (p === 2) return { norm: 2, pInt: 2 };
  if (Number.isInteger(p) && p <= 32) return { norm: 3, pInt: p };
  return { norm: 4, pInt: 0 };
}

interface ClipUniforms {
  numParams?: number;
  numPieces?: number;
  normBase?: number;
  mode?: number;
  lossOffset?: number;
  n?: number;
  inOffset?: number;
  p?: number;
  maxNorm?: number;
  lo?: number;
  hi?: number;
}

function clipUniforms(v: ClipUniforms) {
  const p = v.p ?? 2;
  const { pInt } = normKernel(p);
  return uniforms()
    .u32(v.numParams ?? 0, v.numPieces ?? 0, v.normBase ?? 0, v.mode ?? 0)
    .u32(v.lossOffset ?? 0, v.n ?? 0, v.inOffset ?? 0, pInt)
    .f32(p, p === Infinity ? 0 : 1 / p, v.maxNorm ?? 0, 0)
    .f32(v.lo ?? 0, v.hi ?? 0, 0, 0);
}

function clipSpec(entryPoint: string, bindings: KernelSpec['bindings'], p?: number): KernelSpec {
  return { name: 'clip', code, entryPoint, constants: p === undefined ? undefined : { NORM: normKernel(p).norm }, bindings };
}

/**
 * Per-parameter p-norms of the packed gradients into stats[normBase + i] and the total into the
 * header (two dispatches); with FIN_HEADER also the loss, the non-finite flag and index, and
 * with FIN_COEF the clipping coefficient.
 */
function measureGpu(pack: GradPack, stats: Tensor, p: number, mode: number, normBase: number, loss: Tensor | null, maxNorm = 0): void {
  const b = pack.backend;
  const table = gpuBuffer(pack.table());
  const partials = empty([Math.max(2, 2 * pack.numPieces)], 'f32', b);
  const common = { numParams: pack.params.length, numPieces: pack.numPieces, p };
  if (pack.numPieces > 0) {
    b.dispatch(clipSpec('partials', ['read', 'read', 'write'], p), [table, gpuBuffer(pack.flat), gpuBuffer(partials)], clipUniforms(common), Math.ceil(pack.numPieces / PIECE_WG));
  }
  b.dispatch(
    clipSpec('finalize', ['read', 'read', 'read', 'write'], p),
    [table, gpuBuffer(partials), loss ? gpuBuffer(loss) : b.dummy, gpuBuffer(stats)],
    clipUniforms({ ...common, normBase: stats.offset + normBase, mode: mode | (loss ? FIN_LOSS : 0), lossOffset: loss ? loss.offset : 0, maxNorm }),
    1,
  );
  partials.dispose();
}

/** g ← g · stats[clipCoef] over every packed gradient. */
function scaleGpu(pack: GradPack, stats: Tensor): void {
  if (pack.total === 0) return;
  if (stats.offset !== 0) throw new Error('scaleGpu: the stats vector must start its buffer');
  pack.backend.dispatch(clipSpec('scale', ['read', 'write']), [gpuBuffer(stats), gpuBuffer(pack.flat)], clipUniforms({ n: pack.total }), Math.ceil(pack.total / WG));
}

/**
 * g ← clamp(g, lo, hi) in place for the parameters with only[i] (default all); with `counts`,
 * the number of elements clamped per parameter goes to stats[countBase + i].
 */
function clampGpu(pack: GradPack, lo: number, hi: number, only?: readonly boolean[], counts?: { stats: Tensor; countBase: number }): void {
  if (pack.numPieces === 0) return;
  const b = pack.backend;
  const table = gpuBuffer(pack.table(only));
  const perPiece = empty([pack.numPieces], 'f32', b);
  const common = { numParams: pack.params.length, numPieces: pack.numPieces, lo, hi };
  b.dispatch(clipSpec('clamp_pieces', ['read', 'write', 'write']), [table, gpuBuffer(pack.flat), gpuBuffer(perPiece)], clipUniforms(common), Math.ceil(pack.numPieces / PIECE_WG));
  if (counts) {
    b.dispatch(
      clipSpec('count_finalize', ['read', 'read', 'write']),
      [table, gpuBuffer(perPiece), gpuBuffer(counts.stats)],
      clipUniforms({ ...common, normBase: counts.stats.offset + counts.countBase }),
      1,
    );
  }
  perPiece.dispose();
}

function gpuOf(params: readonly Tensor[]): GpuBackend | null {
  const withGrad = params.find((p) => p.grad);
  const b = (withGrad ?? params[0])?.backend;
  return b && b.kind === 'webgpu' ? b : null;
}

function backendOf(params: readonly Tensor[], loss?: Tensor | null): Backend | null {
  return params.find((p) => p.grad)?.backend ?? loss?.backend ?? params[0]?.backend ?? null;
}

// ---- public API ------------------------------------------------------------------------------

/** torch.nn.utils.clip_grad_value_: every gradient element clamped to [−clipValue, clipValue], in place. */
export function clipGradValue(params: readonly Tensor[], clipValue: number): void {
  const gpu = gpuOf(params);
  if (gpu) {
    const pack = packGrads(params, gpu);
    clampGpu(pack, -clipValue, clipValue);
    pack.dispose();
    return;
  }
  cpuScaleAll(params, (x) => clampNan(x, -clipValue, clipValue));
}

/**
 * torch.nn.utils.clip_grad_norm_: scales all gradients together so that their total p-norm is
 * at most maxNorm, in place. Returns the total norm before clipping as a 0-d tensor that stays on
 * the GPU (nothing is read back). normType: any p > 0, or Infinity / 'inf'.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, normType: NormType = 2): Tensor {
  const p = normTypeValue(normType);
  const b = backendOf(params);
  if (!b) throw new Error('clipGradNorm: no parameters');
  if (b.kind === 'cpu') {
    const round = roundFor(b);
    const total = totalOf(cpuNorms(params, p, round), p, round);
    const coef = cpuCoef(total, maxNorm);
    cpuScaleAll(params, (x) => x * coef);
    return fromData([total], [], 'f32', b);
  }
  const pack = packGrads(params, b);
  const stats = empty([statsLength(params.length)], 'f32', b);
  measureGpu(pack, stats, p, FIN_HEADER | FIN_COEF, STATS_HEADER, null, maxNorm);
  scaleGpu(pack, stats);
  pack.dispose();
  const total = stats.view([], [], stats.offset + STATS.totalPre);
  stats.dispose();
  return total;
}

/**
 * One step's clipping and measurements: applies `rule` to the gradients of `params` in place and
 * returns the packed stats vector (`statsLength(params.length)` f32 values, fields in STATS):
 * the loss, the non-finite flag and first non-finite parameter (checked before clipping), the
 * total and per-parameter norms before and after clipping, and per parameter the number of
 * gradient elements that clipping by value / range clamped. Norms use the rule's order for norm
 * clipping, else `options.normType` (default 2). Read it back with one `toFloat32` and decode it
 * with `decodeGradStats`; pass `nonFiniteFlag(stats)` to the optimizer to drop a bad step on the GPU.
 * Range hooks (clampGradHook) run inside backward, so their "before" is already clamped.
 * Dispatches on the GPU: 2 (none), 5 (norm), 6 (value, range); plus one buffer copy per gradient
 * when the gradients are not packed yet.
 */
export function clipGradients(params: readonly Tensor[], rule: ClipRule, options: { loss?: Tensor | null; normType?: NormType } = {}): Tensor {
  const loss = options.loss ?? null;
  if (loss && loss.size !== 1) throw new Error(`clipGradients: the loss must have one element, not ${loss.size}`);
  const p = normTypeValue(rule.kind === 'norm' ? (rule.normType ?? 2) : (options.normType ?? 2));
  const maxNorm = rule.kind === 'norm' ? rule.maxNorm : 0;
  const n = params.length;
  const b = backendOf(params, loss);
  if (!b) throw new Error('clipGradients: no parameters and no loss');
  if (b.kind === 'cpu') return clipGradientsCpu(b, params, rule, loss, p, maxNorm);
  const pack = packGrads(params, b);
  const stats = empty([statsLength(n)], 'f32', b);
  const coefMode = rule.kind === 'norm' ? FIN_COEF : 0;
  const sameMode = rule.kind === 'none' ? FIN_SAME : 0;
  measureGpu(pack, stats, p, FIN_HEADER | coefMode | sameMode, STATS_HEADER, loss, maxNorm);
  if (rule.kind !== 'none') {
    if (rule.kind === 'norm') scaleGpu(pack, stats);
    else if (rule.kind === 'value') clampGpu(pack, -rule.clipValue, rule.clipValue, undefined, { stats, countBase: STATS_HEADER + 2 * n });
    else clampGpu(pack, rule.lo, rule.hi, rule.only, { stats, countBase: STATS_HEADER + 2 * n });
    measureGpu(pack, stats, p, FIN_POST, STATS_HEADER + n, null);
  }
  pack.dispose();
  return stats;
}

function clipGradientsCpu(b: Backend, params: readonly Tensor[], rule: ClipRule, loss: Tensor | null, p: number, maxNorm: number): Tensor {
  const n = params.length;
  const round = roundFor(b);
  const out = new Float64Array(statsLength(n));
  const lossValue = loss ? cpuValues(loss)[0] : 0;
  let first = -1;
  params.forEach((q, i) => {
    if (first < 0 && q.grad && cpuValues(q.grad).some((x) => !Number.isFinite(x))) first = i;
  });
  const pre = cpuNorms(params, p, round);
  const totalPre = totalOf(pre, p, round);
  const clamped = new Array<number>(n).fill(0);
  const counting = (lo: number, hi: number) => (x: number, i: number) => {
    if (x < lo || x > hi) clamped[i]++;
    return clampNan(x, lo, hi);
  };
  let coef = 1;
  if (rule.kind === 'norm') {
    coef = cpuCoef(totalPre, maxNorm);
    cpuScaleAll(params, (x) => x * coef);
  } else if (rule.kind === 'value') {
    cpuScaleAll(params, counting(-rule.clipValue, rule.clipValue));
  } else if (rule.kind === 'range') {
    const clamp = counting(rule.lo, rule.hi);
    cpuScaleAll(params, (x, i) => (rule.only && !rule.only[i] ? x : clamp(x, i)));
  }
  const post = rule.kind === 'none' ? pre : cpuNorms(params, p, round);
  out[STATS.loss] = lossValue;
  out[STATS.nonFinite] = first >= 0 || (loss !== null && !Number.isFinite(lossValue)) ? 1 : 0;
  out[STATS.firstNonFinite] = first;
  out[STATS.totalPre] = totalPre;
  out[STATS.totalPost] = totalOf(post, p, round);
  out[STATS.clipCoef] = coef;
  out[STATS.normType] = p;
  out[STATS.numParams] = n;
  out.set(pre, STATS_HEADER);
  out.set(post, STATS_HEADER + n);
  out.set(clamped, STATS_HEADER + 2 * n);
  return fromData(out, [out.length], 'f32', b);
}

/** torch.clamp(g, lo, hi) as a new tensor (NaN stays NaN), for gradient hooks. */
export function clampGradient(g: Tensor, lo: number, hi: number): Tensor {
  const b = g.backend;
  if (b.kind === 'cpu') {
    const v = cpuValues(g);
    const out = empty(g.shape, 'f32', b);
    const o = cpuArray(out);
    for (let i = 0; i < v.length; i++) o[i] = clampNan(v[i], lo, hi);
    return out;
  }
  const x = g.isContiguous ? g : contiguousRaw(g);
  const out = empty(g.shape, 'f32', b);
  if (out.size > 0) {
    b.dispatch(
      clipSpec('clamp_copy', ['read', 'write']),
      [gpuBuffer(x), gpuBuffer(out)],
      clipUniforms({ n: out.size, inOffset: x.offset, lo, hi }),
      Math.ceil(out.size / WG),
    );
  }
  if (x !== g) x.dispose();
  return out;
}

/**
 * p.register_hook(lambda g: torch.clamp(g, lo, hi)): the gradient reaching `param` in every
 * backward is clamped to [lo, hi] before it is accumulated (lo ≠ −hi allowed). Returns the remover.
 */
export function clampGradHook(param: Tensor, lo: number, hi: number): () => void {
  if (!(lo <= hi)) throw new Error(`clampGradHook: need lo ≤ hi, got [${lo}, ${hi}]`);
  return param.registerHook((g) => clampGradient(g, lo, hi));
}

/**
 * clampGradHook on every parameter whose dotted name `select` accepts. Returns one remover for
 * all. (Which names a user's pattern selects is the trainer's business: src/train/param-group-pattern.ts.)
 */
export function clampGradHooks(named: readonly (readonly [string, Tensor])[], select: (name: string) => boolean, lo: number, hi: number): () => void {
  const removers = named.filter(([name]) => select(name)).map(([, p]) => clampGradHook(p, lo, hi));
  return () => {
    for (const r of removers) r();
  };
}
