// Hard attention: attention weights restricted to a few keys per query, then renormalised. A
// deterministic relative of the stochastic hard attention of Xu et al. 2015 ("Show, Attend and
// Tell"), in the top-k / thresholded form used by sparse attention variants.
//
// Given P [..., Tk] (rows of attention weights, after the softmax) and a rule, M is a 0/1 mask:
//   top-k:       M_ij = 1 iff rank_ij < k, rank_ij = #{l : P_il > P_ij, or P_il = P_ij and l < j}
//                — keep the k largest of each row, ties broken in favour of the lower key index;
//   threshold τ: M_ij = 1 iff P_ij ≥ τ; if no entry of the row reaches τ, M keeps only the row's
//                first argmax, so a row is never empty.
//   W̃ = P ⊙ M / Σ_j (P ⊙ M)   (row-wise; a row whose kept weights sum to 0 — a fully masked query —
//                              stays all zeros).
// The gradient treats M as a constant (straight-through for the selection): on kept entries it is
// the derivative of the renormalisation, ∂loss/∂P_il = (G_il − Σ_j G_ij W̃_ij) / Z_i, and zero on
// dropped entries. Kernel: shaders/hard_attention.wgsl.
//
// `attentionWithWeights` is the attention that materialises its weights — scores = Q Kᵀ,
// P = masked softmax(scale · scores), W̃ = hard(P), out = W̃ V — the path used when hard attention is
// selected (the fused kernel of ./attention covers soft attention).

import code from '../../../shaders/hard_attention.wgsl?raw';
import { record1 } from '../autograd';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { CpuArray, Tensor } from '../tensor';
import { attentionSoftmax, type AttentionMaskOptions } from './attention';
import { matmul } from './matmul';
import { contiguousRaw, transpose } from './view';

export type HardAttentionRule = { kind: 'topk'; k: number } | { kind: 'threshold'; tau: number };

const WORKGROUP = 64;

function kernel(entryPoint: 'hard_forward' | 'hard_backward', bindings: number): KernelSpec {
  return {
    name: 'hard_attention',
    code,
    entryPoint,
    bindings: [...Array<'read'>(bindings - 1).fill('read'), 'write'],
  };
}

function checkRule(rule: HardAttentionRule): void {
  if (rule.kind === 'topk') {
    if (!Number.isInteger(rule.k) || rule.k < 1) throw new Error(`hardAttention: top-k needs an integer k ≥ 1, got ${rule.k}`);
  } else if (rule.kind === 'threshold') {
    if (!(rule.tau > 0 && rule.tau <= 1)) throw new Error(`hardAttention: the threshold τ must be in (0, 1], got ${rule.tau}`);
  } else {
    throw new Error(`hardAttention: unknown rule ${(rule as { kind: string }).kind}`);
  }
}

/** The kept-entry mask of one row (CPU), exactly the kernel's rule. */
function rowMask(P: CpuArray, base: number, Tk: number, rule: HardAttentionRule, out: Uint8Array): void {
  if (rule.kind === 'topk') {
    for (let j = 0; j < Tk; j++) {
      const p = P[base + j];
      let rank = 0;
      for (let l = 0; l < Tk; l++) {
        const q = P[base + l];
        if (q > p || (q === p && l < j)) rank++;
      }
      out[j] = rank < rule.k ? 1 : 0;
    }
    return;
  }
  // The threshold as the kernel sees it (f32).
  const tau = Math.fround(rule.tau);
  let best = 0;
  let any = false;
  for (let j = 0; j < Tk; j++) {
    out[j] = P[base + j] >= tau ? 1 : 0;
    if (out[j]) any = true;
    if (P[base + j] > P[base + best]) best = j;
  }
  if (!any && Tk > 0) out[best] = 1;
}

function uniformsFor(rows: number, Tk: number, rule: HardAttentionRule, offP: number, offW: number, offG: number, offDP: number) {
  return uniforms()
    .u32(rows, Tk, rule.kind === 'topk' ? 0 : 1, rule.kind === 'topk' ? rule.k : 0)
    .f32(rule.kind === 'threshold' ? rule.tau : 0)
    .u32(offP, offW, offG, offDP, 0, 0, 0);
}

/** W̃ = P ⊙ M / Σ(P ⊙ M) row-wise, without autograd. */
export function hardAttentionRaw(p: Tensor, rule: HardAttentionRule): Tensor {
  checkRule(rule);
  if (p.dtype !== 'f32' || p.rank < 1) throw new Error(`hardAttention: f32 weights [..., Tk] expected, got ${p.dtype} ${shapeStr(p.shape)}`);
  const Tk = p.shape[p.rank - 1];
  const rows = Tk === 0 ? 0 : p.size / Tk;
  const pc = contiguousRaw(p);
  const w = empty(p.shape, 'f32', p.backend);
  if (p.backend.kind === 'cpu') {
    const P = cpuArray(pc);
    const W = cpuArray(w);
    const m = new Uint8Array(Tk);
    for (let r = 0; r < rows; r++) {
      const base = pc.offset + r * Tk;
      rowMask(P, base, Tk, rule, m);
      let z = 0;
      for (let j = 0; j < Tk; j++) z += m[j] ? P[base + j] : 0;
      for (let j = 0; j < Tk; j++) W[r * Tk + j] = m[j] && z !== 0 ? P[base + j] / z : 0;
    }
  } else {
    p.backend.dispatch(kernel('hard_forward', 2), [gpuBuffer(pc), gpuBuffer(w)], uniformsFor(rows, Tk, rule, pc.offset, w.offset, 0, 0), Math.ceil(rows / WORKGROUP));
  }
  pc.dispose();
  return w;
}

/** ∂loss/∂P = M ⊙ (G − Σ_j G_j W̃_j) / Z row-wise, M recomputed from P. */
function hardAttentionBackwardRaw(p: Tensor, w: Tensor, g: Tensor, rule: HardAttentionRule): Tensor {
  const Tk = p.shape[p.rank - 1];
  const rows = Tk === 0 ? 0 : p.size / Tk;
  const pc = contiguousRaw(p);
  const gc = contiguousRaw(g);
  const dp = empty(p.shape, 'f32', p.backend);
  if (p.backend.kind === 'cpu') {
    const [P, W, G, D] = [cpuArray(pc), cpuArray(w), cpuArray(gc), cpuArray(dp)];
    const m = new Uint8Array(Tk);
    for (let r = 0; r < rows; r++) {
      const base = pc.offset + r * Tk;
      rowMask(P, base, Tk, rule, m);
      let z = 0;
      let gw = 0;
      for (let j = 0; j < Tk; j++) {
        if (m[j]) z += P[base + j];
        gw += G[gc.offset + r * Tk + j] * W[w.offset + r * Tk + j];
      }
      for (let j = 0; j < Tk; j++) D[r * Tk + j] = m[j] && z !== 0 ? (G[gc.offset + r * Tk + j] - gw) / z : 0;
    }
  } else {
    p.backend.dispatch(
      kernel('hard_backward', 4),
      [gpuBuffer(pc), gpuBuffer(w), gpuBuffer(gc), gpuBuffer(dp)],
      uniformsFor(rows, Tk, rule, pc.offset, w.offset, gc.offset, dp.offset),
      Math.ceil(rows / WORKGROUP),
    );
  }
  pc.dispose();
  gc.dispose();
  return dp;
}

/** Hard attention over the last dim of weights P [..., Tk]; autograd to P (M held fixed). */
export function hardAttention(p: Tensor, rule: HardAttentionRule): Tensor {
  const w = hardAttentionRaw(p, rule);
  return record1(w, [p], (g) => [hardAttentionBackwardRaw(p, w, g, rule)], 'hardAttention');
}

export interface WeightsAttentionOptions extends AttentionMaskOptions {
  /** Multiplies Q Kᵀ; default 1/√d. */
  scale?: number;
  /** Keep only some weights per query (null or absent: soft attention). */
  hard?: HardAttentionRule | null;
}

/**
 * Attention through explicit weights, with autograd to q, k, v:
 *   W = hard(softmax(scale · Q Kᵀ, masked)),  out = W V.
 * q [B, H, Tq, d], k [B, H, Tk, d], v [B, H, Tk, dv] → out [B, H, Tq, dv], weights W [B, H, Tq, Tk]
 * (differentiable; the ones the output was computed with). Masks as in scaledDotProductAttention.
 */
export function attentionWithWeights(q: Tensor, k: Tensor, v: Tensor, opts: WeightsAttentionOptions = {}): { out: Tensor; weights: Tensor } {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw new Error(`attentionWithWeights: q, k, v must have rank 4, got ${shapeStr(q.shape)}, ${shapeStr(k.shape)}, ${shapeStr(v.shape)}`);
  }
  // Kᵀ is a view (matmul reads strided operands); it and the scores are saved by the backward.
  const scores = matmul(q, transpose(k, -2, -1));
  const soft = attentionSoftmax(scores, {
    keyPaddingMask: opts.keyPaddingMask,
    causal: opts.causal,
    scale: opts.scale ?? 1 / Math.sqrt(q.shape[3]),
  });
  const weights = opts.hard ? hardAttention(soft, opts.hard) : soft;
  return { out: matmul(weights, v), weights };
}
