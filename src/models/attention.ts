// Attention modules.
//
// MultiheadAttention — PyTorch's nn.MultiheadAttention (batch_first=True), same parameter names,
// shapes and initialisation, so weights move between the two unchanged:
//   [Q | K | V] = [query Wqᵀ + bq | key Wkᵀ + bk | value Wvᵀ + bv],  in_proj_weight = [Wq; Wk; Wv] [3E, E]
//   head_i = Attention(Q_i, K_i, V_i) over the i-th d = E/h columns (unshared per-head projections)
//   out = Concat(head_1..head_h) W_oᵀ + b_o   (out_proj)
// (Vaswani et al. 2017, §3.2.2). Soft attention runs the fused kernel (engine/ops/attention);
// hard attention materialises the weights (engine/ops/hard-attention). Self-attention is
// mha(X, X, X); cross-attention mha(decoderState, memory, memory). With kdim/vdim ≠ E the
// projections are q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim], as PyTorch.
//
// Two calling conventions. `forward` is the models' own: keyPaddingMask f32 1 = real token (the
// reverse of PyTorch's bool mask), a causal flag, per-head weights, and fully masked rows give 0.
// `forwardTorch` mirrors nn.MultiheadAttention.forward exactly: PyTorch's mask polarity (bool
// True = masked, here i32 1), float masks added to the scores, attn_mask [Tq, Tk] or [B·h, Tq, Tk],
// need_weights (default true) with average_attn_weights (default true), and PyTorch's NaN for a
// query that sees no key (see ./torch-attention.ts).
//
// AdditiveAttention and LuongAttention — attention of an RNN decoder over encoder outputs h_j:
//   additive (Bahdanau et al. 2015):  score(s, h) = vᵀ tanh(W_s s + W_h h)
//   dot (Luong et al. 2015):          score(s, h) = sᵀ h
//   general (Luong et al. 2015):      score(s, h) = sᵀ W h
//   a = softmax over the real (unpadded) keys, optionally hardened; context c = Σ_j a_j h_j.
// Parameter names follow OpenNMT-py's GlobalAttention (linear_query, linear_context, v; linear_in).

import {
  add,
  constantParam,
  contiguous,
  contiguousRaw,
  copyInto,
  empty,
  fillInto,
  Linear,
  linear,
  matmul,
  mean,
  Module,
  narrow,
  permute,
  Random,
  record,
  record1,
  reshape,
  tanh,
  transpose,
  uniformParam,
  type InitContext,
  type Tensor,
} from '../engine';
import { attentionSoftmax, scaledDotProductAttention } from '../engine/ops/attention';
import { attentionWithWeights, hardAttention, type HardAttentionRule } from '../engine/ops/hard-attention';
import { torchAttentionCore, type TorchAttentionMasks } from './torch-attention';

export type { HardAttentionRule } from '../engine/ops/hard-attention';

// ---- head split / merge as views ---------------------------------------------------------------

/**
 * Splits x [B, T, n·E] (n projections side by side) into n views [B, h, T, E/h] without copying:
 * head i of part p is columns p·E + i·d .. + d. One tape node for all parts, so the backward
 * writes the n head gradients into one [B, T, n·E] buffer (n strided copies) instead of n
 * zero-filled narrow() gradients summed together.
 */
function splitHeads(x: Tensor, parts: number, heads: number): Tensor[] {
  const xc = x.isContiguous ? x : contiguous(x);
  const [B, T, W] = xc.shape;
  const E = W / parts;
  const d = E / heads;
  const shape = [B, heads, T, d];
  const strides = [T * W, d, W, 1];
  const outs = Array.from({ length: parts }, (_, p) => xc.view(shape, strides, xc.offset + p * E));
  record(
    outs,
    [xc],
    (gs) => {
      const g = empty([B, T, W], 'f32', xc.backend);
      gs.forEach((gp, p) => {
        const dst = g.view(shape, strides, p * E);
        if (gp) copyInto(dst, gp);
        else fillInto(dst, 0);
        dst.dispose();
      });
      return [g];
    },
    'splitHeads',
  );
  return outs;
}

function hasStrides(t: Tensor, strides: readonly number[]): boolean {
  return t.shape.every((n, i) => n === 1 || t.strides[i] === strides[i]);
}

/**
 * [B, h, T, d] → [B, T, h·d]. The fused attention lays its output out as [B, T, h, d] (q's order),
 * so this is a view whose gradient is a view too; other layouts are copied.
 */
function mergeHeads(o: Tensor): Tensor {
  const [B, H, T, d] = o.shape;
  const merged = [T * H * d, d, H * d, 1];
  if (!hasStrides(o, merged)) return reshape(contiguous(permute(o, [0, 2, 1, 3])), [B, T, H * d]);
  const out = o.view([B, T, H * d], [T * H * d, H * d, 1], o.offset);
  return record1(
    out,
    [o],
    (g) => {
      const gc = contiguousRaw(g);
      const v = gc.view([B, H, T, d], merged, gc.offset);
      gc.dispose();
      return [v];
    },
    'mergeHeads',
  );
}

// ---- multi-head attention ----------------------------------------------------------------------

export interface MultiheadAttentionParams {
  /** [3E, E]; null when the projections are separate (kdim or vdim ≠ E). */
  inProjWeight: Tensor | null;
  /** Separate projections (PyTorch's q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim]). */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  inProjBias: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  numHeads: number;
}

export interface MultiheadAttentionCallOptions {
  /** f32 [B, Tk]: 1 = real token, 0 = padding. */
  keyPaddingMask?: Tensor | null;
  /** Query i sees key j iff j ≤ i + (Tk − Tq) (j ≤ i for self-attention). */
  causal?: boolean;
  /** Also return the attention weights [B, h, Tq, Tk] (PyTorch's average_attn_weights=False). */
  needWeights?: boolean;
}

export interface MultiheadAttentionFnOptions extends MultiheadAttentionCallOptions {
  hard?: HardAttentionRule | null;
  /** Dropout on the attention probabilities (soft path only). */
  dropout?: { p: number; seed: number } | null;
}

function checkInputs(query: Tensor, key: Tensor, value: Tensor, E: number, kdim = E, vdim = E): void {
  const ok = (t: Tensor, n: number) => t.rank === 3 && t.shape[2] === n;
  if (!ok(query, E) || !ok(key, kdim) || !ok(value, vdim)) {
    throw new Error(`MultiheadAttention: query, key, value must be [B, T, ${E}], [B, T, ${kdim}], [B, T, ${vdim}], got [${query.shape}], [${key.shape}], [${value.shape}]`);
  }
  if (key.shape[0] !== query.shape[0] || value.shape[0] !== query.shape[0] || key.shape[1] !== value.shape[1]) {
    throw new Error(`MultiheadAttention: batch sizes or key/value lengths differ: [${query.shape}], [${key.shape}], [${value.shape}]`);
  }
}

/** The in-projection into heads [B, h, T, d]: q, k, v. */
function projectHeads(query: Tensor, key: Tensor, value: Tensor, p: MultiheadAttentionParams): Tensor[] {
  const H = p.numHeads;
  const W = p.inProjWeight;
  const E = W ? W.shape[1] : p.qProjWeight!.shape[0];
  checkInputs(query, key, value, E, p.kProjWeight?.shape[1] ?? E, p.vProjWeight?.shape[1] ?? E);
  const bias = (start: number) => (p.inProjBias ? narrow(p.inProjBias, 0, start, E) : null);
  if (!W) {
    const [q] = splitHeads(linear(query, p.qProjWeight!, bias(0)), 1, H);
    const [k] = splitHeads(linear(key, p.kProjWeight!, bias(E)), 1, H);
    const [v] = splitHeads(linear(value, p.vProjWeight!, bias(2 * E)), 1, H);
    return [q, k, v];
  }
  // The in-projection: one matmul for self-attention, two (Q; K and V together) for
  // cross-attention over one memory, three otherwise — each with the bias as its epilogue.
  const rows = (start: number, n: number) => ({
    w: narrow(W, 0, start, n),
    b: p.inProjBias ? narrow(p.inProjBias, 0, start, n) : null,
  });
  if (query === key && key === value) return splitHeads(linear(query, W, p.inProjBias), 3, H);
  if (key === value) {
    const wq = rows(0, E);
    const wkv = rows(E, 2 * E);
    return [...splitHeads(linear(query, wq.w, wq.b), 1, H), ...splitHeads(linear(key, wkv.w, wkv.b), 2, H)];
  }
  const [wq, wk, wv] = [rows(0, E), rows(E, E), rows(2 * E, E)];
  return [
    ...splitHeads(linear(query, wq.w, wq.b), 1, H),
    ...splitHeads(linear(key, wk.w, wk.b), 1, H),
    ...splitHeads(linear(value, wv.w, wv.b), 1, H),
  ];
}

/**
 * PyTorch's F.multi_head_attention_forward with its own conventions (see the header): masks in
 * PyTorch's polarity, explicit scores, weights averaged over heads unless averageAttnWeights is
 * false, after dropout as in 1.13. Returns [out [B, Tq, E], weights or null].
 */
export function multiheadAttentionTorch(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: MultiheadAttentionParams,
  opts: TorchMultiheadAttentionOptions & { dropout?: { p: number; seed: number } | null } = {},
): [Tensor, Tensor | null] {
  const [q, k, v] = projectHeads(query, key, value, p);
  const r = torchAttentionCore(q, k, v, opts, opts.dropout ?? null);
  const out = linear(mergeHeads(r.out), p.outProjWeight, p.outProjBias);
  if (!(opts.needWeights ?? true)) return [out, null];
  return [out, (opts.averageAttnWeights ?? true) ? mean(r.weights, 1) : r.weights];
}

/** nn.MultiheadAttention.forward's options, in PyTorch's conventions (batch_first=True). */
export interface TorchMultiheadAttentionOptions extends TorchAttentionMasks {
  /** Return the attention weights (PyTorch's default: true). */
  needWeights?: boolean;
  /** Weights averaged over heads [B, Tq, Tk] (default true, as PyTorch), or per head [B, h, Tq, Tk]. */
  averageAttnWeights?: boolean;
}

/**
 * The functional form (PyTorch's F.multi_head_attention_forward, batch-first): inputs [B, T, E],
 * output [B, Tq, E] and, with needWeights, the per-head weights [B, h, Tq, Tk].
 */
export function multiheadAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: MultiheadAttentionParams,
  opts: MultiheadAttentionFnOptions = {},
): { out: Tensor; weights?: Tensor } {
  const [q, k, v] = projectHeads(query, key, value, p);
  const mask = { keyPaddingMask: opts.keyPaddingMask ?? null, causal: !!opts.causal };
  let heads: Tensor;
  let weights: Tensor | undefined;
  if (opts.hard) {
    if (opts.dropout && opts.dropout.p > 0) throw new Error('MultiheadAttention: attention dropout is implemented for soft attention only');
    const r = attentionWithWeights(q, k, v, { ...mask, hard: opts.hard });
    heads = r.out;
    if (opts.needWeights) weights = r.weights;
  } else {
    const r = scaledDotProductAttention(q, k, v, { ...mask, returnWeights: !!opts.needWeights, dropout: opts.dropout ?? null });
    heads = r.out;
    weights = r.weights;
  }
  const out = linear(mergeHeads(heads), p.outProjWeight, p.outProjBias);
  return weights ? { out, weights } : { out };
}

export interface MultiheadAttentionOptions {
  /** Biases on the in- and out-projections (PyTorch's bias=True). */
  bias?: boolean;
  /** Feature size of the keys (PyTorch's kdim; default embedDim). */
  kdim?: number;
  /** Feature size of the values (PyTorch's vdim; default embedDim). */
  vdim?: number;
  /** Dropout probability on the attention weights during training (soft attention only). */
  dropout?: number;
  /** Hard attention rule; null or absent: soft attention. */
  hard?: HardAttentionRule | null;
}

/** nn.MultiheadAttention(embedDim, numHeads, bias, dropout, batch_first=True). */
export class MultiheadAttention extends Module {
  /** [3E, E], or null when kdim or vdim ≠ E (then q/k/v_proj_weight). */
  readonly in_proj_weight: Tensor | null;
  readonly q_proj_weight: Tensor | null = null;
  readonly k_proj_weight: Tensor | null = null;
  readonly v_proj_weight: Tensor | null = null;
  readonly kdim: number;
  readonly vdim: number;
  readonly in_proj_bias: Tensor | null;
  readonly out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  readonly hard: HardAttentionRule | null;
  private rng: Random;

  constructor(
    ctx: InitContext,
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0) {
      throw new Error(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    this.hard = opts.hard ?? null;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new Error(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    if (this.hard && this.dropout > 0) throw new Error('MultiheadAttention: attention dropout is implemented for soft attention only');
    const bias = opts.bias ?? true;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    for (const [k, v] of [['kdim', this.kdim], ['vdim', this.vdim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`MultiheadAttention: ${k} must be a positive integer, got ${v}`);
    }
    // PyTorch's _reset_parameters: xavier_uniform_ on in_proj_weight (fan_in E, fan_out 3E:
    // bound √(6 / (E + 3E))), or on each of q/k/v_proj_weight (bound √(6 / (E + in))); zero
    // biases; out_proj keeps Linear's U(±1/√E) weight, bias zeroed.
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.in_proj_weight = this.registerParameter('in_proj_weight', uniformParam(ctx, [3 * embedDim, embedDim], Math.sqrt(6 / (4 * embedDim))));
    } else {
      this.in_proj_weight = null;
      const proj = (name: string, inDim: number) => this.registerParameter(name, uniformParam(ctx, [embedDim, inDim], Math.sqrt(6 / (embedDim + inDim))));
      this.q_proj_weight = proj('q_proj_weight', embedDim);
      this.k_proj_weight = proj('k_proj_weight', this.kdim);
      this.v_proj_weight = proj('v_proj_weight', this.vdim);
    }
    this.in_proj_bias = bias ? this.registerParameter('in_proj_bias', constantParam(ctx, [3 * embedDim], 0)) : null;
    this.out_proj = this.registerModule('out_proj', new Linear(ctx, embedDim, embedDim, bias));
    if (this.out_proj.bias) fillInto(this.out_proj.bias, 0);
    this.rng = new Random(ctx.rng.seed32());
  }

  /** Restarts the attention-dropout stream (see reseedModules). */
  reseed(seed: number): void {
    this.rng = new Random(seed);
  }

  /**
   * query [B, Tq, E], key and value [B, Tk, E] → out [B, Tq, E] and, with needWeights, the
   * weights [B, h, Tq, Tk] (after the hard rule when one is set; before dropout).
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionCallOptions = {}): { out: Tensor; weights?: Tensor } {
    const dropout = this.training && this.dropout > 0 ? { p: this.dropout, seed: this.rng.seed32() } : null;
    return multiheadAttention(query, key, value, this.projections(), { ...opts, hard: this.hard, dropout });
  }

  /**
   * nn.MultiheadAttention.forward(query, key, value, key_padding_mask, need_weights, attn_mask,
   * average_attn_weights) with PyTorch's conventions (batch_first=True; see the header):
   * returns [attn_output [B, Tq, E], attn_output_weights or null].
   */
  forwardTorch(query: Tensor, key: Tensor, value: Tensor, opts: TorchMultiheadAttentionOptions = {}): [Tensor, Tensor | null] {
    if (this.hard) throw new Error('MultiheadAttention.forwardTorch: soft attention only (this module has a hard attention rule)');
    const dropout = this.training && this.dropout > 0 ? { p: this.dropout, seed: this.rng.seed32() } : null;
    return multiheadAttentionTorch(query, key, value, this.projections(), { ...opts, dropout });
  }

  private projections(): MultiheadAttentionParams {
    return {
      inProjWeight: this.in_proj_weight,
      qProjWeight: this.q_proj_weight,
      kProjWeight: this.k_proj_weight,
      vProjWeight: this.v_proj_weight,
      inProjBias: this.in_proj_bias,
      outProjWeight: this.out_proj.weight,
      outProjBias: this.out_proj.bias,
      numHeads: this.numHeads,
    };
  }
}

// ---- attention for RNN decoders ----------------------------------------------------------------

/**
 * Bahdanau scores vᵀ tanh(W_s s_i + k_j) for queries [B, Tq, Dq] against projected keys
 * k_j = W_h h_j [B, Tk, A], with W_s [A, Dq] and v [1, A] → [B, Tq, Tk]. The [B, Tq, Tk, A] hidden
 * layer is materialised (and kept for the backward): fine at playground sizes.
 */
export function additiveScores(query: Tensor, projectedKeys: Tensor, wQuery: Tensor, v: Tensor): Tensor {
  const [B, Tq] = query.shape;
  const [, Tk, A] = projectedKeys.shape;
  const pq = linear(query, wQuery);
  const hidden = tanh(add(reshape(pq, [B, Tq, 1, A]), reshape(projectedKeys, [B, 1, Tk, A])));
  return reshape(linear(hidden, v), [B, Tq, Tk]);
}

/** Luong scores sᵀ h ('dot', wIn null) or (W_in s)ᵀ h ('general', W_in [Dk, Dq]) → [B, Tq, Tk]. */
export function luongScores(query: Tensor, keys: Tensor, wIn: Tensor | null): Tensor {
  const s = wIn ? linear(query, wIn) : query;
  return matmul(s, transpose(keys, 1, 2));
}

/**
 * From scores [B, Tq, Tk] to attention: a = softmax over the real keys (hardened when a rule is
 * given), context = a · values [B, Tq, Dv]. Both differentiable.
 */
export function attendOver(
  scores: Tensor,
  values: Tensor,
  opts: { keyPaddingMask?: Tensor | null; hard?: HardAttentionRule | null } = {},
): { context: Tensor; weights: Tensor } {
  const soft = attentionSoftmax(scores, { keyPaddingMask: opts.keyPaddingMask ?? null });
  const weights = opts.hard ? hardAttention(soft, opts.hard) : soft;
  return { context: matmul(weights, values), weights };
}

export interface RnnAttentionOptions {
  /** f32 [B, Tk]: 1 = real encoder position, 0 = padding. */
  keyPaddingMask?: Tensor | null;
  /** What the weights average; default: the keys (the encoder outputs). [B, Tk, Dv]. */
  values?: Tensor | null;
  /** Keys already through the key-side projection (AdditiveAttention.projectKeys), reused across decoder steps. */
  projectedKeys?: Tensor | null;
}

export interface RnnAttentionResult<C, W> {
  context: C;
  weights: W;
}

/** Shared decoder-side plumbing: scores → masked softmax → (hard) → weighted sum of the values. */
abstract class RnnAttention extends Module {
  readonly hard: HardAttentionRule | null;
  constructor(hard: HardAttentionRule | null | undefined) {
    super();
    this.hard = hard ?? null;
  }

  /** Scores [B, Tq, Tk] for queries [B, Tq, Dq] against keys [B, Tk, Dk]. */
  abstract scores(query: Tensor, keys: Tensor, projectedKeys?: Tensor | null): Tensor;

  /**
   * All decoder steps at once (teacher forcing): query [B, Tq, Dq], keys [B, Tk, Dk] →
   * context [B, Tq, Dv] and weights [B, Tq, Tk] (zero at padding; differentiable).
   */
  forwardSequence(query: Tensor, keys: Tensor, opts: RnnAttentionOptions = {}): RnnAttentionResult<Tensor, Tensor> {
    if (query.rank !== 3 || keys.rank !== 3 || query.shape[0] !== keys.shape[0]) {
      throw new Error(`${this.constructor.name}: query [B, Tq, Dq] and keys [B, Tk, Dk] expected, got [${query.shape}] and [${keys.shape}]`);
    }
    const scores = this.scores(query, keys, opts.projectedKeys);
    return attendOver(scores, opts.values ?? keys, { keyPaddingMask: opts.keyPaddingMask, hard: this.hard });
  }

  /** One decoder step: query [B, Dq] → context [B, Dv] and weights [B, Tk]. */
  forward(query: Tensor, keys: Tensor, opts: RnnAttentionOptions = {}): RnnAttentionResult<Tensor, Tensor> {
    if (query.rank !== 2) throw new Error(`${this.constructor.name}: a step query is [B, Dq], got [${query.shape}]`);
    const [B, Dq] = query.shape;
    const r = this.forwardSequence(reshape(query, [B, 1, Dq]), keys, opts);
    const context = reshape(r.context, [B, r.context.shape[2]]);
    const weights = reshape(r.weights, [B, keys.shape[1]]);
    return { context, weights };
  }
}

export interface AdditiveAttentionOptions {
  /** Width A of the hidden layer inside tanh (default: keyDim). */
  attnDim?: number;
  hard?: HardAttentionRule | null;
}

/**
 * Bahdanau attention: score(s, h) = vᵀ tanh(W_s s + W_h h), with W_s = linear_query [A, Dq],
 * W_h = linear_context [A, Dk], v [1, A], no biases (as in the paper's appendix A.1.2).
 */
export class AdditiveAttention extends RnnAttention {
  readonly linear_query: Linear;
  readonly linear_context: Linear;
  readonly v: Linear;
  constructor(ctx: InitContext, readonly queryDim: number, readonly keyDim: number, opts: AdditiveAttentionOptions = {}) {
    super(opts.hard);
    const A = opts.attnDim ?? keyDim;
    this.linear_query = this.registerModule('linear_query', new Linear(ctx, queryDim, A, false));
    this.linear_context = this.registerModule('linear_context', new Linear(ctx, keyDim, A, false));
    this.v = this.registerModule('v', new Linear(ctx, A, 1, false));
  }

  /** W_h h for every key [B, Tk, A]: computed once per source, reused at every decoder step. */
  projectKeys(keys: Tensor): Tensor {
    return this.linear_context.forward(keys);
  }

  scores(query: Tensor, keys: Tensor, projectedKeys?: Tensor | null): Tensor {
    return additiveScores(query, projectedKeys ?? this.projectKeys(keys), this.linear_query.weight, this.v.weight);
  }
}

export type LuongScoring = 'dot' | 'general';

export interface LuongAttentionOptions {
  hard?: HardAttentionRule | null;
}

/**
 * Luong attention: 'dot' score(s, h) = sᵀ h (needs Dq = Dk); 'general' score(s, h) = sᵀ W h with
 * W = linear_inᵀ, computed as (linear_in s)ᵀ h so only the query is projected.
 */
export class LuongAttention extends RnnAttention {
  readonly linear_in: Linear | null;
  constructor(ctx: InitContext, readonly queryDim: number, readonly keyDim: number, readonly scoring: LuongScoring, opts: LuongAttentionOptions = {}) {
    super(opts.hard);
    if (scoring === 'dot' && queryDim !== keyDim) throw new Error(`LuongAttention: 'dot' scoring needs equal query and key sizes, got ${queryDim} and ${keyDim}`);
    if (scoring !== 'dot' && scoring !== 'general') throw new Error(`LuongAttention: unknown scoring '${scoring as string}'`);
    this.linear_in = scoring === 'general' ? this.registerModule('linear_in', new Linear(ctx, queryDim, keyDim, false)) : null;
  }

  scores(query: Tensor, keys: Tensor): Tensor {
    return luongScores(query, keys, this.linear_in?.weight ?? null);
  }
}

export type RnnScoring = 'additive' | LuongScoring;

/** The decoder attention for a scoring name (RunConfig's `scoring`). */
export function rnnAttention(
  ctx: InitContext,
  scoring: RnnScoring,
  queryDim: number,
  keyDim: number,
  opts: { hard?: HardAttentionRule | null; attnDim?: number } = {},
): AdditiveAttention | LuongAttention {
  return scoring === 'additive' ? new AdditiveAttention(ctx, queryDim, keyDim, opts) : new LuongAttention(ctx, queryDim, keyDim, scoring, opts);
}
