// The automatic backend choice: without WebGPU it takes the WebAssembly backend and says why;
// with a GPU (the node-gpu and browser projects) it takes whichever its measurement found faster.
import { describe, expect, it } from 'vitest';
import { chooseFastestBackend, probeMatmulMs } from './backend-choice';
import { acquireGpu } from './gpu/device';
import { GpuBackend } from './gpu/gpu-backend';

const withGpu = typeof process !== 'undefined' && process.env?.AP_TEST_BACKENDS === 'webgpu';

describe('chooseFastestBackend', () => {
  it('without WebGPU: the WebAssembly backend, and the reason names why', async () => {
    const c = await chooseFastestBackend(() => Promise.reject(new Error('no adapter')));
    expect(c.backend.kind).toBe('cpu');
    expect(c.backend.kind === 'cpu' && c.backend.wasm).toBeTruthy();
    expect(c.gpuUnavailable).toBe('no adapter');
    expect(c.reason).toMatch(/^WebGPU unavailable \(no adapter\); using WebAssembly SIMD/);
    if (c.backend.kind === 'cpu') c.backend.wasm?.stopThreads();
  });

  it('the probe times a read-back matmul', async () => {
    const c = await chooseFastestBackend(() => Promise.reject(new Error('none')));
    const ms = await probeMatmulMs(c.backend, 1);
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
    if (c.backend.kind === 'cpu') c.backend.wasm?.stopThreads();
  });

  it.runIf(withGpu)('with WebGPU: the faster of the two by its own figures', async () => {
    // Its own device: the loser is destroyed.
    const c = await chooseFastestBackend(async () => new GpuBackend(await acquireGpu()));
    const figures = /took ([\d.]+) ms on WebGPU .* and ([\d.]+) ms on /.exec(c.reason);
    expect(figures, c.reason).not.toBeNull();
    const [gpuMs, cpuMs] = [Number(figures![1]), Number(figures![2])];
    expect(c.backend.kind).toBe(gpuMs <= cpuMs ? 'webgpu' : 'cpu');
    if (c.backend.kind === 'webgpu') c.backend.destroy();
    else c.backend.wasm?.stopThreads();
  });
});
