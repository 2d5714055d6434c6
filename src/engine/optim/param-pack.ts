// Packing every parameter's gradient into one GPU buffer, so that the non-finite check, the norms,
// clipping and the optimizer each cover all parameters in one dispatch (or one per five
// parameters for the optimizer, which must also write the parameters' own buffers).
//
// WGSL cannot index a variable number of buffers, and the engine keeps each parameter (and each
// gradient autograd produces) in its own buffer. `packGrads` copies the gradients into one flat
// buffer with N buffer-to-buffer copies (copy commands, not dispatches) and then makes every
// `p.grad` a view into it: clipping that buffer in place is clipping `p.grad`, exactly as
// PyTorch's in-place `clip_grad_*_` functions, and a second call (the optimizer after the
// clipping) finds the gradients already packed and copies nothing.
//
// Segment table (u32, on the GPU): one row per parameter (offset, size, firstPiece, flag) and a
// sentinel row (total, 0, numPieces, 0). A parameter without a gradient has size 0 and no piece.
// A piece is one invocation's share of a parameter in clip.wgsl: a parameter of n elements has
// P = piecesOf(n) pieces, and piece j takes elements j, j + P, j + 2P, … (neighbouring
// invocations read neighbouring elements). Partial norms are per piece, so no workgroup memory
// and no barriers are needed (barriers are costly on SwiftShader, the CPU fallback).

import type { GpuBackend } from '../gpu/gpu-backend';
import { keep } from '../scope';
import { contiguousStrides } from '../shape';
import { empty, fromData, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw } from '../ops/view';

/** Elements per piece (the work of one invocation in shaders/clip.wgsl) for tensors up to PIECE · MAX_PIECES. */
export const PIECE = 64;
/** At most this many pieces per parameter (bigger parameters get longer pieces): the serial loop of clip.wgsl's finalize. */
export const MAX_PIECES = 4096;

export function piecesOf(size: number): number {
  return Math.min(Math.ceil(size / PIECE), MAX_PIECES);
}

export interface GradPack {
  readonly backend: GpuBackend;
  readonly params: readonly Tensor[];
  /** Element offset of parameter i's gradient in `flat`, or −1 when it has no gradient. */
  readonly offsets: readonly number[];
  /** Elements of all gradients together. */
  readonly total: number;
  /** Pieces over every gradient (the invocations of the segmented kernels). */
  readonly numPieces: number;
  /** [total] over the packed storage; every present `p.grad` is a view into it. */
  readonly flat: Tensor;
  /** The segment table; `flags[i]` sets row i's flag (default: every parameter with a gradient). */
  table(flags?: readonly boolean[]): Tensor;
  /** Releases this handle on the packed storage (the gradients' views keep it alive). */
  dispose(): void;
}

/** Where each gradient goes: consecutive, in parameter order; −1 for parameters without one. */
function layoutOf(params: readonly Tensor[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const p of params) {
    if (!p.grad) offsets.push(-1);
    else {
      offsets.push(total);
      total += p.size;
    }
  }
  return { offsets, total };
}

/** True when every gradient already is a contiguous view at its place in one storage of exactly `total` elements. */
function alreadyPacked(params: readonly Tensor[], offsets: readonly number[], total: number): boolean {
  let storage = null;
  for (let i = 0; i < params.length; i++) {
    const g = params[i].grad;
    if (!g) continue;
    if (storage === null) storage = g.storage;
    if (g.storage !== storage || g.offset !== offsets[i] || !g.isContiguous) return false;
  }
  return storage !== null && storage.length === total;
}

// Segment tables by layout, per backend: a training run has one or two layouts, so the table
// is uploaded once rather than every step (and keeps one buffer, which keeps bind groups cached).
const tableCache = new WeakMap<GpuBackend, Map<string, Tensor>>();
const TABLE_CACHE_SIZE = 16;

function segmentTable(backend: GpuBackend, params: readonly Tensor[], offsets: readonly number[], total: number, flags?: readonly boolean[]): Tensor {
  const rows = new Uint32Array((params.length + 1) * 4);
  let piece = 0;
  for (let i = 0; i < params.length; i++) {
    const size = offsets[i] < 0 ? 0 : params[i].size;
    rows.set([Math.max(0, offsets[i]), size, piece, size > 0 && (flags ? flags[i] : true) ? 1 : 0], i * 4);
    piece += piecesOf(size);
  }
  rows.set([total, 0, piece, 0], params.length * 4);
  const key = rows.join(',');
  let cache = tableCache.get(backend);
  if (!cache) tableCache.set(backend, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && !hit.isDisposed) return hit;
  if (cache.size >= TABLE_CACHE_SIZE) {
    const [oldKey, old] = cache.entries().next().value as [string, Tensor];
    old.dispose();
    cache.delete(oldKey);
  }
  const t = keep(fromData(new Int32Array(rows.buffer), [rows.length], 'i32', backend));
  cache.set(key, t);
  return t;
}

function pieceCount(params: readonly Tensor[], offsets: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < params.length; i++) if (offsets[i] >= 0) n += piecesOf(params[i].size);
  return n;
}

/**
 * Packs the gradients of `params` (GPU tensors) into one buffer and points each `p.grad` at its
 * slice. Costs one buffer copy per gradient, or nothing when they are already packed.
 */
export function packGrads(params: readonly Tensor[], backend: GpuBackend): GradPack {
  const { offsets, total } = layoutOf(params);
  let flat: Tensor;
  if (alreadyPacked(params, offsets, total)) {
    const first = params.find((p) => p.grad)!.grad!;
    flat = first.view([total], [1], 0);
  } else {
    flat = empty([total], 'f32', backend);
    const dst = gpuBuffer(flat);
    params.forEach((p, i) => {
      const g0 = p.grad;
      if (!g0) return;
      if (g0.backend !== backend) throw new Error(`packGrads: the gradient of ${p} is not on this backend`);
      if (g0.size === 0) return;
      const g = g0.isContiguous ? g0 : contiguousRaw(g0);
      backend.copy(gpuBuffer(g), g.offset * 4, dst, offsets[i] * 4, g.size * 4);
      if (g !== g0) g.dispose();
    });
    params.forEach((p, i) => {
      const g0 = p.grad;
      if (!g0) return;
      p.grad = keep(flat.view(p.shape, contiguousStrides(p.shape), offsets[i]));
      g0.dispose();
    });
  }
  const numPieces = pieceCount(params, offsets);
  return {
    backend,
    params,
    offsets,
    total,
    numPieces,
    flat,
    table: (flags) => segmentTable(backend, params, offsets, total, flags),
    dispose: () => flat.dispose(),
  };
}
