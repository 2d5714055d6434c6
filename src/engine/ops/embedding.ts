// Embedding lookup, F.embedding(indices, weight, padding_idx): y[..., :] = W[indices[...], :].
// Kernels: shaders/embedding.wgsl; the deterministic scatter-add of the backward (a counting sort
// of the positions by index, then a gather) is explained there.
//
//   dW[v, :] = Σ_{i : idx_i = v} dy[i, :]   (exact for repeated indices),  dW[padding_idx, :] = 0
//
// Out-of-range indices: the CPU reference throws (as PyTorch does); a GPU kernel cannot raise, so
// there the row reads as zeros and adds to no gradient row.

import code from '../../../shaders/embedding.wgsl?raw';
import { record1 } from '../autograd';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { shapeStr } from '../shape';
import { cpuArray, cpuValues, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw } from './view';

const WORKGROUP = 64;

export interface EmbeddingOptions {
  /** Rows at this index get no gradient (PyTorch's padding_idx; negative counts from the end). */
  paddingIdx?: number | null;
}

type Entry = 'embedding_forward' | 'embedding_zero' | 'embedding_count' | 'embedding_scan' | 'embedding_place' | 'embedding_sort' | 'embedding_gather';
const BINDINGS: Record<Entry, ('read' | 'write')[]> = {
  embedding_forward: ['read', 'read', 'write'],
  embedding_zero: ['write'],
  embedding_count: ['read', 'write'],
  embedding_scan: ['write', 'write'],
  embedding_place: ['read', 'read', 'write', 'write'],
  embedding_sort: ['read', 'write'],
  embedding_gather: ['read', 'read', 'read', 'write'],
};

function spec(entryPoint: Entry): KernelSpec {
  return { name: 'embedding', code, entryPoint, bindings: BINDINGS[entryPoint] };
}

/** padding_idx normalised to [0, V), or -1 for none. */
export function normPaddingIdx(paddingIdx: number | null | undefined, V: number): number {
  if (paddingIdx === null || paddingIdx === undefined) return -1;
  const p = paddingIdx < 0 ? paddingIdx + V : paddingIdx;
  if (!Number.isInteger(p) || p < 0 || p >= V) throw new Error(`embedding: padding_idx ${paddingIdx} is outside [-${V}, ${V})`);
  return p;
}

function checkIndices(indices: Tensor, op: string): void {
  if (indices.dtype !== 'i32') throw new Error(`${op}: indices must be an i32 tensor, got ${indices.dtype}`);
  if (indices.backend.kind !== 'cpu' && !indices.isContiguous) {
    throw new Error(`${op}: indices on the GPU must be contiguous (strided i32 copies are CPU-only)`);
  }
}

function checkWeight(weight: Tensor, indices: Tensor): void {
  if (weight.dtype !== 'f32' || weight.rank !== 2) throw new Error(`embedding: weight must be an f32 [V, D] tensor, got ${weight.dtype} ${shapeStr(weight.shape)}`);
  if (weight.backend !== indices.backend) throw new Error('embedding: indices and weight are on different backends');
}

/** The indices of a CPU tensor in row-major order, each checked against [0, V). */
function cpuIndices(indices: Tensor, V: number, op: string): Int32Array | Float32Array | Float64Array {
  const I = cpuValues(indices);
  for (let i = 0; i < I.length; i++) {
    if (!(I[i] >= 0 && I[i] < V)) {
      throw new Error(`${op}: index ${I[i]} at position ${i} is out of range for ${V} embeddings`);
    }
  }
  return I;
}

/** Forward without autograd: [...indices.shape, D]. */
export function embeddingRaw(indices: Tensor, weight: Tensor): Tensor {
  checkIndices(indices, 'embedding');
  checkWeight(weight, indices);
  const [V, D] = weight.shape;
  const N = indices.size;
  const backend = weight.backend;
  const out = empty([...indices.shape, D], 'f32', backend);
  if (out.size === 0) return out;
  const w = contiguousRaw(weight);
  if (backend.kind === 'cpu') {
    const I = cpuIndices(indices, V, 'embedding');
    const W = cpuArray(w);
    const Y = cpuArray(out);
    for (let i = 0; i < N; i++) {
      const src = w.offset + I[i] * D;
      for (let d = 0; d < D; d++) Y[i * D + d] = W[src + d];
    }
  } else {
    backend.dispatch(
      spec('embedding_forward'),
      [gpuBuffer(indices), gpuBuffer(w), gpuBuffer(out)],
      uniforms().u32(N, D, V, indices.offset).u32(w.offset, 0).i32(-1).u32(0),
      Math.ceil((N * D) / WORKGROUP),
    );
  }
  w.dispose();
  return out;
}

/** dW [V, D] = scatter-add of dy [..., D] at `indices`, without autograd; row `paddingIdx` (≥ 0) stays 0. */
export function embeddingBackwardRaw(indices: Tensor, dy: Tensor, V: number, paddingIdx = -1): Tensor {
  checkIndices(indices, 'embedding backward');
  const D = dy.shape[dy.rank - 1];
  const N = indices.size;
  if (dy.size !== N * D) throw new Error(`embedding backward: dy ${shapeStr(dy.shape)} does not match ${N} indices`);
  const backend = dy.backend;
  const dw = empty([V, D], 'f32', backend);
  if (dw.size === 0) return dw;
  const g = contiguousRaw(dy);
  if (backend.kind === 'cpu') {
    const I = cpuIndices(indices, V, 'embedding backward');
    const G = cpuArray(g);
    const DW = cpuArray(dw);
    DW.fill(0);
    for (let i = 0; i < N; i++) {
      if (I[i] === paddingIdx) continue;
      const row = I[i] * D;
      for (let d = 0; d < D; d++) DW[row + d] += G[g.offset + i * D + d];
    }
  } else {
    // Counting sort of the positions by index, then a gather (steps in embedding.wgsl).
    const cnt = empty([V], 'i32', backend);
    const off = empty([V + 1], 'i32', backend);
    const perm = empty([Math.max(N, 1)], 'i32', backend);
    const u = () => uniforms().u32(N, D, V, indices.offset).u32(0, g.offset).i32(paddingIdx).u32(0);
    const [I, C, O, Pm] = [gpuBuffer(indices), gpuBuffer(cnt), gpuBuffer(off), gpuBuffer(perm)];
    backend.dispatch(spec('embedding_zero'), [C], u(), Math.ceil(V / WORKGROUP));
    backend.dispatch(spec('embedding_count'), [I, C], u(), Math.ceil(N / WORKGROUP));
    backend.dispatch(spec('embedding_scan'), [C, O], u(), 1);
    backend.dispatch(spec('embedding_place'), [I, O, C, Pm], u(), Math.ceil(N / WORKGROUP));
    backend.dispatch(spec('embedding_sort'), [O, Pm], u(), Math.ceil(V / WORKGROUP));
    backend.dispatch(spec('embedding_gather'), [O, Pm, gpuBuffer(g), gpuBuffer(dw)], u(), Math.ceil(V / WORKGROUP));
    cnt.dispose();
    off.dispose();
    perm.dispose();
  }
  g.dispose();
  return dw;
}

/**
 * F.embedding: looks up rows of `weight` [V, D] at `indices` (i32, any shape) → [...indices.shape, D].
 * The row at `paddingIdx` gets no gradient (its value is used as is; nn.Embedding zeroes it at init).
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkWeight(weight, indices);
  const V = weight.shape[0];
  const pad = normPaddingIdx(options.paddingIdx, V);
  const out = embeddingRaw(indices, weight);
  return record1(out, [weight], (g) => [embeddingBackwardRaw(indices, g, V, pad)], 'embedding');
}
