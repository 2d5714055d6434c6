// Training-step benchmarks: the extension point for whole models (added once the models exist).
// To add one, push a TrainStepBench onto TRAIN_STEP_BENCHES: `setup` builds the model, its
// optimiser and a fixed batch on our backend and returns one step (forward, backward, optimiser
// update, ending when its GPU work is done); `tfjs` optionally builds the same step in tfjs.
// Each bench becomes one `train_step` row; the first row's counters become the result's
// dispatches/submits/readbacks per step and gpu_bytes_peak.

import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { countStep } from './counters';
import { timeSteps } from './timing';
import type { TrainStepRow } from './types';

export interface PreparedStep {
  /** Model and batch dimensions for the row (d_model, layers, batch, seq, ...). */
  config: Record<string, number | string>;
  step(): Promise<void>;
  dispose(): void;
}

export interface TrainStepBench {
  model: string;
  setup(backend: GpuBackend, reduced: boolean): Promise<PreparedStep>;
  tfjs?(reduced: boolean): Promise<PreparedStep>;
}

export const TRAIN_STEP_BENCHES: TrainStepBench[] = [];

export async function trainStepRows(
  backend: GpuBackend,
  reduced: boolean,
  reps: number,
  withTfjs: boolean,
  log: (line: string) => void,
): Promise<TrainStepRow[]> {
  if (TRAIN_STEP_BENCHES.length === 0) log('[bench] train_step: no model benches registered yet (bench/train-step-bench.ts)');
  const rows: TrainStepRow[] = [];
  for (const bench of TRAIN_STEP_BENCHES) {
    const ours = await bench.setup(backend, reduced);
    const t = await timeSteps(() => ours.step(), reps);
    const counters = await countStep(backend, () => ours.step());
    ours.dispose();
    let tfjsMs: number | null = null;
    if (withTfjs && bench.tfjs) {
      const theirs = await bench.tfjs(reduced);
      tfjsMs = (await timeSteps(() => theirs.step(), reps)).median;
      theirs.dispose();
    }
    rows.push({ model: bench.model, config: ours.config, ours_ms: t.median, tfjs_ms: tfjsMs, counters });
    log(`[bench] train_step ${bench.model}: ours ${t.median.toFixed(1)} ms, tfjs ${tfjsMs?.toFixed(1) ?? '—'} ms`);
  }
  return rows;
}
