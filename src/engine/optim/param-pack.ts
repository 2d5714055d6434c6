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
// Segment table (u32, on the GPU): one row per parameter (offset, size, firstChunk, flag) and a
// sentinel row (total, 0, numChunks, 0). A parameter without a gradient has size 0 and no chunk.
// A chunk is CHUNK elements of one parameter, the unit of work of one workgroup in clip.wgsl.

import type { GpuBackend } from '../gpu/gpu-backend';
import { keep } from '../scope';
import { contiguousStrides } from '../shape';
import { empty, fromData, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw } from '../ops/view';

/** Elements per workgroup in the segmented kernels of shaders/clip.wgsl (256 invocations × 8). */
export const CHUNK = 2048;

export interface GradPack {
  readonly backend: GpuBackend;
  readonly params: readonly Tensor[];
  /** Element offset of parameter i's gradient in `flat`, or −1 when it has no gradient. */
  readonly offsets: readonly number[];
  /** Elements of all gradients together. */
  readonly total: number;
  readonly numChunks: number;
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
  let chunk = 0;
  for (let i = 0; i < params.length; i++) {
    const size = offsets[i] < 0 ? 0 : params[i].size;
    rows.set([Math.max(0, offsets[i]), size, chunk, size > 0 && (flags ? flags[i] : true) ? 1 : 0], i * 4);
    chunk += Math.ceil(size / CHUNK);
  }
  rows.set([total, 0, chunk, 0], params.length * 4);
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

/** Chunks of CHUNK elements over every gradient (the partial-reduction workgroups). */
export function chunkCount(params: readonly Tensor[], offsets: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < params.length; i++) if (offsets[i] >= 0) n += Math.ceil(params[i].size / CHUNK);
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
  const numChunks = chunkCount(params, offsets);
  return {
    backend,
    params,
    offsets,
    total,
    numChunks,
    flat,
    table: (flags) => segmentTable(backend, params, offsets, total, flags),
    dispose: () => flat.dispose(),
  };
}
