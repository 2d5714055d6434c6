// What both CLI commands share: the one-line `error: ...` exit, and picking the backend (WebGPU
// through Dawn, else the CPU reference when --backend auto).

import { acquireGpu, cpuBackend, createWasmBackend, GpuBackend, type Backend } from '../engine';

/** Prints `error: <first line>` on stderr and exits (2: bad options or files). */
export function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

export async function chooseBackend(kind: 'webgpu' | 'wasm' | 'cpu' | 'auto'): Promise<{ backend: Backend; note?: string }> {
  if (kind === 'cpu') return { backend: cpuBackend };
  if (kind === 'wasm') return { backend: await createWasmBackend() };
  try {
    const ctx = await acquireGpu();
    return { backend: new GpuBackend(ctx) };
  } catch (e) {
    if (kind === 'webgpu') fail(`--backend webgpu: ${(e as Error).message}`);
    return { backend: cpuBackend, note: `WebGPU unavailable (${(e as Error).message}); using the CPU backend` };
  }
}
