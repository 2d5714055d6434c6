// Dropout, F.dropout(x, p, training) with an explicit seed: inverted dropout (kept values scaled
// by 1/(1 − p), so evaluation is the identity). Kernel: shaders/dropout.wgsl.
//
//   y_i = x_i·m_i/(1 − p),  m_i = [pcg(seed ⊕ pcg(i)) ≥ ⌊p·2³²⌋],  i the row-major element index
//   dx_i = dy_i·m_i/(1 − p)   (the mask is regenerated from (seed, i), never stored)
//
// The hash is integer arithmetic only (Math.imul and >>> 0 here, u32 in WGSL), so the CPU and the
// GPU drop exactly the same elements for the same seed.

import code from '../../../shaders/dropout.wgsl?raw';
import { record1 } from '../autograd';
import type { Backend } from '../backend';
import type { KernelSpec } from '../gpu/kernel';
import { uniforms } from '../gpu/uniforms';
import { cpuArray, empty, gpuBuffer } from '../storage';
import type { Tensor } from '../tensor';
import { unaryRaw } from './elementwise';
import { contiguousRaw } from './view';

const KERNEL: KernelSpec = { name: 'dropout', code, entryPoint: 'dropout_main', bindings: ['read', 'write'] };

/** PCG-RXS-M-XS 32-bit hash (Jarzynski & Olano 2020), the same as `pcg` in dropout.wgsl. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** ⌊p·2³²⌋ clamped to u32: element i is kept when its hash is ≥ this. */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.floor(p * 4294967296), 4294967295);
}

/** Whether element `i` survives dropout with probability `p` under `seed` (the kernels' rule). */
export function dropoutKeeps(seed: number, i: number, p: number): boolean {
  return pcgHash((seed ^ pcgHash(i)) >>> 0) >= dropoutThreshold(p);
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
}

/** y = x ⊙ mask(seed)/(1 − p) without autograd; contiguous output in x's shape. p = 1 gives zeros. */
export function dropoutRaw(x: Tensor, p: number, seed: number): Tensor {
  checkP(p);
  if (x.dtype !== 'f32') throw new Error(`dropout: expected an f32 tensor, got ${x.dtype}`);
  const backend: Backend = x.backend;
  const out = empty(x.shape, 'f32', backend);
  const n = x.size;
  if (n === 0) return out;
  const thresh = dropoutThreshold(p);
  const scale = p >= 1 ? 0 : 1 / (1 - p);
  const s = seed >>> 0;
  const xc = contiguousRaw(x);
  if (backend.kind === 'cpu') {
    const X = cpuArray(xc);
    const Y = cpuArray(out);
    for (let i = 0; i < n; i++) Y[i] = pcgHash((s ^ pcgHash(i)) >>> 0) >= thresh ? X[xc.offset + i] * scale : 0;
  } else {
    backend.dispatch(KERNEL, [gpuBuffer(xc), gpuBuffer(out)], uniforms().u32(n, xc.offset, s, thresh).f32(scale).u32(0, 0, 0), Math.ceil(n / 256));
  }
  xc.dispose();
  return out;
}

/**
 * F.dropout(x, p, training): zeroes each element with probability p and scales the rest by
 * 1/(1 − p); identity when !training or p = 0. `seed` (a u32) picks the mask: the same seed and
 * shape give the same mask on every backend. Use a fresh seed per call (nn.Dropout does).
 */
export function dropout(x: Tensor, p: number, training: boolean, seed: number): Tensor {
  checkP(p);
  if (!training || p === 0) {
    // A view, so the caller may dispose it like any op's output without freeing x.
    const out = x.view(x.shape, x.strides, x.offset);
    return record1(out, [x], (g) => [unaryRaw('copy', g)], 'dropout');
  }
  const out = dropoutRaw(x, p, seed);
  return record1(out, [x], (g) => [dropoutRaw(g, p, seed)], 'dropout');
}
