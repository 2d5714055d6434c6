// The benchmark's result, shared by the page (bench-page.ts) that produces it and the CLI
// (src/cli/bench.ts) that prints it. Field names are the JSON keys of `npm run bench -- --json`.

export type Layout = 'NN' | 'NT' | 'TN' | 'TT';

/** C = A·B with A [m, k] and B [k, n], stored transposed where the layout letter is T. */
export interface MatmulRow {
  m: number;
  n: number;
  k: number;
  batch: number;
  layout: Layout;
  /** What the shape stands for (square, or the model product it is). */
  what: string;
  /** Our kernel variant for this shape. */
  variant: string;
  ours_ms: number;
  tfjs_ms: number | null;
  ours_gflops: number;
  tfjs_gflops: number | null;
}

/** The WebAssembly backend's matmul through the op (operand copies and allocation included). */
export interface CpuMatmulRow {
  m: number;
  n: number;
  k: number;
  layout: Layout;
  what: string;
  threads: number;
  ours_ms: number;
  ours_gflops: number;
}

/** One of our matmul kernels forced at one square size (the tfjs figure is the square row's). */
export interface MatmulVariantRow {
  variant: string;
  m: number;
  n: number;
  k: number;
  ours_ms: number;
  ours_gflops: number;
}

/** Multi-head attention forward + backward (dQ, dK, dV) at q, k, v [b, h, t, d]. */
export interface AttentionRow {
  b: number;
  h: number;
  t: number;
  d: number;
  ours_ms: number | null;
  tfjs_ms: number | null;
  /** Set when a side did not run (e.g. our attention op missing). */
  note?: string;
  counters?: StepCounters;
}

/** One training step of a model (forward, backward, clipping, optimiser). Filled by TRAIN_STEP_BENCHES. */
export interface TrainStepRow {
  model: string;
  /** The backend that ran our side: absent or 'webgpu' (the page), 'wasm' (Node, src/engine/wasm/). */
  backend?: 'webgpu' | 'wasm';
  /** Model and batch dimensions, as the bench that produced the row describes them. */
  config: Record<string, number | string>;
  /** Target tokens per step. */
  tokens: number;
  /** Trainable parameters (the same on both sides: the bench checks). */
  params: number;
  /** One step awaited on its own: encode, submit, wait for its readback. */
  ours_ms: number;
  tfjs_ms: number | null;
  /** Per step with one step in flight while the next is encoded (how the worker trains). */
  ours_pipelined_ms: number;
  tfjs_pipelined_ms: number | null;
  /** Target tokens per second, pipelined. */
  ours_tokens_per_s: number;
  tfjs_tokens_per_s: number | null;
  /** Our buffer pool's live bytes between steps (parameters, optimiser state, constants). */
  gpu_bytes_live: number;
  counters: StepCounters;
  /** GPU time per kernel over one step (--profile, where the device has timestamp queries). */
  profile?: StepProfile;
}

/** One profiled step: each dispatch in its own compute pass with timestamps at both ends. */
export interface StepProfile {
  /** Sum of every timed pass. */
  gpu_ms: number;
  /** Wall time of the profiled step (one pass per dispatch makes it slower than an unprofiled one). */
  wall_ms: number;
  dispatches: number;
  /** Dispatches beyond the profiler's capacity, run untimed. */
  untimed: number;
  /** Largest total first: pipeline key (kernel name, entry point, constants), calls, ms, share of gpu_ms. */
  kernels: { label: string; calls: number; total_ms: number; mean_ms: number; share: number }[];
}

/** GpuBackend.counters differences and the buffer pool's peak over one step. */
export interface StepCounters {
  dispatches: number;
  submits: number;
  readbacks: number;
  gpu_bytes_peak: number;
}

export interface BenchResult {
  /** Our adapter (GpuContext.adapterName) and its vendor/architecture words. */
  adapter: string;
  architecture: string;
  /** The adapter tfjs-backend-webgpu got in the same page. */
  tfjs_adapter: string;
  user_agent: string;
  /** Filled by the CLI (git rev-parse). */
  commit?: string;
  /** Filled by the CLI: CPU count and 1-minute load average around the run (SwiftShader is the CPU). */
  host?: { cpus: number; loadavg_start: number; loadavg_end: number };
  date: string;
  reduced: boolean;
  reps: number;
  /** Our matmul autotune table (variant per tuned problem), or null when autotuning was off. */
  autotune: { label: string; best: string; ms: Record<string, number> }[] | null;
  matmul: MatmulRow[];
  /** Every matmul variant at one square size (512³; 128³ in reduced runs). */
  matmul_variants: MatmulVariantRow[];
  attention: AttentionRow[];
  train_step: TrainStepRow[];
  /** The WebAssembly backend's matmul (Node; filled by the CLI: bench/cpu-bench.ts). */
  cpu_matmul?: CpuMatmulRow[];
  /** Counters of one "step": the first train_step row, else the largest attention fwd+bwd. */
  step: string | null;
  dispatches_per_step: number | null;
  submits_per_step: number | null;
  readbacks_per_step: number | null;
  gpu_bytes_peak: number | null;
  notes: string[];
}

/** Page → runner channel (window globals polled by Playwright). */
export interface BenchWindow {
  __benchResult?: BenchResult;
  __benchError?: string;
}
