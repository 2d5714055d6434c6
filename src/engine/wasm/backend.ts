// `--backend wasm`: the CPU backend with the WebAssembly SIMD kernels attached.

import { CpuBackend } from '../backend';
import { createWasmKernels, type WasmOptions } from './runtime';

export async function createWasmBackend(options: WasmOptions = {}): Promise<CpuBackend> {
  const kernels = await createWasmKernels(options);
  return new CpuBackend({ wasm: kernels });
}
