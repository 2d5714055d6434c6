// Which backends a test run covers. Node's `unit` project: the CPU reference; `node-gpu`: Dawn;
// the browser project: Chromium's WebGPU. Every op suite loops over `testBackends()`.

import { CpuBackend, cpuBackend, type Backend } from '../backend';
import { acquireGpu } from '../gpu/device';
import { GpuBackend } from '../gpu/gpu-backend';
import { createWasmBackend } from '../wasm/backend';

let gpu: Promise<GpuBackend> | null = null;
let wasm: Promise<CpuBackend> | null = null;

/** The WebAssembly SIMD backend (AP_TEST_BACKENDS=wasm), one per test file. */
export function sharedWasm(): Promise<CpuBackend> {
  if (!wasm) wasm = createWasmBackend();
  return wasm;
}

export function sharedGpu(): Promise<GpuBackend> {
  if (!gpu) {
    gpu = acquireGpu().then((ctx) => {
      const b = new GpuBackend(ctx);
      console.log(`[attention-playground] WebGPU adapter: ${ctx.adapterName}`);
      return b;
    });
  }
  return gpu;
}

function wanted(): string[] {
  const env = typeof process !== 'undefined' ? process.env?.AP_TEST_BACKENDS : undefined;
  if (env) return env.split(',');
  return ['webgpu']; // the browser project
}

export interface NamedBackend {
  name: string;
  get(): Promise<Backend>;
}

export function testBackends(): NamedBackend[] {
  return wanted().map((name) =>
    name === 'cpu' ? { name, get: async () => cpuBackend } : name === 'wasm' ? { name, get: () => sharedWasm() } : { name, get: () => sharedGpu() },
  );
}

/** Double-precision CPU reference for finite differences. */
export const cpu64 = new CpuBackend({ float64: true });
