// The one typed message protocol between the page and the training worker. The worker owns the
// GPU device and the Trainer; the page only renders. Float32Array payloads travel in the
// transfer list (zero-copy).

import type { FieldError, RunConfig } from './config';

export interface Pair {
  src: string;
  tgt: string;
}

/** Commands, page → worker. Requests that expect an answer carry an `id` echoed in the reply. */
export type ToWorker =
  /** `baseUrl`: the page's URL, against which the shipped pretrained checkpoints are fetched. */
  | { type: 'init'; backend?: 'webgpu' | 'wasm' | 'cpu'; runId: string; baseUrl?: string }
  | { type: 'configure'; config: RunConfig; pairs?: Pair[] }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'step'; count?: number }
  | { type: 'reset' }
  | { type: 'translate'; id: number; text: string; beam: number; model: 'current' | 'pretrained' }
  | { type: 'save'; id: number }
  /** `pairs`: the imported pairs a 'custom' checkpoint trains on (else the last configure's). */
  | { type: 'load'; id: number; bytes: Uint8Array; pairs?: Pair[] }
  /** Time every kernel of the next training step on the GPU (timestamp queries). */
  | { type: 'profile'; id: number }
  | { type: 'simulate-device-loss' };

export type RunState = 'idle' | 'training' | 'paused' | 'done' | 'error';

export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNormPre: number;
  gradNormPost: number;
  /** Per-parameter gradient norms before / after clipping, in the order of `ParamInfo` from 'model'. */
  paramNormsPre: number[];
  paramNormsPost: number[];
  /** Clipping by norm: the factor min(max_norm / (‖g‖ + 1e-6), 1) the gradients were scaled by; else 1. */
  clipCoef: number;
  /** Clipping by value / range: the fraction of gradient elements clamped this step (0 for other rules). */
  clampedFraction: number;
  /** The same per parameter, in the order of `ParamInfo`. */
  paramClamped: number[];
  tokensPerSec: number;
  ms: number;
  gpuBytes: number;
}

export interface EvalMetrics {
  step: number;
  split: 'valid' | 'test';
  loss: number;
  tokenAccuracy: number;
  exactMatch: number;
  bleu: number;
  /** chrF2 (0–100, src/train/chrf.ts); BLEU and chrF are multi-reference: every target of a source counts. */
  chrf?: number;
}

/** One attention map: `heads` stacked [heads, rows, cols] matrices, rows = queries. */
export interface AttentionMap {
  /** e.g. "encoder.layers.0.self_attn", "decoder.layers.1.cross_attn", "attention". */
  name: string;
  kind: 'encoder-self' | 'decoder-self' | 'cross' | 'rnn';
  layer: number;
  heads: number;
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface AttentionSnapshot {
  step: number;
  probe: number;
  srcTokens: string[];
  /** The model's own output for the probe at this step (greedy), which the maps are computed on. */
  tgtTokens: string[];
  /** The probe's reference translation from the data, to compare the output with. */
  reference?: string;
  maps: AttentionMap[];
}

export interface Translation {
  id: number;
  srcTokens: string[];
  /** Which source tokens were not in the vocabulary (shown marked). */
  unknown: boolean[];
  outTokens: string[];
  text: string;
  /** Cross-attention alignment [outTokens, srcTokens], averaged over heads (last layer for the Transformer). */
  alignment: Float32Array;
  /** The input as the model read it, when the task normalised what was typed (dates: lower case). */
  readAs?: string;
  /** The tokens are subword pieces (BPE, src/data/bpe.ts): a leading ▁ marks the start of a word. */
  subword?: boolean;
  /** Every cross-attention map of the decoder on the answer (each layer and head; the RNN's one per output step). */
  crossMaps?: AttentionMap[];
  /**
   * Beam search: the K hypotheses it ended with, best first, each with log p(y|x) and the
   * length-normalised score log p / |y|^α that ranked them (|y| = length in tokens).
   */
  hypotheses?: { text: string; logProb: number; score: number; length: number; finished: boolean }[];
}

export interface ModelInfo {
  params: { name: string; shape: number[] }[];
  numParameters: number;
  /** Vocabulary sizes (special tokens included), for estimating an edited config's size on the page. */
  vocab?: { src: number; tgt: number };
  task: string;
  description: string;
  examples: Pair[];
  splits: { train: number; valid: number; test: number };
  probes: string[];
}

/** Events, worker → page. */
export type FromWorker =
  /** `choice`: why the automatic choice (no ?backend=) took this backend, with its measurement. */
  | { type: 'ready'; backend: 'webgpu' | 'cpu'; adapter: string; fallbackReason?: string; choice?: string }
  | { type: 'model'; info: ModelInfo }
  | { type: 'status'; state: RunState; step: number; message?: string }
  | { type: 'metrics'; rows: StepMetrics[] }
  | { type: 'eval'; metrics: EvalMetrics }
  | { type: 'attention'; snapshot: AttentionSnapshot }
  | { type: 'translation'; translation: Translation }
  /** `step`: the step the checkpoint holds (as in its metadata). */
  | { type: 'checkpoint'; id: number; bytes: Uint8Array; step: number }
  | { type: 'loaded'; id: number; step: number; config: RunConfig }
  | { type: 'config-error'; errors: FieldError[] }
  /** The run resumed from its automatic checkpoint at step `resumedAt`; rows after it are redone. */
  | { type: 'device-lost'; message: string; redoneSteps: number; backend: 'webgpu' | 'cpu'; resumedAt: number }
  | { type: 'non-finite'; step: number; parameter: string; skipped: number }
  | { type: 'profile'; id: number; profile: StepProfile }
  | { type: 'error'; id?: number; message: string };

/** GPU time of one training step, per kernel (from timestamp queries). */
export interface StepProfile {
  step: number;
  /** Sum of every kernel's GPU time, ms. */
  gpuMs: number;
  dispatches: number;
  /** Kernels by total time, largest first. */
  kernels: { label: string; calls: number; totalMs: number }[];
}

/** The Float32Array/Uint8Array buffers of a message, for postMessage's transfer list. */
export function transferables(msg: FromWorker | ToWorker): Transferable[] {
  switch (msg.type) {
    case 'attention':
      return msg.snapshot.maps.map((m) => m.data.buffer as ArrayBuffer);
    case 'translation':
      return [msg.translation.alignment.buffer as ArrayBuffer, ...(msg.translation.crossMaps ?? []).map((m) => m.data.buffer as ArrayBuffer)];
    case 'checkpoint':
    case 'load':
      return [msg.bytes.buffer as ArrayBuffer];
    default:
      return [];
  }
}
