// The two places a tensor's numbers can live: plain typed arrays (the CPU reference backend, also
// the fallback where WebGPU is missing) or GPU buffers scheduled by GpuBackend.

import type { GpuBackend } from './gpu/gpu-backend';
import type { WasmKernels } from './wasm/runtime';
import { ArrayPool } from './wasm/array-pool';

export class CpuBackend {
  readonly kind = 'cpu' as const;
  readonly adapterName: string;
  /**
   * Store f32 tensors as float64: the gradient tests take finite differences of the reference
   * in double precision, so that rounding does not hide a wrong gradient.
   */
  readonly float64: boolean;
  /**
   * WebAssembly SIMD kernels for the hot ops (`--backend wasm`; see src/engine/wasm/): each op
   * with a kernel takes it first, every other op runs its plain loop on the same typed arrays.
   */
  readonly wasm: WasmKernels | null;
  /** Typed arrays reused across steps (the WebAssembly backend only; the reference allocates afresh). */
  readonly arrays: ArrayPool | null;
  constructor(options: { float64?: boolean; wasm?: WasmKernels } = {}) {
    this.float64 = !!options.float64;
    this.wasm = options.wasm && !this.float64 ? options.wasm : null;
    this.arrays = this.wasm ? new ArrayPool() : null;
    this.adapterName = this.float64 ? 'CPU reference (float64)' : this.wasm ? this.wasm.describe() : 'CPU reference';
  }
  private live = 0;
  private peak = 0;
  track(bytes: number): void {
    this.live += bytes;
    this.peak = Math.max(this.peak, this.live);
  }
  memory(): { liveBytes: number; peakBytes: number } {
    return { liveBytes: this.live, peakBytes: this.peak };
  }
}

export type Backend = CpuBackend | GpuBackend;

export const cpuBackend = new CpuBackend();

let defaultBackend: Backend = cpuBackend;

/** The backend new tensors go to when none is named (like torch's default device). */
export function getDefaultBackend(): Backend {
  return defaultBackend;
}

export function setDefaultBackend(b: Backend): void {
  defaultBackend = b;
}

/** The backend's name in CLI options, logs and benchmarks: 'webgpu', 'wasm' or 'cpu'. */
export function backendName(b: Backend): 'webgpu' | 'wasm' | 'cpu' {
  return b.kind === 'webgpu' ? 'webgpu' : b.wasm ? 'wasm' : 'cpu';
}

export function memoryOf(b: Backend): { liveBytes: number; peakBytes: number } {
  if (b.kind === 'cpu') return b.memory();
  const s = b.pool.snapshot();
  return { liveBytes: s.liveBytes, peakBytes: s.peakBytes };
}
