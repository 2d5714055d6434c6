// What both CLI commands share: the one-line `error: ...` exit, and picking the backend (WebGPU
// through Dawn, the WebAssembly CPU backend or the CPU reference; --backend auto measures which is fastest).

import { acquireGpu, chooseFastestBackend, cpuBackend, createWasmBackend, GpuBackend, type Backend } from '../engine';

/** Prints `error: <first line>` on stderr and exits (2: bad options or files). */
export function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

export type BackendChoice = 'webgpu' | 'wasm' | 'cpu' | 'auto';

/** `--backend VALUE` of the small commands (translate, evaluate); throws with the option's message. */
export function backendOption(value: string): BackendChoice {
  if (value !== 'webgpu' && value !== 'wasm' && value !== 'cpu' && value !== 'auto') throw new Error(`--backend must be webgpu, wasm, cpu or auto, not '${value}'`);
  return value;
}

/** `--beam K` of translate and evaluate. */
export function beamOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--beam must be a whole number from 1 to 64, not '${value}'`);
  return n;
}

export async function chooseBackend(kind: BackendChoice): Promise<{ backend: Backend; note?: string }> {
  if (kind === 'cpu') return { backend: cpuBackend };
  if (kind === 'wasm') return { backend: await createWasmBackend() };
  if (kind === 'auto') {
    // The fastest here, measured (src/engine/backend-choice.ts); the note says which and why.
    const { backend, reason } = await chooseFastestBackend(async () => new GpuBackend(await acquireGpu()));
    return { backend, note: `--backend auto: ${reason}` };
  }
  try {
    const ctx = await acquireGpu();
    return { backend: new GpuBackend(ctx) };
  } catch (e) {
    fail(`--backend webgpu: ${(e as Error).message}`);
  }
}
