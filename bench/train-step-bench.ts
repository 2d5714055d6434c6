// Training-step benchmarks: one full step of our Transformer and RNN (LSTM) encoder–decoders
// through the Trainer the worker uses (forward, backward, gradient-norm clipping, Adam, one submit,
// one readback of the step's stats), and the same step written with tfjs (tfjs-train-step.ts).
//
// The batch: synthetic word pairs of one fixed length (task 'custom'), so that every batch of
// the Trainer's bucketing has the same shape [batch, srcLen] → [batch, tgtLen], without padding,
// and the tfjs side can be given exactly that shape. The sizes imitate the bundled tasks: the
// default model on a dates-shaped batch (source ~15 characters + EOS, 10 target characters,
// vocabularies 42 / 15) and a larger model on an eng-fra-shaped batch (word vocabularies 436 / 695),
// both at the default batch size.
//
// Per row: the median ms of a step awaited on its own (encode → submit → readback), the ms per
// step when one step is in flight while the next is encoded (how the worker trains; tokens/s come
// from this), the counters of one step, the pool's live bytes between steps (parameters, Adam
// moments, constants) and its peak during a step, and with --profile the GPU time per kernel of
// one step (timestamp queries, one compute pass per dispatch; see src/engine/gpu/profiler.ts).
// The first row's counters become the result's dispatches/submits/readbacks per step.

import type { Backend } from '../src/engine/backend';
import type { GpuBackend } from '../src/engine/gpu/gpu-backend';
import { GpuProfiler } from '../src/engine/gpu/profiler';
import { BINARY, UNARY } from '../src/engine/ops/elementwise';
import { validateConfig, type RunConfig } from '../src/train/config';
import type { Pair } from '../src/train/protocol';
import { Trainer } from '../src/train/trainer';
import { countStep } from './counters';
// tfjs is imported when its side runs: bench/cpu-bench.ts uses these models in Node, where tfjs does not load.
import type { BatchShape } from './tfjs-train-step';
import { pipelineSteps, timeSteps, uniformData } from './timing';
import type { StepProfile, TrainStepRow } from './types';

export interface PreparedStep {
  /** Model and batch dimensions for the row (d_model, layers, batch, seq, ...). */
  config: Record<string, number | string>;
  /** Target tokens per step (what the loss averages over). */
  tokens: number;
  /** Trainable parameters. */
  params: number;
  /** One step, ending when its GPU work is done. */
  step(): Promise<void>;
  /** `n` steps with one in flight while the next is encoded; ends when the last is done. */
  pipelined(n: number): Promise<void>;
  dispose(): void;
}

export interface TrainStepBench {
  model: string;
  setup(backend: Backend, reduced: boolean): Promise<PreparedStep>;
  tfjs?(reduced: boolean): Promise<PreparedStep>;
}

interface Size extends BatchShape {
  /** RunConfig fields of the model. */
  model: Partial<RunConfig>;
}

// srcLen 16 / tgtLen 11: a dates batch after bucketing (mean source 13.9 characters + EOS,
// targets always 10 + EOS). srcLen / tgtLen 11: the longest eng-fra sentences (10 words + EOS).
// Both at the default batch of 32.
const DATES = { batch: 32, srcLen: 16, tgtLen: 11, srcVocab: 42, tgtVocab: 15 };
const ENG_FRA = { batch: 32, srcLen: 11, tgtLen: 11, srcVocab: 436, tgtVocab: 695 };
const TINY = { batch: 4, srcLen: 6, tgtLen: 5, srcVocab: 12, tgtVocab: 10 };

const TRANSFORMER_DEFAULT = { model: 'transformer', layers: 2, dModel: 64, heads: 4, dFF: 128, norm: 'pre' } as const;
const LSTM_DEFAULT = { model: 'rnn', cell: 'lstm', layers: 2, hidden: 64, embed: 32, bidirectional: true, scoring: 'general' } as const;

const SIZES: Record<string, { full: Size; reduced: Size }> = {
  'transformer (default)': { full: { ...DATES, model: TRANSFORMER_DEFAULT }, reduced: { ...TINY, model: { ...TRANSFORMER_DEFAULT, layers: 1, dModel: 16, heads: 2, dFF: 32 } } },
  'transformer d128': { full: { ...ENG_FRA, model: { ...TRANSFORMER_DEFAULT, layers: 3, dModel: 128, heads: 4, dFF: 512 } }, reduced: { ...TINY, model: { ...TRANSFORMER_DEFAULT, layers: 1, dModel: 32, heads: 2, dFF: 64 } } },
  'lstm (default)': { full: { ...DATES, model: LSTM_DEFAULT }, reduced: { ...TINY, model: { ...LSTM_DEFAULT, layers: 1, hidden: 16, embed: 8 } } },
  'lstm h256': { full: { ...ENG_FRA, model: { ...LSTM_DEFAULT, hidden: 256, embed: 128 } }, reduced: { ...TINY, model: { ...LSTM_DEFAULT, layers: 1, hidden: 32, embed: 16 } } },
};

/** A lower-case alphabetic word per index (the word tokenizer keeps it whole). */
function word(k: number): string {
  let s = '';
  do {
    s += String.fromCharCode(97 + (k % 26));
    k = Math.floor(k / 26);
  } while (k > 0);
  return `w${s}`;
}

/**
 * 10·batch pairs of srcLen − 1 source and tgtLen − 1 target words drawn from vocab − 4 words each
 * (the tokenizer adds PAD, BOS, EOS, UNK): the 10 % / 10 % validation / test split leaves 8 full batches.
 */
function syntheticPairs(s: BatchShape): Pair[] {
  const n = 10 * s.batch;
  const src = uniformData(n * (s.srcLen - 1), 101);
  const tgt = uniformData(n * (s.tgtLen - 1), 102);
  const pick = (u: number, words: number) => word(Math.min(words - 1, Math.floor((u + 0.5) * words)));
  return Array.from({ length: n }, (_, i) => ({
    src: Array.from({ length: s.srcLen - 1 }, (_, j) => pick(src[i * (s.srcLen - 1) + j], s.srcVocab - 4)).join(' '),
    tgt: Array.from({ length: s.tgtLen - 1 }, (_, j) => pick(tgt[i * (s.tgtLen - 1) + j], s.tgtVocab - 4)).join(' '),
  }));
}

function trainerConfig(s: Size): RunConfig {
  const r = validateConfig({ ...s.model, task: 'custom', maxLen: Math.max(s.srcLen, s.tgtLen), batch: s.batch, dropout: 0 });
  if (!r.ok) throw new Error(`train_step bench config: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return r.config;
}

function shapeOf(s: Size, trainer: Trainer): BatchShape {
  // The vocabularies the Trainer built (a word that only fell into the held-out splits is not in them).
  return { ...s, srcVocab: trainer.data.srcTokenizer.size, tgtVocab: trainer.data.tgtTokenizer.size };
}

/** Our step through the Trainer, as the worker runs it. */
function oursStep(trainer: Trainer, s: BatchShape, log: (line: string) => void): PreparedStep {
  const c = trainer.config;
  const step = async () => {
    const r = await trainer.trainStep();
    if (r.nonFinite) log(`[bench] train_step: step ${r.metrics.step} non-finite (${r.nonFinite.parameter}); update skipped`);
  };
  const model: Record<string, number | string> =
    c.model === 'transformer' ? { layers: c.layers, d_model: c.dModel, heads: c.heads, d_ff: c.dFF } : { cell: c.cell, layers: c.layers, hidden: c.hidden, embed: c.embed };
  return {
    config: { batch: s.batch, src_len: s.srcLen, tgt_len: s.tgtLen, src_vocab: s.srcVocab, tgt_vocab: s.tgtVocab, ...model },
    tokens: s.batch * s.tgtLen,
    params: trainer.model.numParameters(),
    step,
    pipelined: (n: number) => pipelineSteps(step, n),
    dispose: () => trainer.dispose(),
  };
}

/** The shapes the last `setup` saw, for the tfjs side of the same bench (setup runs first). */
const lastShape = new Map<string, BatchShape>();

function bench(model: string, kind: 'transformer' | 'lstm'): TrainStepBench {
  return {
    model,
    async setup(backend, reduced) {
      const size = reduced ? SIZES[model].reduced : SIZES[model].full;
      const cfg = trainerConfig(size);
      const trainer = Trainer.create(cfg, backend, { pairs: syntheticPairs(size) });
      if (trainer.data.train.length % size.batch !== 0) throw new Error(`train_step bench: ${trainer.data.train.length} training pairs do not fill batches of ${size.batch}`);
      const shape = shapeOf(size, trainer);
      lastShape.set(model, shape);
      return oursStep(trainer, shape, (line) => console.log(line));
    },
    async tfjs(reduced) {
      const size = reduced ? SIZES[model].reduced : SIZES[model].full;
      const shape = lastShape.get(model);
      if (!shape) throw new Error(`train_step bench ${model}: run setup before tfjs`);
      const cfg = trainerConfig(size);
      const common = { ...shape, layers: cfg.layers, lr: cfg.lr, maxNorm: cfg.maxNorm };
      const { tfjsLstmStep, tfjsTransformerStep } = await import('./tfjs-train-step');
      return kind === 'transformer'
        ? tfjsTransformerStep({ ...common, dModel: cfg.dModel, heads: cfg.heads, dFF: cfg.dFF, maxLen: Math.max(shape.srcLen, shape.tgtLen) })
        : tfjsLstmStep({ ...common, hidden: cfg.hidden, embed: cfg.embed });
    },
  };
}

export const TRAIN_STEP_BENCHES: TrainStepBench[] = [
  bench('transformer (default)', 'transformer'),
  bench('lstm (default)', 'lstm'),
  bench('transformer d128', 'transformer'),
  bench('lstm h256', 'lstm'),
];

/** ms per step over `n` pipelined steps (after the warm-up of timeSteps). */
async function pipelinedMs(s: PreparedStep, n: number): Promise<number> {
  const t0 = performance.now();
  await s.pipelined(n);
  return (performance.now() - t0) / n;
}

const opName = (table: Record<string, { code: number }>, code: number) => Object.entries(table).find(([, r]) => r.code === code)?.[0] ?? `op ${code}`;

/**
 * A pipeline key with the element-wise op code spelled out: "elementwise:unary_main:CONTIG=0,OP=0"
 * → "elementwise copy (strided or broadcast)": for a copy, what contiguous() does to a permuted or sliced view.
 */
export function kernelName(label: string): string {
  const m = /^elementwise:(unary|binary)_main:CONTIG=(\d),OP=(\d+)$/.exec(label);
  if (!m) return label;
  const op = opName(m[1] === 'unary' ? UNARY : BINARY, Number(m[3]));
  return `elementwise ${op}${m[2] === '1' ? '' : ' (strided or broadcast)'}`;
}

/** GPU time per kernel over one step, every dispatch in its own timed pass. */
async function profileStep(backend: GpuBackend, s: PreparedStep, top: number): Promise<StepProfile> {
  // 2048 passes per submit: the WebGPU limit of 4096 queries per query set, two per pass.
  const profiler = new GpuProfiler(backend.device, 2048);
  const c0 = backend.counters.dispatches;
  const t0 = performance.now();
  backend.profiler = profiler;
  try {
    await s.step();
  } finally {
    backend.profiler = null;
  }
  const wallMs = performance.now() - t0;
  const kernels = await profiler.report();
  const dropped = profiler.dropped;
  profiler.destroy();
  const gpuMs = kernels.reduce((a, k) => a + k.totalMs, 0);
  return {
    gpu_ms: gpuMs,
    wall_ms: wallMs,
    dispatches: backend.counters.dispatches - c0,
    untimed: dropped,
    kernels: kernels.slice(0, top).map((k) => ({ label: kernelName(k.label), calls: k.calls, total_ms: k.totalMs, mean_ms: k.meanMs, share: gpuMs > 0 ? k.totalMs / gpuMs : 0 })),
  };
}

export async function trainStepRows(
  backend: GpuBackend,
  reduced: boolean,
  reps: number,
  withTfjs: boolean,
  log: (line: string) => void,
  profile = false,
): Promise<TrainStepRow[]> {
  const rows: TrainStepRow[] = [];
  const canProfile = GpuProfiler.isSupported(backend.device);
  if (profile && !canProfile) log("[bench] --profile: this adapter's device has no 'timestamp-query'; no per-kernel times");
  const pipeN = Math.max(3, reps);
  for (const b of TRAIN_STEP_BENCHES) {
    const ours = await b.setup(backend, reduced);
    // Two warm-ups: the first compiles pipelines, the second fills the buffer pool's size classes.
    const t = await timeSteps(() => ours.step(), reps, 2);
    const pipeMs = await pipelinedMs(ours, pipeN);
    const counters = await countStep(backend, () => ours.step());
    const live = backend.pool.snapshot().liveBytes;
    const prof = profile && canProfile ? await profileStep(backend, ours, reduced ? 8 : 15) : undefined;
    ours.dispose();
    const row: TrainStepRow = {
      model: b.model,
      config: ours.config,
      tokens: ours.tokens,
      params: ours.params,
      ours_ms: t.median,
      tfjs_ms: null,
      ours_pipelined_ms: pipeMs,
      tfjs_pipelined_ms: null,
      ours_tokens_per_s: (ours.tokens / pipeMs) * 1000,
      tfjs_tokens_per_s: null,
      gpu_bytes_live: live,
      counters,
      profile: prof,
    };
    if (withTfjs && b.tfjs) {
      const theirs = await b.tfjs(reduced);
      try {
        if (theirs.params !== ours.params) throw new Error(`train_step ${b.model}: the tfjs model has ${theirs.params} parameters, ours ${ours.params}`);
        row.tfjs_ms = (await timeSteps(() => theirs.step(), reps, 2)).median;
        row.tfjs_pipelined_ms = await pipelinedMs(theirs, pipeN);
        row.tfjs_tokens_per_s = (theirs.tokens / row.tfjs_pipelined_ms) * 1000;
      } finally {
        theirs.dispose();
      }
    }
    rows.push(row);
    log(
      `[bench] train_step ${b.model}: ours ${t.median.toFixed(1)} ms (pipelined ${pipeMs.toFixed(1)} ms, ${row.ours_tokens_per_s.toFixed(0)} tok/s), ` +
        `tfjs ${row.tfjs_ms?.toFixed(1) ?? '—'} ms (pipelined ${row.tfjs_pipelined_ms?.toFixed(1) ?? '—'} ms); ` +
        `${counters.dispatches} dispatches, ${counters.submits} submits, ${counters.readbacks} readbacks`,
    );
    if (prof) {
      log(`[bench] profile ${b.model}: ${prof.gpu_ms.toFixed(1)} ms GPU over ${prof.dispatches} dispatches (${prof.untimed} untimed)`);
      for (const k of prof.kernels) log(`[bench]   ${(100 * k.share).toFixed(1).padStart(5)} %  ${k.total_ms.toFixed(2).padStart(8)} ms  ${String(k.calls).padStart(4)}×  ${k.label}`);
    }
  }
  return rows;
}
