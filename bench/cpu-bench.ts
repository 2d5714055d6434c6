// The WebAssembly CPU backend's benchmarks (src/engine/wasm/), run in Node by the CLI beside the
// page's WebGPU suites: `cpu_matmul` (the matmul op on square and model shapes, GFLOP/s) and
// `train_step` rows with backend 'wasm' (the same TRAIN_STEP_BENCHES models through the Trainer).

import { memoryOf, type CpuBackend } from '../src/engine/backend';
import { matmulRaw } from '../src/engine/ops/matmul';
import { transpose } from '../src/engine/ops/view';
import { fromData } from '../src/engine/storage';
import type { Tensor } from '../src/engine/tensor';
import { gflops, timeSteps, uniformData } from './timing';
import { TRAIN_STEP_BENCHES } from './train-step-bench';
import type { CpuMatmulRow, Layout, TrainStepRow } from './types';

interface Shape {
  m: number;
  n: number;
  k: number;
  layout: Layout;
  what: string;
}

// The default models' products (rows = batch · tokens): the dates Transformer (32 × 16 = 512 rows,
// d 64, d_ff 128), the model (64 × 12 = 768 rows, d_ff 256), the eng-fra d128 model
// (352 rows, d_ff 512) and the LSTM h256's gates (batch 32, 4·256 outputs). NT is x·Wᵀ (linear),
// NN is dX = dY·W, TN is dW = dYᵀ·X.
const FULL: Shape[] = [
  { m: 512, n: 512, k: 512, layout: 'NN', what: 'square' },
  { m: 512, n: 64, k: 64, layout: 'NT', what: 'transformer default: linear d→d' },
  { m: 512, n: 128, k: 64, layout: 'NT', what: 'transformer default: FF up' },
  { m: 512, n: 64, k: 128, layout: 'NN', what: 'transformer default: dX of FF up' },
  { m: 64, n: 128, k: 512, layout: 'TN', what: 'transformer default: dW of FF up' },
  { m: 768, n: 256, k: 64, layout: 'NT', what: 'issue #12 model: FF up' },
  { m: 352, n: 512, k: 128, layout: 'NT', what: 'transformer d128: FF up' },
  { m: 32, n: 1024, k: 256, layout: 'NT', what: 'lstm h256: gates' },
];
const REDUCED: Shape[] = [
  { m: 64, n: 64, k: 64, layout: 'NN', what: 'square' },
  { m: 16, n: 8, k: 16, layout: 'NT', what: 'linear' },
];

/** A [rows, cols] operand, stored transposed (and viewed back) when `t`. */
function operand(rows: number, cols: number, t: boolean, seed: number, backend: CpuBackend): { x: Tensor; all: Tensor[] } {
  const stored = fromData(uniformData(rows * cols, seed), t ? [cols, rows] : [rows, cols], 'f32', backend);
  if (!t) return { x: stored, all: [stored] };
  const x = transpose(stored);
  return { x, all: [stored, x] };
}

export async function cpuMatmulRows(backend: CpuBackend, reduced: boolean, reps: number, log: (line: string) => void): Promise<CpuMatmulRow[]> {
  const rows: CpuMatmulRow[] = [];
  for (const s of reduced ? REDUCED : FULL) {
    const a = operand(s.m, s.k, s.layout[0] === 'T', 1, backend);
    const b = operand(s.k, s.n, s.layout[1] === 'T', 2, backend);
    const flops = 2 * s.m * s.n * s.k;
    // Enough runs per sample for ~20 ms of work, so that timer resolution does not count.
    const inner = Math.max(1, Math.round(2e8 / flops));
    const t = await timeSteps(async () => {
      for (let i = 0; i < inner; i++) matmulRaw(a.x, b.x).dispose();
    }, reps, 2);
    for (const x of [...a.all, ...b.all]) x.dispose();
    const ms = t.median / inner;
    const row: CpuMatmulRow = { ...s, threads: backend.wasm?.threads ?? 1, ours_ms: ms, ours_gflops: gflops(flops, ms) };
    rows.push(row);
    log(`[bench] cpu_matmul ${s.m}×${s.n}×${s.k} ${s.layout}: ${ms.toFixed(3)} ms, ${row.ours_gflops.toFixed(1)} GFLOP/s (${s.what})`);
  }
  return rows;
}

/** train_step rows for the WebAssembly backend (one step = forward, backward, clip, Adam, stats read). */
export async function cpuTrainStepRows(backend: CpuBackend, reduced: boolean, reps: number, log: (line: string) => void): Promise<TrainStepRow[]> {
  const rows: TrainStepRow[] = [];
  for (const b of TRAIN_STEP_BENCHES) {
    const ours = await b.setup(backend, reduced);
    try {
      const t = await timeSteps(() => ours.step(), reps, 2);
      const mem = memoryOf(backend);
      rows.push({
        model: b.model,
        backend: 'wasm',
        config: ours.config,
        tokens: ours.tokens,
        params: ours.params,
        ours_ms: t.median,
        tfjs_ms: null,
        // A CPU step has nothing to overlap: pipelined is the same step.
        ours_pipelined_ms: t.median,
        tfjs_pipelined_ms: null,
        ours_tokens_per_s: (ours.tokens / t.median) * 1000,
        tfjs_tokens_per_s: null,
        gpu_bytes_live: mem.liveBytes,
        counters: { dispatches: 0, submits: 0, readbacks: 0, gpu_bytes_peak: mem.peakBytes },
      });
      log(`[bench] train_step ${b.model} on wasm: ${t.median.toFixed(1)} ms per step`);
    } finally {
      ours.dispose();
    }
  }
  return rows;
}
