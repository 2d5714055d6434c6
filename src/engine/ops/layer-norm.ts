// Layer normalisation over the trailing axes, F.layer_norm(x, normalized_shape, weight, bias, eps)
// (Ba, Kiros & Hinton 2016). Kernels: shaders/layernorm.wgsl, where the schedule is explained.
// The kernels normalise the last axis; a normalized_shape of k > 1 trailing axes is that op on x
// reshaped to [..., D = Π normalized_shape] (the statistics are the same sums).
//
//   μ = mean_j x_j,  σ² = mean_j (x_j − μ)²  (biased, as PyTorch),  rstd = 1/√(σ² + eps)
//   y = (x − μ)·rstd ⊙ w + b
//   dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)),  g = dy ⊙ w,  x̂ = (x − μ)·rstd
//   dw = Σ_rows dy ⊙ x̂,  db = Σ_rows dy
//
// The forward saves μ and rstd per row (as PyTorch does) so the backward does not recompute them.

import code from '../../../shaders/layernorm.wgsl?raw';
import { record1 } from '../autograd';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { numel, sameShape, shapeStr } from '../shape';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { contiguousRaw, reshape } from './view';

const WORKGROUP = 64;

type Entry = 'layernorm_forward' | 'layernorm_backward_dx' | 'layernorm_backward_params';
const BINDINGS: Record<Entry, ('read' | 'write')[]> = {
  layernorm_forward: ['read', 'read', 'read', 'write', 'write', 'write'],
  layernorm_backward_dx: ['read', 'read', 'read', 'read', 'read', 'write'],
  layernorm_backward_params: ['read', 'read', 'read', 'read', 'write'],
};

function spec(entryPoint: Entry): KernelSpec {
  return { name: 'layernorm', code, entryPoint, bindings: BINDINGS[entryPoint] };
}

function checkParam(p: Tensor | null, D: number, what: string): void {
  if (!p) return;
  if (p.dtype !== 'f32' || p.rank !== 1 || p.shape[0] !== D) {
    throw new Error(`layerNorm: ${what} must be an f32 tensor of shape [${D}], got ${p.dtype} ${shapeStr(p.shape)}`);
  }
}

function params(R: number, D: number, offX: number, w: Tensor | null, b: Tensor | null, offG: number, eps: number) {
  return uniforms()
    .u32(R, D, offX, w ? w.offset : 0)
    .u32(b ? b.offset : 0, offG, w ? 1 : 0, b ? 1 : 0)
    .f32(eps)
    .u32(0, 0, 0);
}

/** Contiguous 1-D parameter (a copy when strided), or null. */
function flat(p: Tensor | null): Tensor | null {
  return p ? contiguousRaw(p) : null;
}

export interface LayerNormResult {
  y: Tensor;
  /** Per-row mean μ, shape x.shape[:-1]. */
  mean: Tensor;
  /** Per-row 1/√(σ² + eps), shape x.shape[:-1]. */
  rstd: Tensor;
}

/** Forward without autograd; also returns the saved statistics. */
export function layerNormRaw(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): LayerNormResult {
  if (x.dtype !== 'f32' || x.rank < 1) throw new Error(`layerNorm: expected an f32 tensor of rank ≥ 1, got ${x.dtype} ${shapeStr(x.shape)}`);
  const D = x.shape[x.rank - 1];
  checkParam(weight, D, 'weight');
  checkParam(bias, D, 'bias');
  const R = D === 0 ? 0 : x.size / D;
  const rowShape = x.shape.slice(0, -1);
  const backend = x.backend;
  const y = empty(x.shape, 'f32', backend);
  const mean = empty(rowShape, 'f32', backend);
  const rstd = empty(rowShape, 'f32', backend);
  if (R === 0) return { y, mean, rstd };
  const xc = contiguousRaw(x);
  const [w, b] = [flat(weight), flat(bias)];
  if (backend.kind === 'cpu') {
    const X = cpuArray(xc);
    const W = w ? cpuArray(w) : null;
    const B = b ? cpuArray(b) : null;
    const [Y, Mu, Rs] = [cpuArray(y), cpuArray(mean), cpuArray(rstd)];
    for (let r = 0; r < R; r++) {
      const base = xc.offset + r * D;
      let s = 0;
      for (let j = 0; j < D; j++) s += X[base + j];
      const mu = s / D;
      let v = 0;
      for (let j = 0; j < D; j++) v += (X[base + j] - mu) ** 2;
      const rs = 1 / Math.sqrt(v / D + eps);
      for (let j = 0; j < D; j++) {
        let o = (X[base + j] - mu) * rs;
        if (W) o *= W[w!.offset + j];
        if (B) o += B[b!.offset + j];
        Y[r * D + j] = o;
      }
      Mu[r] = mu;
      Rs[r] = rs;
    }
  } else {
    backend.dispatch(
      spec('layernorm_forward'),
      [gpuBuffer(xc), w ? gpuBuffer(w) : backend.dummy, b ? gpuBuffer(b) : backend.dummy, gpuBuffer(y), gpuBuffer(mean), gpuBuffer(rstd)],
      params(R, D, xc.offset, w, b, 0, eps),
      Math.ceil(R / WORKGROUP),
    );
  }
  xc.dispose();
  w?.dispose();
  b?.dispose();
  return { y, mean, rstd };
}

/** dx without autograd, from the saved μ and rstd. */
export function layerNormBackwardDxRaw(x: Tensor, weight: Tensor | null, dy: Tensor, mean: Tensor, rstd: Tensor): Tensor {
  const D = x.shape[x.rank - 1];
  const R = D === 0 ? 0 : x.size / D;
  const backend = x.backend;
  const dx = empty(x.shape, 'f32', backend);
  if (R === 0) return dx;
  const [xc, gc, w] = [contiguousRaw(x), contiguousRaw(dy), flat(weight)];
  if (backend.kind === 'cpu') {
    const [X, G, Mu, Rs, DX] = [cpuArray(xc), cpuArray(gc), cpuArray(mean), cpuArray(rstd), cpuArray(dx)];
    const W = w ? cpuArray(w) : null;
    const wAt = (j: number) => (W ? W[w!.offset + j] : 1);
    for (let r = 0; r < R; r++) {
      const [xb, gb, mu, rs] = [xc.offset + r * D, gc.offset + r * D, Mu[mean.offset + r], Rs[rstd.offset + r]];
      let sg = 0;
      let sgx = 0;
      for (let j = 0; j < D; j++) {
        const g = G[gb + j] * wAt(j);
        sg += g;
        sgx += g * (X[xb + j] - mu) * rs;
      }
      for (let j = 0; j < D; j++) {
        const g = G[gb + j] * wAt(j);
        DX[r * D + j] = rs * (g - sg / D - (X[xb + j] - mu) * rs * (sgx / D));
      }
    }
  } else {
    backend.dispatch(
      spec('layernorm_backward_dx'),
      [gpuBuffer(xc), w ? gpuBuffer(w) : backend.dummy, gpuBuffer(gc), gpuBuffer(mean), gpuBuffer(rstd), gpuBuffer(dx)],
      params(R, D, xc.offset, w, null, gc.offset, 0),
      Math.ceil(R / WORKGROUP),
    );
  }
  xc.dispose();
  gc.dispose();
  w?.dispose();
  return dx;
}

/** [2, D] without autograd: row 0 dweight = Σ_rows dy ⊙ x̂, row 1 dbias = Σ_rows dy. */
export function layerNormBackwardParamsRaw(x: Tensor, dy: Tensor, mean: Tensor, rstd: Tensor): Tensor {
  const D = x.shape[x.rank - 1];
  const R = D === 0 ? 0 : x.size / D;
  const backend = x.backend;
  const out = empty([2, D], 'f32', backend);
  const [xc, gc] = [contiguousRaw(x), contiguousRaw(dy)];
  if (backend.kind === 'cpu') {
    const [X, G, Mu, Rs, O] = [cpuArray(xc), cpuArray(gc), cpuArray(mean), cpuArray(rstd), cpuArray(out)];
    for (let j = 0; j < D; j++) {
      let dw = 0;
      let db = 0;
      for (let r = 0; r < R; r++) {
        const g = G[gc.offset + r * D + j];
        dw += g * (X[xc.offset + r * D + j] - Mu[mean.offset + r]) * Rs[rstd.offset + r];
        db += g;
      }
      O[j] = dw;
      O[D + j] = db;
    }
  } else if (D > 0) {
    backend.dispatch(
      spec('layernorm_backward_params'),
      [gpuBuffer(xc), gpuBuffer(gc), gpuBuffer(mean), gpuBuffer(rstd), gpuBuffer(out)],
      params(R, D, xc.offset, null, null, gc.offset, 0),
      Math.ceil(D / WORKGROUP),
    );
  }
  xc.dispose();
  gc.dispose();
  return out;
}

/**
 * F.layer_norm over the trailing axes `normalizedShape` (default: the weight's shape when it has
 * rank > 1, else the last axis): normalise each row to zero mean and unit (biased) variance, then
 * scale by `weight` and shift by `bias` (either may be null, as elementwise_affine=False or
 * bias=False; both have the normalized shape).
 */
export function layerNorm(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5,
  normalizedShape?: readonly number[]): Tensor {
  const ns = normalizedShape ?? (weight && weight.rank > 1 ? weight.shape : [x.shape[x.rank - 1]]);
  const k = ns.length;
  if (k === 0 || k > x.rank || !sameShape(x.shape.slice(x.rank - k), ns)) {
    throw new Error(`layerNorm: normalized shape ${shapeStr(ns)} is not the trailing axes of x ${shapeStr(x.shape)}`);
  }
  if (k > 1) {
    for (const [p, what] of [[weight, 'weight'], [bias, 'bias']] as const) {
      if (p && !sameShape(p.shape, ns)) throw new Error(`layerNorm: ${what} must have the normalized shape ${shapeStr(ns)}, got ${shapeStr(p.shape)}`);
    }
    const D = numel(ns);
    const flat = (p: Tensor | null) => (p ? reshape(p, [D]) : null);
    const y = layerNorm(reshape(x, [...x.shape.slice(0, x.rank - k), D]), flat(weight), flat(bias), eps);
    return reshape(y, x.shape);
  }
  const { y, mean, rstd } = layerNormRaw(x, weight, bias, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  const out = record1(y, inputs, (g) => {
    const gx = x.requiresGrad ? layerNormBackwardDxRaw(x, weight, g, mean, rstd) : null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (weight?.requiresGrad || bias?.requiresGrad) {
      const D = x.shape[x.rank - 1];
      const packed = layerNormBackwardParamsRaw(x, g, mean, rstd);
      if (weight?.requiresGrad) gw = packed.view([D], [1], packed.offset);
      if (bias?.requiresGrad) gb = packed.view([D], [1], packed.offset + D);
      packed.dispose();
    }
    return [gx, ...(weight ? [gw] : []), ...(bias ? [gb] : [])];
  }, 'layerNorm');
  // Without a tape node nothing holds the statistics.
  if (!out.gradFn) {
    mean.dispose();
    rstd.dispose();
  }
  return out;
}
