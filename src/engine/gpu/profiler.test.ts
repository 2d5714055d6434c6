import { describe, expect, it } from 'vitest';
import { sharedGpu, testBackends } from '../testing/backends';
import { GpuProfiler } from './profiler';

const gpuOnly = testBackends().some((b) => b.name === 'webgpu');

describe.runIf(gpuOnly)('GpuProfiler (timestamp queries)', () => {
  it('times each labelled pass once per submit and sums per label', async () => {
    const backend = await sharedGpu();
    const device = backend.device;
    if (!GpuProfiler.isSupported(device)) return; // the feature is optional; device.ts asks for it when offered
    const prof = new GpuProfiler(device, 4);
    for (let submit = 0; submit < 2; submit++) {
      const enc = device.createCommandEncoder();
      for (const label of ['a', 'b', 'a']) enc.beginComputePass(prof.timedPass(label)).end();
      prof.resolve(enc);
      device.queue.submit([enc.finish()]);
      void prof.collect();
    }
    const r = await prof.report();
    expect(r.map((k) => [k.label, k.calls]).sort()).toEqual([
      ['a', 4],
      ['b', 2],
    ]);
    for (const k of r) {
      expect(Number.isFinite(k.totalMs) && k.totalMs >= 0).toBe(true);
      expect(k.meanMs).toBeCloseTo(k.totalMs / k.calls, 9);
    }
    // Past capacity a pass runs untimed and is counted as dropped.
    const enc = device.createCommandEncoder();
    for (let i = 0; i < 5; i++) enc.beginComputePass(prof.timedPass('c')).end();
    prof.resolve(enc);
    device.queue.submit([enc.finish()]);
    await prof.collect();
    expect(prof.dropped).toBe(1);
    expect((await prof.report()).find((k) => k.label === 'c')?.calls).toBe(4);
    prof.destroy();
    expect(backend.errors).toEqual([]);
  });
});
