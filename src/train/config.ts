// The whole run configuration, flat so that it maps one-to-one onto URL parameters (the page)
// and --options (the CLI). Validated with zod; every refusal names its field.

import { z } from 'zod';
import { compileParamGroup, MAX_GROUP_PATTERN_LENGTH } from './param-group-pattern';

export const TASK_NAMES = ['eng-fra', 'eng-zh', 'dates', 'copy', 'reverse', 'sort', 'tatoeba-eng-fra', 'tatoeba-eng-zh', 'custom'] as const;
export const CELL_NAMES = ['lstm', 'gru', 'janet', 'indrnn', 'indrnn2'] as const;

/**
 * The most steps a run may have. A loaded run replays its batch order up to its step
 * (Trainer.resumeAt, ~3–15 µs a step), so a checkpoint or link claiming 10^12 steps would hang
 * the worker; 10^6 steps is days of training in a browser.
 */
export const MAX_STEPS = 1_000_000;

const posInt = (max: number) => z.number().int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

export const runConfigSchema = z
  .object({
    task: z.enum(TASK_NAMES),
    seed: z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(2 ** 31 - 1),
    maxLen: posInt(200),
    /** 'auto': the task's own tokenization (word or char for generated tasks, BPE for real ones). */
    tokenizer: z.enum(['auto', 'word', 'char', 'bpe']),
    /** BPE vocabulary size, the special tokens and the 256 byte pieces included. */
    vocabSize: z.number().int('must be a whole number').min(300, 'must be at least 300').max(32_000, 'must be at most 32000'),
    /** BPE: one vocabulary trained on both sides (true) or one per side. */
    jointVocab: z.boolean(),
    model: z.enum(['transformer', 'rnn']),
    // Transformer
    layers: posInt(12),
    dModel: posInt(1024),
    heads: posInt(32),
    dFF: posInt(8192),
    positional: z.enum(['sinusoidal', 'learned']),
    norm: z.enum(['pre', 'post']),
    tieEmbeddings: z.boolean(),
    // RNN encoder–decoder
    cell: z.enum(CELL_NAMES),
    hidden: posInt(2048),
    embed: posInt(1024),
    bidirectional: z.boolean(),
    scoring: z.enum(['additive', 'dot', 'general']),
    // Both
    dropout: z.number().min(0, 'must be ≥ 0').max(0.9, 'must be ≤ 0.9'),
    attention: z.enum(['soft', 'hard']),
    hardKind: z.enum(['topk', 'threshold']),
    hardK: posInt(512),
    hardThreshold: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1'),
    // Optimisation
    optimizer: z.enum(['sgd', 'adam', 'adamw']),
    // Any finite lr ≥ 0, as torch.optim: a huge one is how the page shows divergence and clipping.
    lr: z.number().min(0, 'must be ≥ 0'),
    momentum: z.number().min(0).lt(1, 'must be < 1'),
    weightDecay: z.number().min(0, 'must be ≥ 0'),
    /** 'bias-norm': biases and norm layers' parameters in a parameter group without weight decay. */
    weightDecayExclude: z.enum(['none', 'bias-norm']),
    schedule: z.enum(['constant', 'inverse-sqrt', 'cosine']),
    warmup: z.number().int().min(0, 'must be ≥ 0').max(MAX_STEPS, `must be at most ${MAX_STEPS}`),
    batch: posInt(4096),
    steps: z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(MAX_STEPS, `must be at most ${MAX_STEPS}`),
    teacherForcing: z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1'),
    labelSmoothing: z.number().min(0).lt(1),
    // Gradient clipping
    clip: z.enum(['none', 'value', 'range', 'norm']),
    clipValue: z.number().gt(0, 'must be > 0'),
    clipLo: z.number(),
    clipHi: z.number(),
    /** Which parameters the range hook applies to: a substring, glob or /regex/ of parameter names (param-group-pattern.ts); empty = all. */
    clipGroup: z.string().max(MAX_GROUP_PATTERN_LENGTH, `must be at most ${MAX_GROUP_PATTERN_LENGTH} characters`),
    maxNorm: z.number().gt(0, 'must be > 0'),
    normType: z.union([z.number().gt(0, 'must be > 0'), z.literal('inf')]),
    // Schedule of side work
    evalEvery: posInt(1_000_000),
    probeEvery: posInt(1_000_000),
    nonFinite: z.enum(['stop', 'skip']),
  })
  .superRefine((c, ctx) => {
    if (c.model === 'transformer' && c.dModel % c.heads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `heads (${c.heads}) must divide d_model (${c.dModel})` });
    }
    if (c.model === 'transformer' && c.positional === 'sinusoidal' && c.dModel % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['dModel'], message: 'sinusoidal positions need an even d_model' });
    }
    const group = compileParamGroup(c.clipGroup);
    if (!group.ok) ctx.addIssue({ code: 'custom', path: ['clipGroup'], message: group.message });
    if (c.clip === 'range' && !(c.clipLo < c.clipHi)) {
      ctx.addIssue({ code: 'custom', path: ['clipLo'], message: `clip range lower bound (${c.clipLo}) must be below the upper bound (${c.clipHi})` });
    }
  });

export type RunConfig = z.infer<typeof runConfigSchema>;

/** Small defaults that train in a minute on an integrated GPU. */
export const DEFAULT_CONFIG: RunConfig = {
  task: 'dates',
  seed: 1,
  maxLen: 40,
  tokenizer: 'auto',
  vocabSize: 8000,
  jointVocab: true,
  model: 'transformer',
  layers: 2,
  dModel: 64,
  heads: 4,
  dFF: 128,
  positional: 'sinusoidal',
  norm: 'pre',
  tieEmbeddings: false,
  cell: 'lstm',
  hidden: 64,
  embed: 32,
  bidirectional: true,
  scoring: 'general',
  dropout: 0,
  attention: 'soft',
  hardKind: 'topk',
  hardK: 2,
  hardThreshold: 0.1,
  optimizer: 'adam',
  lr: 0.002,
  momentum: 0.9,
  weightDecay: 0,
  weightDecayExclude: 'none',
  schedule: 'inverse-sqrt',
  warmup: 100,
  batch: 32,
  steps: 2000,
  teacherForcing: 1,
  labelSmoothing: 0,
  clip: 'norm',
  clipValue: 1,
  clipLo: -0.1,
  clipHi: 1,
  clipGroup: '',
  maxNorm: 1,
  normType: 2,
  evalEvery: 200,
  probeEvery: 25,
  nonFinite: 'stop',
};

export interface FieldError {
  field: string;
  message: string;
}

export type ConfigResult = { ok: true; config: RunConfig } | { ok: false; errors: FieldError[] };

/** Validates a (partial) config over the defaults; errors name their field. */
export function validateConfig(input: Partial<Record<keyof RunConfig, unknown>>, base: RunConfig = DEFAULT_CONFIG): ConfigResult {
  const unknownKeys = Object.keys(input).filter((k) => !(k in base));
  if (unknownKeys.length > 0) return { ok: false, errors: unknownKeys.map((k) => ({ field: k, message: `unknown option '${k}'` })) };
  const r = runConfigSchema.safeParse({ ...base, ...input });
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message })),
  };
}

/** Parses one textual value (URL parameter, CLI option) into the type the field expects. */
export function parseFieldValue(field: keyof RunConfig, text: string): unknown {
  const current = DEFAULT_CONFIG[field];
  if (typeof current === 'boolean') {
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    return text;
  }
  if (field === 'normType') return text === 'inf' || text === 'Infinity' ? 'inf' : Number(text);
  if (typeof current === 'number') return text.trim() === '' ? NaN : Number(text);
  return text;
}

/** The config as URL search parameters, only the fields that differ from the defaults. */
export function configToSearchParams(c: RunConfig): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of Object.keys(DEFAULT_CONFIG) as (keyof RunConfig)[]) {
    if (c[k] !== DEFAULT_CONFIG[k]) p.set(k, String(c[k]));
  }
  return p;
}

/** Reads a config from URL parameters: valid fields are applied, invalid ones reported and left at their defaults. */
export function configFromSearchParams(p: URLSearchParams): { config: RunConfig; errors: FieldError[] } {
  const input: Partial<Record<keyof RunConfig, unknown>> = {};
  const errors: FieldError[] = [];
  for (const [k, v] of p) {
    if (!(k in DEFAULT_CONFIG)) continue; // other parameters belong to the page (tabs, language)
    input[k as keyof RunConfig] = parseFieldValue(k as keyof RunConfig, v);
  }
  let config = DEFAULT_CONFIG;
  for (const [k, v] of Object.entries(input)) {
    const r = validateConfig({ ...pick(config), [k]: v });
    if (r.ok) config = r.config;
    else errors.push(...r.errors.filter((e) => e.field === k || r.errors.length === 1));
  }
  return { config, errors };
}

function pick(c: RunConfig): Partial<Record<keyof RunConfig, unknown>> {
  return { ...c };
}
