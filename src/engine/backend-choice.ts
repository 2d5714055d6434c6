// `--backend auto` and the page's default: the fastest backend on this machine, by a short
// measurement at start-up. WebGPU wins on a real GPU; where it is only SwiftShader (a Vulkan
// emulation on the CPU) or missing, the WebAssembly SIMD backend does. The answer says which and
// why, with the figures.

import { cpuBackend, type Backend, type CpuBackend } from './backend';
import type { GpuBackend } from './gpu/gpu-backend';
import { matmulRaw } from './ops/matmul';
import { fromData, toArray } from './storage';
import { createWasmBackend } from './wasm/backend';

export interface BackendChoice {
  backend: Backend;
  /** One sentence: why this backend (the measurement, or why the other was not possible). */
  reason: string;
  /** Set when WebGPU could not be had at all: why (nothing was measured). */
  gpuUnavailable?: string;
}

/** The probe: a 256³ matmul (the size of our larger models' products) read back. */
const PROBE = 256;

/** Median ms of a probe matmul read back on `backend` (two warm-ups: pipelines, pools, JIT). */
export async function probeMatmulMs(backend: Backend, reps = 3): Promise<number> {
  const n = PROBE;
  const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  const a = fromData(data, [n, n], 'f32', backend);
  const b = fromData(data, [n, n], 'f32', backend);
  const times: number[] = [];
  try {
    for (let i = 0; i < reps + 2; i++) {
      const t0 = performance.now();
      const c = matmulRaw(a, b);
      await toArray(c);
      c.dispose();
      if (i >= 2) times.push(performance.now() - t0);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  times.sort((x, y) => x - y);
  return times[times.length >> 1];
}

/**
 * WebGPU (from `gpu()`) against the WebAssembly backend, timed; the loser is released (a GPU
 * device destroyed). Without WebAssembly SIMD the plain CPU reference stands in for it.
 */
export async function chooseFastestBackend(gpu: () => Promise<GpuBackend>): Promise<BackendChoice> {
  let cpu: CpuBackend;
  let cpuNote = '';
  try {
    cpu = await createWasmBackend();
  } catch (e) {
    cpu = cpuBackend;
    cpuNote = ` (WebAssembly SIMD unavailable: ${(e as Error).message})`;
  }
  let g: GpuBackend;
  try {
    g = await gpu();
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    return { backend: cpu, reason: `WebGPU unavailable (${why}); using ${cpu.adapterName}${cpuNote}`, gpuUnavailable: why };
  }
  const [gpuMs, cpuMs] = [await probeMatmulMs(g), await probeMatmulMs(cpu)];
  const figures = `a ${PROBE}³ matmul took ${gpuMs.toFixed(1)} ms on WebGPU (${g.adapterName}) and ${cpuMs.toFixed(1)} ms on ${cpu.adapterName}${cpuNote}`;
  if (gpuMs <= cpuMs) {
    cpu.wasm?.stopThreads();
    return { backend: g, reason: `WebGPU is the faster here: ${figures}` };
  }
  g.destroy();
  const why = g.isAdapter('swiftshader') ? 'WebGPU runs on SwiftShader here (an emulation on the CPU)' : 'the CPU is the faster here';
  return { backend: cpu, reason: `${why}: ${figures}` };
}
