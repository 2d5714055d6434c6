// Scaled dot-product attention (Vaswani et al. 2017, "Attention Is All You Need", eq. 1):
//
//   Attention(Q, K, V) = softmax(scale · Q Kᵀ + M) V,   scale = 1/√d by default,
//
// with Q [B, H, Tq, d], K [B, H, Tk, d], V [B, H, Tk, dv] and M = −∞ at the entries a query may
// not see, 0 elsewhere:
//   - keyPaddingMask f32 [B, Tk]: 1 = real token, 0 = padding (a key counts as real when > 0.5);
//   - causal: query i sees key j iff j ≤ i + (Tk − Tq). For Tq = Tk that is the usual j ≤ i; for
//     Tq ≠ Tk the mask is aligned to the bottom-right corner (FlashAttention ≥ 2.1's convention, and
//     what a key/value cache needs: the last query sees every key). With Tq > Tk the first
//     Tq − Tk queries see no key at all.
// A query row with no visible key yields an output of 0, attention weights of 0 and zero
// gradients (PyTorch would give NaN).
//
// Two ways to compute it:
//   - `scaledDotProductAttention`: the fused kernels (shaders/attention_fwd.wgsl, attention_bwd.wgsl),
//     FlashAttention's scheme (Dao et al. 2022): the forward keeps an online softmax over key tiles
//     and saves only the row log-sum-exp L; the backward recomputes P = exp(S − L), uses
//     D = rowsum(dO ∘ O) and produces dQ, dK, dV. Neither pass stores the [B, H, Tq, Tk] matrix
//     unless `returnWeights` asks for it (then the forward writes P too, for visualisation only:
//     the weights carry no gradient).
//   - `attentionSoftmax`: a masked row softmax over explicit scores, for the paths that need the
//     weights as a differentiable tensor (hard attention, the RNN attentions).
//
// Optional dropout on P (PyTorch's attention dropout): a counter-based hash of (seed, element)
// decides each keep, so the backward regenerates the mask; see attention_fwd.wgsl.

import fwdCode from '../../../shaders/attention_fwd.wgsl?raw';
import bwdCode from '../../../shaders/attention_bwd.wgsl?raw';
import { record1 } from '../autograd';
import type { Backend } from '../backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { CpuArray, Tensor } from '../tensor';
import { contiguousRaw } from './view';
import { wasmSdpaBackward, wasmSdpaForward, type HeadOperand } from '../wasm/attention';

/** The largest head dim the fused kernels take (their private arrays are sized by it). */
export const MAX_HEAD_DIM = 128;
/** L of a fully masked row: exp(S − L) = 0 for every finite score. Must match the WGSL. */
const MASKED_L = 3.4028234e38;
const WORKGROUP = 64;

export interface AttentionMaskOptions {
  /** f32 [B, Tk]: 1 = real token, 0 = padding. */
  keyPaddingMask?: Tensor | null;
  /** Query i sees key j iff j ≤ i + (Tk − Tq). */
  causal?: boolean;
}

export interface AttentionOptions extends AttentionMaskOptions {
  /** Multiplies Q Kᵀ; default 1/√d. */
  scale?: number;
  /** Also return the attention probabilities [B, H, Tq, Tk] (no gradient; before dropout). */
  returnWeights?: boolean;
  /** Dropout on the attention probabilities: probability p ∈ [0, 1) and the seed of its mask. */
  dropout?: { p: number; seed: number } | null;
}

// ---- operands ---------------------------------------------------------------------------------

/** A [B, H, T, c] operand with a unit column stride (a copy when the view has none). */
interface Operand {
  t: Tensor;
  owned: boolean;
  /** (offset, batch stride, head stride, row stride), the WGSL's vec4. */
  s: [number, number, number, number];
}

function operand(x: Tensor, what: string): Operand {
  if (x.rank !== 4) throw new Error(`attention: ${what} must have rank 4 [B, H, T, d], got ${shapeStr(x.shape)}`);
  if (x.dtype !== 'f32') throw new Error(`attention: ${what} must be f32`);
  const t = x.strides[3] === 1 || x.shape[3] <= 1 ? x : contiguousRaw(x);
  return { t, owned: t !== x, s: vec(t) };
}

/** The WebAssembly kernels' view of an operand. */
function head(o: Operand): HeadOperand {
  return { data: f32(o.t), s: o.s };
}

function f32(t: Tensor): Float32Array {
  return cpuArray(t) as Float32Array;
}

function releaseAll(...ops: (Operand | null)[]): void {
  for (const o of ops) if (o?.owned) o.t.dispose();
}

/**
 * Dense strides for a [B, H, T, c] tensor laid out in the dimension order of `like` (ordered by
 * stride, c innermost). Outputs and gradients follow their input's layout, so that a head split
 * done with reshape + permute (layout [B, T, H, d]) gets its gradient, and its output, in the same
 * order and undoing the permute costs no copy.
 */
function layoutLike(like: Tensor, shape: readonly number[]): number[] {
  const order = [0, 1, 2].sort((a, b) => like.strides[b] - like.strides[a] || a - b);
  const strides = [0, 0, 0, 1];
  let acc = shape[3];
  for (let k = 2; k >= 0; k--) {
    strides[order[k]] = acc;
    acc *= shape[order[k]];
  }
  return strides;
}

/** A view of `buf` with `shape`, the strides of layoutLike(like) and element offset `offset`. */
function viewLike(buf: Tensor, like: Tensor, shape: readonly number[], offset: number): Tensor {
  const s = layoutLike(like, shape);
  return buf.view(shape, s, buf.offset + offset);
}

/** (offset, batch, head, row strides); a size-1 dim's stride is never used and reads as 0. */
function vec(t: Tensor): [number, number, number, number] {
  const st = (i: number) => (t.shape[i] === 1 ? 0 : t.strides[i]);
  return [t.offset, st(0), st(1), st(2)];
}

interface Dims {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
  dv: number;
}

function dimsOf(q: Tensor, k: Tensor, v: Tensor): Dims {
  for (const [x, n] of [[q, 'q'], [k, 'k'], [v, 'v']] as const) {
    if (x.rank !== 4) throw new Error(`attention: ${n} must have rank 4 [B, H, T, d], got ${shapeStr(x.shape)}`);
  }
  const [B, H, Tq, d] = q.shape;
  const [, , Tk, dv] = v.shape;
  if (k.shape[0] !== B || k.shape[1] !== H || k.shape[3] !== d) {
    throw new Error(`attention: k ${shapeStr(k.shape)} does not match q ${shapeStr(q.shape)} (need [B, H, Tk, d])`);
  }
  if (v.shape[0] !== B || v.shape[1] !== H || v.shape[2] !== k.shape[2]) {
    throw new Error(`attention: v ${shapeStr(v.shape)} does not match k ${shapeStr(k.shape)} (need [B, H, Tk, dv])`);
  }
  if (Math.max(d, dv) > MAX_HEAD_DIM) throw new Error(`attention: head dim ${Math.max(d, dv)} exceeds the fused kernel's maximum ${MAX_HEAD_DIM}`);
  if (q.backend !== k.backend || q.backend !== v.backend) throw new Error('attention: q, k, v are on different backends');
  return { B, H, Tq, Tk, d, dv };
}

/** The padding mask as a contiguous f32 [B, Tk] tensor (a copy if it is a strided view). */
function maskOperand(mask: Tensor | null | undefined, B: number, Tk: number, backend: Backend): Operand | null {
  if (!mask) return null;
  if (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== Tk || mask.dtype !== 'f32') {
    throw new Error(`attention: keyPaddingMask must be f32 [${B}, ${Tk}], got ${mask.dtype} ${shapeStr(mask.shape)}`);
  }
  if (mask.backend !== backend) throw new Error('attention: keyPaddingMask is on another backend');
  const t = mask.isContiguous ? mask : contiguousRaw(mask);
  return { t, owned: t !== mask, s: [t.offset, 0, 0, 0] };
}

/** Keys row i may see under the causal rule: [0, keyEnd). */
function keyEnd(causal: boolean, i: number, Tq: number, Tk: number): number {
  return causal ? Math.min(Math.max(i + Tk - Tq + 1, 0), Tk) : Tk;
}

// ---- dropout mask (the WGSL's pcg hash, bit for bit) -------------------------------------------

function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

interface Dropout {
  p: number;
  seed: number;
  scale: number;
}

function dropoutOf(opts: AttentionOptions): Dropout | null {
  const dr = opts.dropout;
  if (!dr || dr.p === 0) return null;
  if (!(dr.p > 0 && dr.p < 1)) throw new Error(`attention: dropout probability must be in [0, 1), got ${dr.p}`);
  // p as the kernel sees it (f32), so that CPU and GPU drop the same elements.
  const p = Math.fround(dr.p);
  return { p, seed: dr.seed >>> 0, scale: 1 / (1 - p) };
}

/** The factor element (row r, key j) is multiplied by: 0 (dropped) or 1/(1 − p). */
function dropoutFactor(drop: Dropout | null, r: number, j: number, Tk: number): number {
  if (!drop) return 1;
  const u = (pcg((drop.seed ^ pcg((Math.imul(r, Tk) + j) >>> 0)) >>> 0) >>> 8) / 16777216;
  return u >= drop.p ? drop.scale : 0;
}

// ---- kernels ------------------------------------------------------------------------------------

const SPECIALISE_BLOCK = /\/\/ @specialise-begin[^\n]*\n[\s\S]*?\/\/ @specialise-end/;
const specialised = new Map<string, string>();

/**
 * The kernel source for head dims (d, dv) read in chunks of `ch` floats (1 or 4): the block
 * between the @specialise markers becomes the element type T, the chunk counts DK, DV, MAX_D and
 * dotT (see attention_fwd.wgsl for why). Each variant is its own source and pipeline; a model
 * uses one or two. The softmax entry points ignore them.
 */
function specialise(which: 'fwd' | 'bwd', d: number, dv: number, ch: 1 | 4): string {
  const key = `${which}:${d}:${dv}:${ch}`;
  let s = specialised.get(key);
  if (!s) {
    const code = which === 'fwd' ? fwdCode : bwdCode;
    if (!SPECIALISE_BLOCK.test(code)) throw new Error(`attention_${which}.wgsl: no @specialise block`);
    const [dk, dvk] = [d / ch, dv / ch];
    const block = [
      '// @specialise-begin (generated)',
      `alias T = ${ch === 4 ? 'vec4<f32>' : 'f32'};`,
      `const DK: u32 = ${dk}u;`,
      `const DV: u32 = ${dvk}u;`,
      `const MAX_D: u32 = ${Math.max(dk, dvk, 1)}u;`,
      `fn dotT(a: T, b: T) -> f32 { return ${ch === 4 ? 'dot(a, b)' : 'a * b'}; }`,
      '// @specialise-end',
    ].join('\n');
    s = code.replace(SPECIALISE_BLOCK, block);
    specialised.set(key, s);
  }
  return s;
}

interface Variant {
  d: number;
  dv: number;
  ch: 1 | 4;
}

/** vec4 chunks when the head dims and every operand's offset and strides are multiples of 4. */
function variantOf(dm: Dims, operands: readonly (readonly number[])[]): Variant {
  const ok = dm.d % 4 === 0 && dm.dv % 4 === 0 && operands.every((o) => o.every((x) => x % 4 === 0));
  return { d: dm.d, dv: dm.dv, ch: ok ? 4 : 1 };
}

function spec(
  which: 'fwd' | 'bwd',
  entryPoint: string,
  v: Variant,
  constants: Record<string, number>,
  bindings: number,
  writes: number,
): KernelSpec {
  return {
    name: `attention_${which}_d${v.d}_v${v.dv}_c${v.ch}`,
    code: specialise(which, v.d, v.dv, v.ch),
    entryPoint,
    constants,
    bindings: [...Array<'read'>(bindings - writes).fill('read'), ...Array<'write'>(writes).fill('write')],
  };
}

interface SdpaUniforms {
  dm: Dims;
  causal: boolean;
  mask: Operand | null;
  offL: number;
  offD: number;
  offW: number;
  scale: number;
  drop: Dropout | null;
  /** q, k, v, o, dO, dQ, dK, dV (absent ones zero). */
  ops: ([number, number, number, number] | null)[];
}

/** The uniform block; operand offsets and strides are divided into units of the chunk `ch`. */
function sdpaUniforms(p: SdpaUniforms, ch: number) {
  const { B, H, Tq, Tk, d, dv } = p.dm;
  const u = uniforms()
    .u32(B, H, Tq, Tk)
    .u32(d, dv, p.causal ? 1 : 0, p.mask ? 1 : 0)
    .u32(p.mask ? p.mask.t.offset : 0, p.offL, p.offD, p.offW)
    .f32(p.scale, p.drop?.p ?? 0, p.drop?.scale ?? 1)
    .u32(p.drop?.seed ?? 0);
  for (let i = 0; i < 8; i++) u.vec4u(...(p.ops[i] ?? [0, 0, 0, 0]).map((x) => x / ch));
  return u;
}

/** A small buffer for a write binding the kernel leaves alone (the shared dummy is read-only). */
function scratch(backend: Backend): Tensor {
  return empty([4], 'f32', backend);
}

// ---- forward ------------------------------------------------------------------------------------

export interface SdpaForward {
  /** [B, H, Tq, dv], laid out in q's dimension order. */
  out: Tensor;
  /** Row log-sum-exp [B, H, Tq] of the scaled, masked scores (MASKED_L for a fully masked row). */
  lse: Tensor;
  /** [B, H, Tq, Tk] probabilities when asked for. */
  weights: Tensor | null;
}

/** The fused forward without autograd. */
export function sdpaForwardRaw(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): SdpaForward {
  const dm = dimsOf(q, k, v);
  const { B, H, Tq, Tk, d, dv } = dm;
  const backend = q.backend;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = !!opts.causal;
  const drop = dropoutOf(opts);
  const mask = maskOperand(opts.keyPaddingMask, B, Tk, backend);
  const Q = operand(q, 'q');
  const K = operand(k, 'k');
  const V = operand(v, 'v');
  const oShape = [B, H, Tq, dv];
  const oBuf = empty([B * H * Tq * dv], 'f32', backend);
  const out = viewLike(oBuf, q, oShape, 0);
  oBuf.dispose();
  const lse = empty([B, H, Tq], 'f32', backend);
  const weights = opts.returnWeights ? empty([B, H, Tq, Tk], 'f32', backend) : null;

  if (backend.kind === 'cpu' && backend.wasm && !drop) {
    // WebAssembly kernel (src/engine/wasm/attention.ts); the loops below stay the reference.
    const os = vec(out);
    wasmSdpaForward(backend.wasm, { ...dm, scale, causal }, head(Q), head(K), head(V), mask ? { data: f32(mask.t), offset: mask.t.offset } : null,
      { data: f32(out), size: B * H * Tq * dv, s: os }, { data: f32(lse), offset: lse.offset }, weights ? { data: f32(weights), offset: weights.offset } : null);
  } else if (backend.kind === 'cpu') {
    const [Qa, Ka, Va] = [Q, K, V].map((o) => cpuArray(o.t));
    const M = mask ? cpuArray(mask.t) : null;
    const Oa = cpuArray(out);
    const La = cpuArray(lse);
    const Wa = weights ? cpuArray(weights) : null;
    const os = vec(out);
    const s = new Float64Array(Tk);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < Tq; i++) {
          const r = (b * H + h) * Tq + i;
          const end = keyEnd(causal, i, Tq, Tk);
          const qb = Q.s[0] + b * Q.s[1] + h * Q.s[2] + i * Q.s[3];
          let m = -Infinity;
          for (let j = 0; j < Tk; j++) {
            s[j] = NaN;
            if (j >= end || (M && !(M[mask!.t.offset + b * Tk + j] > 0.5))) continue;
            const kb = K.s[0] + b * K.s[1] + h * K.s[2] + j * K.s[3];
            let x = 0;
            for (let c = 0; c < d; c++) x += Qa[qb + c] * Ka[kb + c];
            s[j] = x * scale;
            m = Math.max(m, s[j]);
          }
          const ob = os[0] + b * os[1] + h * os[2] + i * os[3];
          if (m === -Infinity) {
            for (let c = 0; c < dv; c++) Oa[ob + c] = 0;
            La[r] = MASKED_L;
            if (Wa) for (let j = 0; j < Tk; j++) Wa[r * Tk + j] = 0;
            continue;
          }
          let l = 0;
          for (let j = 0; j < Tk; j++) if (!Number.isNaN(s[j])) l += Math.exp(s[j] - m);
          const L = m + Math.log(l);
          La[r] = L;
          for (let c = 0; c < dv; c++) Oa[ob + c] = 0;
          for (let j = 0; j < Tk; j++) {
            const p = Number.isNaN(s[j]) ? 0 : Math.exp(s[j] - L);
            if (Wa) Wa[r * Tk + j] = p;
            const pz = p * dropoutFactor(drop, r, j, Tk);
            if (pz === 0) continue;
            const vb = V.s[0] + b * V.s[1] + h * V.s[2] + j * V.s[3];
            for (let c = 0; c < dv; c++) Oa[ob + c] += pz * Va[vb + c];
          }
        }
      }
    }
  } else {
    const sw = weights ? null : scratch(backend);
    const ops = [Q.s, K.s, V.s, vec(out)];
    const variant = variantOf(dm, ops);
    const u = sdpaUniforms({ dm, causal, mask, offL: lse.offset, offD: 0, offW: weights ? weights.offset : 0, scale, drop, ops }, variant.ch);
    backend.dispatch(
      spec('fwd', 'sdpa_forward', variant, { WEIGHTS: weights ? 1 : 0, DROPOUT: drop ? 1 : 0 }, 7, 3),
      [gpuBuffer(Q.t), gpuBuffer(K.t), gpuBuffer(V.t), mask ? gpuBuffer(mask.t) : backend.dummy,
        gpuBuffer(out), gpuBuffer(lse), gpuBuffer(weights ?? sw!)],
      u,
      Math.ceil((B * H * Tq) / WORKGROUP),
    );
    sw?.dispose();
  }
  releaseAll(Q, K, V, mask);
  return { out, lse, weights };
}

// ---- backward -----------------------------------------------------------------------------------

export interface SdpaGrads {
  dq: Tensor;
  dk: Tensor;
  dv: Tensor;
}

/**
 * Gradients of the fused attention given dO (any [B, H, Tq, dv] view): dQ, dK, dV, each laid out
 * like its input; dK and dV are views into one buffer [dK | dV].
 */
export function sdpaBackwardRaw(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  lse: Tensor,
  dO: Tensor,
  opts: AttentionOptions = {},
): SdpaGrads {
  const dm = dimsOf(q, k, v);
  const { B, H, Tq, Tk, d, dv } = dm;
  const backend = q.backend;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = !!opts.causal;
  const drop = dropoutOf(opts);
  const mask = maskOperand(opts.keyPaddingMask, B, Tk, backend);
  const Q = operand(q, 'q');
  const K = operand(k, 'k');
  const V = operand(v, 'v');
  const O = operand(out, 'out');
  const G = operand(dO, 'dO');
  const nK = B * H * Tk * d;
  const g1 = empty([B * H * Tq * d], 'f32', backend);
  const g2 = empty([nK + B * H * Tk * dv], 'f32', backend);
  const dq = viewLike(g1, q, [B, H, Tq, d], 0);
  const dk = viewLike(g2, k, [B, H, Tk, d], 0);
  const dvT = viewLike(g2, v, [B, H, Tk, dv], nK);
  // D_i = dO_i · O_i, the softmax Jacobian's row term.
  const rowD = empty([B * H * Tq], 'f32', backend);

  if (backend.kind === 'cpu' && backend.wasm && !drop) {
    // WebAssembly kernel (src/engine/wasm/attention.ts); the loops below stay the reference.
    wasmSdpaBackward(backend.wasm, { ...dm, scale, causal }, head(Q), head(K), head(V), head(O), head(G),
      mask ? { data: f32(mask.t), offset: mask.t.offset } : null, { data: f32(lse), offset: lse.offset },
      f32(g1), f32(g2), { s: vec(dq) }, { s: vec(dk) }, { s: vec(dvT) });
  } else if (backend.kind === 'cpu') {
    const [Qa, Ka, Va, Oa, Ga] = [Q, K, V, O, G].map((o) => cpuArray(o.t));
    const La = cpuArray(lse);
    const M = mask ? cpuArray(mask.t) : null;
    const G1 = cpuArray(g1);
    const G2 = cpuArray(g2);
    const Dr = cpuArray(rowD);
    const [qs, ks, vs] = [vec(dq), vec(dk), vec(dvT)];
    const at = (s: readonly number[], b: number, h: number, t: number) => s[0] + b * s[1] + h * s[2] + t * s[3];
    const keyOk = (b: number, j: number) => !M || M[mask!.t.offset + b * Tk + j] > 0.5;
    const dot = (A: CpuArray, a: number, Bv: CpuArray, bb: number, n: number) => {
      let x = 0;
      for (let c = 0; c < n; c++) x += A[a + c] * Bv[bb + c];
      return x;
    };
    // D and dQ, per query row.
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < Tq; i++) {
          const r = (b * H + h) * Tq + i;
          const gb = at(G.s, b, h, i);
          const D = dot(Ga, gb, Oa, at(O.s, b, h, i), dv);
          Dr[r] = D;
          const qo = at(qs, b, h, i);
          for (let c = 0; c < d; c++) G1[qo + c] = 0;
          const L = La[lse.offset + r];
          if (L === MASKED_L) continue;
          const qb = at(Q.s, b, h, i);
          for (let j = 0; j < keyEnd(causal, i, Tq, Tk); j++) {
            if (!keyOk(b, j)) continue;
            const kb = at(K.s, b, h, j);
            const p = Math.exp(scale * dot(Qa, qb, Ka, kb, d) - L);
            const dp = dot(Ga, gb, Va, at(V.s, b, h, j), dv) * dropoutFactor(drop, r, j, Tk);
            const ds = p * (dp - D);
            for (let c = 0; c < d; c++) G1[qo + c] += scale * ds * Ka[kb + c];
          }
        }
      }
    }
    // dK and dV, per key row.
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let j = 0; j < Tk; j++) {
          const ko = at(ks, b, h, j);
          const vo = at(vs, b, h, j);
          for (let c = 0; c < d; c++) G2[ko + c] = 0;
          for (let c = 0; c < dv; c++) G2[vo + c] = 0;
          if (!keyOk(b, j)) continue;
          const kb = at(K.s, b, h, j);
          const vb = at(V.s, b, h, j);
          const i0 = causal ? Math.min(Math.max(j + Tq - Tk, 0), Tq) : 0;
          for (let i = i0; i < Tq; i++) {
            const rq = (b * H + h) * Tq + i;
            const qb = at(Q.s, b, h, i);
            const gb = at(G.s, b, h, i);
            const p = Math.exp(scale * dot(Qa, qb, Ka, kb, d) - La[lse.offset + rq]);
            const z = dropoutFactor(drop, rq, j, Tk);
            const dp = dot(Ga, gb, Va, vb, dv) * z;
            for (let c = 0; c < dv; c++) G2[vo + c] += p * z * Ga[gb + c];
            const ds = p * (dp - Dr[rq]);
            for (let c = 0; c < d; c++) G2[ko + c] += scale * ds * Qa[qb + c];
          }
        }
      }
    }
  } else {
    const ops = [Q.s, K.s, V.s, O.s, G.s, vec(dq), vec(dk), vec(dvT)];
    const variant = variantOf(dm, ops);
    const u = sdpaUniforms({ dm, causal, mask, offL: lse.offset, offD: rowD.offset, offW: 0, scale, drop, ops }, variant.ch);
    const constants = { DROPOUT: drop ? 1 : 0 };
    const maskBuf = mask ? gpuBuffer(mask.t) : backend.dummy;
    const [Qb, Kb, Vb, Gb, Lb, Db] = [Q.t, K.t, V.t, G.t, lse, rowD].map(gpuBuffer);
    const rowsQ = Math.ceil((B * H * Tq) / WORKGROUP);
    backend.dispatch(spec('bwd', 'sdpa_backward_d', variant, {}, 3, 1), [gpuBuffer(O.t), Gb, Db], u, rowsQ);
    backend.dispatch(spec('bwd', 'sdpa_backward_dq', variant, constants, 8, 1), [Qb, Kb, Vb, Gb, Lb, Db, maskBuf, gpuBuffer(g1)], u, rowsQ);
    backend.dispatch(
      spec('bwd', 'sdpa_backward_dkv', variant, constants, 8, 1),
      [Qb, Kb, Vb, Gb, Lb, Db, maskBuf, gpuBuffer(g2)],
      u,
      Math.ceil((B * H * Tk) / WORKGROUP),
    );
  }
  releaseAll(Q, K, V, O, G, mask);
  g1.dispose();
  g2.dispose();
  rowD.dispose();
  return { dq, dk, dv: dvT };
}

/**
 * Fused scaled dot-product attention with autograd to q, k and v (torch's
 * F.scaled_dot_product_attention, with a key-padding mask instead of a general attn_mask).
 * q [B, H, Tq, d], k [B, H, Tk, d], v [B, H, Tk, dv] → out [B, H, Tq, dv] (laid out in q's
 * dimension order), and with `returnWeights` the probabilities [B, H, Tq, Tk] (no gradient).
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): { out: Tensor; weights?: Tensor } {
  const r = sdpaForwardRaw(q, k, v, opts);
  const { out, lse } = r;
  record1(
    out,
    [q, k, v],
    (g) => {
      const gr = sdpaBackwardRaw(q, k, v, out, lse, g, opts);
      const pairs = [[q, gr.dq], [k, gr.dk], [v, gr.dv]] as const;
      return pairs.map(([input, grad]) => {
        if (input.requiresGrad) return grad;
        grad.dispose();
        return null;
      });
    },
    'scaledDotProductAttention',
  );
  // L is saved only for the backward; without one it goes now.
  if (!out.requiresGrad) lse.dispose();
  return r.weights ? { out, weights: r.weights } : { out };
}

// ---- masked row softmax (explicit weights) -----------------------------------------------------

/** The softmax entry points share the attention sources; any specialisation does. */
const SOFTMAX_DIMS: Variant = { d: 1, dv: 1, ch: 1 };

interface SoftmaxGeometry {
  rows: number;
  R: number;
  Tq: number;
  Tk: number;
  B: number;
}

function softmaxGeometry(x: Tensor, opts: AttentionMaskOptions): SoftmaxGeometry {
  if (x.rank < 2) throw new Error(`attentionSoftmax: scores must have rank ≥ 2 [B, ..., Tk], got ${shapeStr(x.shape)}`);
  if (opts.causal && x.rank < 3) throw new Error('attentionSoftmax: a causal mask needs scores [B, ..., Tq, Tk]');
  const B = x.shape[0];
  const Tk = x.shape[x.rank - 1];
  const rows = Tk === 0 ? 0 : x.size / Tk;
  return { rows, R: B === 0 ? 0 : rows / B, Tq: opts.causal ? x.shape[x.rank - 2] : 1, Tk, B };
}

function softmaxUniforms(g: SoftmaxGeometry, causal: boolean, mask: Operand | null, scale: number, offX: number, offY: number, offG: number, offDX: number) {
  return uniforms()
    .u32(g.rows, g.R, g.Tq, g.Tk)
    .u32(causal ? 1 : 0, mask ? 1 : 0, mask ? mask.t.offset : 0, offX)
    .u32(offY, offG, offDX)
    .f32(scale);
}

export interface SoftmaxOptions extends AttentionMaskOptions {
  /** Multiplies the scores before the softmax (default 1). */
  scale?: number;
}

/** Masked softmax over the last dim without autograd; see attentionSoftmax. */
export function attentionSoftmaxRaw(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  if (x.dtype !== 'f32') throw new Error('attentionSoftmax: f32 scores expected');
  const g = softmaxGeometry(x, opts);
  const causal = !!opts.causal;
  const scale = opts.scale ?? 1;
  const mask = maskOperand(opts.keyPaddingMask, g.B, g.Tk, x.backend);
  const xc = contiguousRaw(x);
  const y = empty(x.shape, 'f32', x.backend);
  if (x.backend.kind === 'cpu') {
    const X = cpuArray(xc);
    const Y = cpuArray(y);
    const M = mask ? cpuArray(mask.t) : null;
    for (let r = 0; r < g.rows; r++) {
      const b = Math.floor(r / g.R);
      const end = keyEnd(causal, r % g.Tq, g.Tq, g.Tk);
      const ok = (j: number) => j < end && (!M || M[mask!.t.offset + b * g.Tk + j] > 0.5);
      const x = (j: number) => scale * X[xc.offset + r * g.Tk + j];
      let m = -Infinity;
      for (let j = 0; j < g.Tk; j++) if (ok(j)) m = Math.max(m, x(j));
      let l = 0;
      for (let j = 0; j < g.Tk; j++) if (ok(j)) l += Math.exp(x(j) - m);
      for (let j = 0; j < g.Tk; j++) Y[r * g.Tk + j] = ok(j) ? Math.exp(x(j) - m) / l : 0;
    }
  } else {
    x.backend.dispatch(
      spec('fwd', 'softmax_forward', SOFTMAX_DIMS, {}, 3, 1),
      [gpuBuffer(xc), mask ? gpuBuffer(mask.t) : x.backend.dummy, gpuBuffer(y)],
      softmaxUniforms(g, causal, mask, scale, xc.offset, y.offset, 0, 0),
      Math.ceil(g.rows / WORKGROUP),
    );
  }
  xc.dispose();
  releaseAll(mask);
  return y;
}

/** ∂x = scale · y ∘ (g − Σ_j g_j y_j) per row, without autograd. */
function attentionSoftmaxBackwardRaw(y: Tensor, g: Tensor, scale: number): Tensor {
  const geo = softmaxGeometry(y, {});
  const gc = contiguousRaw(g);
  const dx = empty(y.shape, 'f32', y.backend);
  if (y.backend.kind === 'cpu') {
    const Y = cpuArray(y);
    const Gd = cpuArray(gc);
    const DX = cpuArray(dx);
    const Tk = geo.Tk;
    for (let r = 0; r < geo.rows; r++) {
      let yg = 0;
      for (let j = 0; j < Tk; j++) yg += Y[y.offset + r * Tk + j] * Gd[gc.offset + r * Tk + j];
      for (let j = 0; j < Tk; j++) DX[r * Tk + j] = scale * Y[y.offset + r * Tk + j] * (Gd[gc.offset + r * Tk + j] - yg);
    }
  } else {
    y.backend.dispatch(
      spec('bwd', 'softmax_backward', SOFTMAX_DIMS, {}, 3, 1),
      [gpuBuffer(y), gpuBuffer(gc), gpuBuffer(dx)],
      softmaxUniforms(geo, false, null, scale, 0, y.offset, gc.offset, dx.offset),
      Math.ceil(geo.rows / WORKGROUP),
    );
  }
  gc.dispose();
  return dx;
}

/**
 * softmax(scale · x) over the last dim of scores x [B, ..., Tk], restricted to the visible keys:
 * the padding mask (f32 [B, Tk], row b for every x[b, ...]) and, for x [B, ..., Tq, Tk], the
 * causal rule. Hidden keys get weight 0; a row with no visible key is all zeros. Autograd to x.
 */
export function attentionSoftmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  const y = attentionSoftmaxRaw(x, opts);
  const scale = opts.scale ?? 1;
  return record1(y, [x], (g) => [attentionSoftmaxBackwardRaw(y, g, scale)], 'attentionSoftmax');
}
