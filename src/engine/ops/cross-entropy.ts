// Cross-entropy between logits and class indices, F.cross_entropy(logits, targets, ignore_index,
// label_smoothing, reduction), fused: log-softmax and the gather of the target's log-probability
// in one kernel (shaders/cross_entropy.wgsl), so the [N, C] log-probabilities are never stored.
//
// PyTorch's definitions (1.13, loss.cpp / LossNLL.cpp), with −log p_c = lse(x) − x_c and class
// weights w (all 1 when none are given), W = Σ_c w_c:
//   loss_n = (1 − ε)·w_{t_n}·(−log p_{t_n}) + (ε/C)·Σ_c w_c·(−log p_c)   for t_n ≠ ignore_index, else 0
//   mean:  Σ_n loss_n / Σ_{n : t_n ≠ ignore_index} w_{t_n};   sum: Σ_n loss_n;   none: loss_n per position
//   ∂loss_n/∂x_c = (1 − ε)·w_{t_n}·(p_c − [c = t_n]) + (ε/C)·(W·p_c − w_c)
//
// The class axis: `classDim` when given; otherwise the last axis, or PyTorch's axis 1 when only
// that layout fits the targets ([B, C, T] logits with [B, T] targets). Shapes that fit both
// (C = T in [B, C, T]) are refused: they give different losses, and only the caller knows which.
// Probability (soft) targets are refused: targets are class indices.
//
// Differences from PyTorch, on purpose:
// - mean over a batch whose targets are all ignore_index (or whose target weights sum to 0) gives
//   0 with a zero gradient, where PyTorch gives NaN (0/0): a padding-only batch must not put NaN
//   into the trainer's loss curve or its parameters. The count is computed on the device, so
//   matching NaN would cost nothing; we choose 0.
// - A target outside [0, C) (other than ignore_index) throws on the CPU, as in PyTorch; the GPU
//   cannot raise, so there the row counts as ignored.

import code from '../../../shaders/cross_entropy.wgsl?raw';
import { record1 } from '../autograd';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { sameShape, shapeStr } from '../shape';
import { cpuArray, cpuValues, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw, permute } from './view';

const WORKGROUP = 64;

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing and are not counted by mean (PyTorch: -100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target distribution is (1 − ε)·one-hot + ε/C (PyTorch: 0). */
  labelSmoothing?: number;
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Per-class weights, f32 [C] (PyTorch's weight): a weighted sum, and a weighted mean. */
  weight?: Tensor | null;
  /** The class axis of the logits (PyTorch: 1). Default: see the header. */
  classDim?: number;
}

const MODE: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

type Entry = 'ce_forward' | 'ce_reduce' | 'ce_backward';
const BINDINGS: Record<Entry, ('read' | 'write')[]> = {
  ce_forward: ['read', 'read', 'write', 'write', 'read'],
  ce_reduce: ['read', 'read', 'write'],
  ce_backward: ['read', 'read', 'read', 'read', 'read', 'write', 'read'],
};

function spec(entryPoint: Entry): KernelSpec {
  return { name: 'cross_entropy', code, entryPoint, bindings: BINDINGS[entryPoint] };
}

interface Resolved {
  N: number;
  C: number;
  ignoreIndex: number;
  eps: number;
  reduction: Reduction;
  /** Contiguous class weights [C] (a copy the op owns), or null. */
  weight: Tensor | null;
}

const without = (shape: readonly number[], axis: number) => shape.filter((_, i) => i !== axis);

/** The class axis of `logits` for `targets` (see the header), or a one-line refusal. */
function classAxis(logits: Tensor, targets: Tensor, classDim: number | undefined): number {
  const last = logits.rank - 1;
  if (classDim !== undefined) {
    if (!Number.isInteger(classDim) || classDim < -logits.rank || classDim > last) {
      throw new Error(`crossEntropy: classDim ${classDim} is out of range for logits ${shapeStr(logits.shape)}`);
    }
    const d = classDim < 0 ? classDim + logits.rank : classDim;
    if (!sameShape(targets.shape, without(logits.shape, d))) {
      throw new Error(`crossEntropy: targets ${shapeStr(targets.shape)} must be logits ${shapeStr(logits.shape)} without the class axis ${d}`);
    }
    return d;
  }
  const lastFits = sameShape(targets.shape, without(logits.shape, last));
  const torchFits = logits.rank >= 3 && sameShape(targets.shape, without(logits.shape, 1));
  if (lastFits && torchFits) {
    throw new Error(`crossEntropy: logits ${shapeStr(logits.shape)} with targets ${shapeStr(targets.shape)} fit classes on axis 1 (PyTorch's [B, C, T]) and on the last axis: pass classDim`);
  }
  if (lastFits) return last;
  if (torchFits) return 1;
  throw new Error(`crossEntropy: targets ${shapeStr(targets.shape)} must be logits ${shapeStr(logits.shape)} without the class axis (the last, or PyTorch's axis 1)`);
}

function checkDtypes(logits: Tensor, targets: Tensor): void {
  if (logits.dtype !== 'f32' || logits.rank < 1) throw new Error(`crossEntropy: logits must be f32 [..., C], got ${logits.dtype} ${shapeStr(logits.shape)}`);
  if (targets.dtype !== 'i32') {
    throw new Error(`crossEntropy: targets must be an i32 tensor of class indices (probability targets are not supported), got ${targets.dtype}`);
  }
}

function resolve(logits: Tensor, targets: Tensor, options: CrossEntropyOptions): Resolved {
  checkDtypes(logits, targets);
  if (!sameShape(targets.shape, logits.shape.slice(0, -1))) {
    throw new Error(`crossEntropy: targets ${shapeStr(targets.shape)} must be logits ${shapeStr(logits.shape)} without the class axis (classes are last)`);
  }
  if (targets.backend !== logits.backend) throw new Error('crossEntropy: logits and targets are on different backends');
  if (targets.backend.kind !== 'cpu' && !targets.isContiguous) throw new Error('crossEntropy: targets on the GPU must be contiguous');
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const C = logits.shape[logits.rank - 1];
  const w = options.weight ?? null;
  if (w && (w.dtype !== 'f32' || w.rank !== 1 || w.shape[0] !== C)) {
    throw new Error(`crossEntropy: weight must be an f32 tensor of shape [${C}] (one per class), got ${w.dtype} ${shapeStr(w.shape)}`);
  }
  if (w && w.backend !== logits.backend) throw new Error('crossEntropy: weight and logits are on different backends');
  return { N: targets.size, C, ignoreIndex: options.ignoreIndex ?? -100, eps, reduction: options.reduction ?? 'mean', weight: w ? contiguousRaw(w) : null };
}

function params(r: Resolved, offL: number, offT: number, offG: number) {
  return uniforms()
    .u32(r.N, r.C, offL, offT)
    .u32(offG).i32(r.ignoreIndex).u32(MODE[r.reduction]).f32(r.eps)
    .u32(r.weight ? r.weight.offset : 0, r.weight ? 1 : 0, 0x7fc00000, 0); // a quiet NaN's bits
}

interface Forward {
  /** The loss: targets' shape for 'none', a scalar otherwise. */
  loss: Tensor;
  /** [N, 4]: per row m = max x, log Σ exp(x − m), w_t (its weight in the mean, 0 when not counted), W = Σ_c w_c. */
  stats: Tensor;
  /** [2]: reduced loss and the factor 1/#counted (mean) or 1 (sum); null for 'none'. */
  red: Tensor | null;
}

function forwardRaw(logits: Tensor, targets: Tensor, r: Resolved): Forward {
  const { N, C, ignoreIndex, eps } = r;
  const backend = logits.backend;
  const rowLoss = empty([N], 'f32', backend);
  const stats = empty([N, 4], 'f32', backend);
  const red = r.reduction === 'none' ? null : empty([2], 'f32', backend);
  const L = contiguousRaw(logits);
  if (backend.kind === 'cpu') {
    const X = cpuArray(L);
    const T = cpuValues(targets);
    const [Lo, S] = [cpuArray(rowLoss), cpuArray(stats)];
    const W = r.weight ? cpuArray(r.weight) : null;
    const wAt = (c: number) => (W ? W[r.weight!.offset + c] : 1);
    for (let n = 0; n < N; n++) {
      const t = T[n];
      if (t === ignoreIndex) {
        Lo[n] = S[4 * n] = S[4 * n + 1] = S[4 * n + 2] = S[4 * n + 3] = 0;
        continue;
      }
      if (!(t >= 0 && t < C)) throw new Error(`crossEntropy: target ${t} at position ${n} is out of range for ${C} classes`);
      const base = L.offset + n * C;
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, X[base + c]);
      let s = 0;
      let gap = 0;
      let sumW = 0;
      for (let c = 0; c < C; c++) {
        s += Math.exp(X[base + c] - m);
        gap += wAt(c) * (m - X[base + c]);
        sumW += wAt(c);
      }
      const logS = Math.log(s);
      const nll = wAt(t) * (m - X[base + t] + logS);
      Lo[n] = eps === 0 ? nll : (1 - eps) * nll + (eps * (gap + sumW * logS)) / C;
      S[4 * n] = m;
      S[4 * n + 1] = logS;
      S[4 * n + 2] = wAt(t);
      S[4 * n + 3] = sumW;
    }
    if (red) {
      const R = cpuArray(red);
      let total = 0;
      let count = 0;
      for (let n = 0; n < N; n++) {
        total += Lo[n];
        count += S[4 * n + 2];
      }
      if (r.reduction === 'sum') [R[0], R[1]] = [total, 1];
      else [R[0], R[1]] = count > 0 ? [total / count, 1 / count] : [0, 0];
    }
  } else if (N > 0) {
    const w = r.weight ? gpuBuffer(r.weight) : backend.dummy;
    backend.dispatch(spec('ce_forward'), [gpuBuffer(L), gpuBuffer(targets), gpuBuffer(rowLoss), gpuBuffer(stats), w], params(r, L.offset, targets.offset, 0), Math.ceil(N / WORKGROUP));
  }
  if (red && backend.kind !== 'cpu') {
    backend.dispatch(spec('ce_reduce'), [gpuBuffer(rowLoss), gpuBuffer(stats), gpuBuffer(red)], params(r, 0, 0, 0), 1);
  }
  L.dispose();
  let loss: Tensor;
  if (red) {
    loss = red.view([], [], red.offset);
    rowLoss.dispose();
  } else {
    loss = rowLoss.view(targets.shape, contiguousStrides(targets.shape), 0);
    rowLoss.dispose();
  }
  return { loss, stats, red };
}

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function backwardRaw(logits: Tensor, targets: Tensor, r: Resolved, f: Forward, g: Tensor): Tensor {
  const { N, C, eps } = r;
  const backend = logits.backend;
  const dx = empty(logits.shape, 'f32', backend);
  if (dx.size === 0) return dx;
  const L = contiguousRaw(logits);
  const G = contiguousRaw(g);
  if (backend.kind === 'cpu') {
    const [X, S, Gv, D] = [cpuArray(L), cpuArray(f.stats), cpuArray(G), cpuArray(dx)];
    const T = cpuValues(targets);
    const W = r.weight ? cpuArray(r.weight) : null;
    const wAt = (c: number) => (W ? W[r.weight!.offset + c] : 1);
    const factor = f.red ? Gv[G.offset] * cpuArray(f.red)[f.red.offset + 1] : 0;
    for (let n = 0; n < N; n++) {
      const counted = T[n] !== r.ignoreIndex;
      const fn = f.red ? factor : Gv[G.offset + n];
      const [wt, sumW] = [S[4 * n + 2], S[4 * n + 3]];
      for (let c = 0; c < C; c++) {
        const e = n * C + c;
        if (!counted) {
          D[e] = 0;
          continue;
        }
        const p = Math.exp(X[L.offset + e] - S[4 * n] - S[4 * n + 1]);
        D[e] = fn * ((1 - eps) * wt * (p - (c === T[n] ? 1 : 0)) + (eps / C) * (sumW * p - wAt(c)));
      }
    }
  } else {
    backend.dispatch(
      spec('ce_backward'),
      [gpuBuffer(L), gpuBuffer(targets), gpuBuffer(f.stats), f.red ? gpuBuffer(f.red) : backend.dummy, gpuBuffer(G), gpuBuffer(dx),
        r.weight ? gpuBuffer(r.weight) : backend.dummy],
      params(r, L.offset, targets.offset, G.offset),
      Math.ceil((N * C) / WORKGROUP),
    );
  }
  L.dispose();
  G.dispose();
  return dx;
}

/**
 * F.cross_entropy with class indices: logits [..., C] (or PyTorch's [B, C, ...], see the header),
 * targets i32 [...], optional class weights. Returns a scalar for 'mean' / 'sum', the per-position
 * losses (targets' shape) for 'none'. The weights get no gradient (PyTorch's neither).
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkDtypes(logits, targets);
  const d = classAxis(logits, targets, options.classDim);
  if (d !== logits.rank - 1) {
    // Move the classes last (a strided view; the kernels copy it): targets keep their layout.
    const perm = [...without([...logits.shape.keys()], d), d];
    return crossEntropy(permute(logits, perm), targets, { ...options, classDim: -1 });
  }
  const r = resolve(logits, targets, options);
  const f = forwardRaw(logits, targets, r);
  const out = record1(f.loss, [logits], (g) => [backwardRaw(logits, targets, r, f, g)], 'crossEntropy');
  if (!out.gradFn) {
    f.stats.dispose();
    f.red?.dispose();
    r.weight?.dispose();
  }
  return out;
}
