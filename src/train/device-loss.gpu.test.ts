// What the worker does when its GPUDevice is lost and no new one can be had: the automatic
// checkpoint taken on the GPU is loaded on the CPU backend and training goes on from its step,
// with the same weights. (The e2e suite covers the page's side with a new GPU device.)
import { describe, expect, it } from 'vitest';
import { acquireGpu, cpuBackend, GpuBackend, toArray } from '../engine';
import { validateConfig } from './config';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { Trainer } from './trainer';

const gpuProject = typeof process !== 'undefined' && process.env.AP_TEST_BACKENDS === 'webgpu';

describe.skipIf(!gpuProject)('device loss without a new device', () => {
  it('the GPU checkpoint continues on the CPU backend from its step, with its weights', async () => {
    const r = validateConfig({ task: 'copy', layers: 1, dModel: 16, heads: 2, dFF: 32, batch: 8, maxLen: 12, steps: 100 });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    // A device of its own, so that destroying it does not disturb the other suites.
    const gpu = new GpuBackend(await acquireGpu());
    const t = Trainer.create(r.config, gpu);
    for (let i = 0; i < 5; i++) await t.trainStep();
    const checkpoint = await saveCheckpoint(t);
    const weights = await toArray(t.model.namedParameters()[0][1]);
    gpu.device.destroy();
    await expect(t.trainStep()).rejects.toThrow();

    const { trainer: cpu } = loadCheckpoint(checkpoint, cpuBackend);
    expect(cpu.step).toBe(5);
    expect(Array.from(await toArray(cpu.model.namedParameters()[0][1]))).toEqual(Array.from(weights));
    const next = await cpu.trainStep();
    expect(next.metrics.step).toBe(6);
    expect(Number.isFinite(next.metrics.loss)).toBe(true);
    cpu.dispose();
  });
});
