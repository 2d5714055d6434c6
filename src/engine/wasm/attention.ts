// Host side of the WebAssembly attention (wasm/attention.ts): copies the [B, H, T, c] operands'
// spans in, runs the forward or backward over every (batch, head) block, copies the results out.

import type { PoolFunction } from './pool';
import { align, Arena, type WasmKernels } from './runtime';

/** Below this many multiply-adds an attention call runs on the calling thread alone. */
const PARALLEL_WORK = 5e5;

/** fn over the B·H blocks (the two arguments before the last are the block range, the last the scratch). */
function run(k: WasmKernels, fn: PoolFunction, args: number[], blocks: number, scratchBytes: number, work: number): void {
  const itemArg = args.length - 3;
  if (k.pool && work >= PARALLEL_WORK) k.pool.run(fn, args, itemArg, blocks, args.length - 1, scratchBytes);
  else {
    args[itemArg] = 0;
    args[itemArg + 1] = blocks;
    (k.exports[fn] as (...a: number[]) => void)(...args);
  }
}

/** A [B, H, T, c] operand over a typed array: element (b, h, t, c) at data[s[0] + b·s[1] + h·s[2] + t·s[3] + c]. */
export interface HeadOperand {
  data: Float32Array;
  s: readonly [number, number, number, number];
}

export interface AttentionDims {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
  dv: number;
  scale: number;
  causal: boolean;
}

/** Elements from the operand's first to its last. */
function span(o: HeadOperand, B: number, H: number, T: number, c: number): number {
  return 1 + (B - 1) * o.s[1] + (H - 1) * o.s[2] + (T - 1) * o.s[3] + (c - 1);
}

function put(arena: Arena, o: HeadOperand, B: number, H: number, T: number, c: number): number[] {
  return [arena.input(o.data, o.s[0], span(o, B, H, T, c)), o.s[1], o.s[2], o.s[3]];
}

/**
 * out (a whole buffer of oSize elements, written through strides os from its element 0), lse
 * [B, H, Tq] and, when given, weights [B, H, Tq, Tk].
 */
export function wasmSdpaForward(
  k: WasmKernels,
  dm: AttentionDims,
  q: HeadOperand,
  key: HeadOperand,
  v: HeadOperand,
  mask: { data: Float32Array; offset: number } | null,
  out: { data: Float32Array; size: number; s: readonly number[] },
  lse: { data: Float32Array; offset: number },
  weights: { data: Float32Array; offset: number } | null,
): void {
  const { B, H, Tq, Tk, d, dv } = dm;
  const a = new Arena(k);
  const Q = put(a, q, B, H, Tq, d);
  const K = put(a, key, B, H, Tk, d);
  const V = put(a, v, B, H, Tk, dv);
  const M = mask ? a.input(mask.data, mask.offset, B * Tk) : 0;
  const O = a.alloc(out.size * 4);
  const L = a.alloc(B * H * Tq * 4);
  const W = weights ? a.alloc(B * H * Tq * Tk * 4) : 0;
  const scratch = align(Tk * 4, 64);
  const S = a.alloc(scratch * k.threads);
  const args = [...Q, ...K, ...V, O + out.s[0] * 4, out.s[1], out.s[2], out.s[3], M, L, W, H, Tq, Tk, d, dv, dm.scale, dm.causal ? 1 : 0, 0, 0, S];
  run(k, 'sdpaForward', args, B * H, scratch, B * H * Tq * Tk * (d + dv));
  a.output(O, out.size, out.data, 0);
  a.output(L, B * H * Tq, lse.data, lse.offset);
  if (weights) a.output(W, B * H * Tq * Tk, weights.data, weights.offset);
}

/** A gradient written through strides (offset, batch, head, row) into a whole buffer. */
export interface GradTarget {
  s: readonly number[];
}

/**
 * dQ into g1 (B·H·Tq·d elements) and dK, dV into g2 (B·H·Tk·(d + dv) elements), each written
 * through its strides; lse [B, H, Tq] from the forward.
 */
export function wasmSdpaBackward(
  k: WasmKernels,
  dm: AttentionDims,
  q: HeadOperand,
  key: HeadOperand,
  v: HeadOperand,
  o: HeadOperand,
  dO: HeadOperand,
  mask: { data: Float32Array; offset: number } | null,
  lse: { data: Float32Array; offset: number },
  g1: Float32Array,
  g2: Float32Array,
  dq: GradTarget,
  dk: GradTarget,
  dvT: GradTarget,
): void {
  const { B, H, Tq, Tk, d, dv } = dm;
  const a = new Arena(k);
  const Q = put(a, q, B, H, Tq, d);
  const K = put(a, key, B, H, Tk, d);
  const V = put(a, v, B, H, Tk, dv);
  const O = put(a, o, B, H, Tq, dv);
  const G = put(a, dO, B, H, Tq, dv);
  const M = mask ? a.input(mask.data, mask.offset, B * Tk) : 0;
  const L = a.input(lse.data, lse.offset, B * H * Tq);
  const n1 = B * H * Tq * d;
  const n2 = B * H * Tk * (d + dv);
  const P1 = a.alloc(n1 * 4);
  const P2 = a.alloc(n2 * 4);
  const scratch = align((2 * Tq * Tk + Tq) * 4, 64);
  const S = a.alloc(scratch * k.threads);
  const target = (base: number, t: GradTarget) => [base + t.s[0] * 4, t.s[1], t.s[2], t.s[3]];
  const args = [...Q, ...K, ...V, ...O, ...G, M, L, ...target(P1, dq), ...target(P2, dk), ...target(P2, dvT), H, Tq, Tk, d, dv, dm.scale, dm.causal ? 1 : 0, 0, 0, S];
  run(k, 'sdpaBackward', args, B * H, scratch, 3 * B * H * Tq * Tk * (d + dv));
  a.output(P1, n1, g1, 0);
  a.output(P2, n2, g2, 0);
}
