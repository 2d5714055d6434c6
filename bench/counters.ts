// GpuBackend counters over one step: dispatches, submits and readbacks encoded by it, and the
// buffer pool's peak live bytes while it ran (the pool's peak is reset just before).

import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import type { StepCounters } from './types';

export async function countStep(backend: GpuBackend, step: () => Promise<void>): Promise<StepCounters> {
  const c0 = { ...backend.counters };
  backend.pool.resetPeak();
  await step();
  const c1 = backend.counters;
  return {
    dispatches: c1.dispatches - c0.dispatches,
    submits: c1.submits - c0.submits,
    readbacks: c1.readbacks - c0.readbacks,
    gpu_bytes_peak: backend.pool.snapshot().peakBytes,
  };
}
