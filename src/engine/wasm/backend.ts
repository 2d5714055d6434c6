// `--backend wasm`: the CPU backend with the WebAssembly SIMD kernels attached.

import { CpuBackend } from '../backend';
import { createWasmKernels } from './runtime';

export async function createWasmBackend(): Promise<CpuBackend> {
  const kernels = await createWasmKernels();
  return new CpuBackend({ wasm: kernels });
}
