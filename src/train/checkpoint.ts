// Checkpoints as .safetensors files: the model's parameters under their PyTorch-style names, the
// optimizer state under "optimizer.<param>.<slot>", and in the metadata (strings, as the format
// requires) the run config, both vocabularies and the step. A file is checked completely —
// format, config, vocabularies, every name and shape — against a freshly built model before any
// of it is used, so a bad file is refused with one message and the model in memory is untouched.

import { toFloat32, writeData, type Backend } from '../engine';
import { checkJsonBounds, JsonLimitError } from '../data/json-limits';
import { Tokenizer } from '../data/tokenizer';
import type { Pair } from '../data/pair';
import { MAX_STEPS, validateConfig, type RunConfig } from './config';
import { checkpointSizeError } from './file-limits';
import { readSafetensors, writeSafetensors, SafetensorsError, type SafetensorsTensor } from './safetensors';
import { Trainer } from './trainer';

export const CHECKPOINT_FORMAT = 'attention-playground';
const OPTIMIZER_PREFIX = 'optimizer.';

/**
 * Bounds on a checkpoint from a stranger, checked before the work they would cost. The file's
 * size is checked before it is read (file-limits.ts) and again here; the metadata's JSON
 * values (config, vocabularies, and whatever tokenizer data a checkpoint carries) are bounded in
 * length and nesting before JSON.parse; the vocabulary size is bounded by Tokenizer.fromJSON;
 * the model the config describes by the memory budget in Trainer.create.
 */
export const CHECKPOINT_LIMITS = {
  /** Every metadata value parsed as JSON: characters, and nesting of arrays and objects. */
  metadataJsonChars: 32 * 2 ** 20,
  metadataJsonDepth: 8,
  /** The config is a flat object of a few dozen fields. */
  configChars: 64 * 2 ** 10,
} as const;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(`checkpoint: ${message}`);
    this.name = 'CheckpointError';
  }
}

export interface SaveOptions {
  /** Include the optimizer state (to continue training); off for small translate-only files. */
  optimizer?: boolean;
}

export async function saveCheckpoint(trainer: Trainer, options: SaveOptions = {}): Promise<Uint8Array> {
  const params = trainer.model.namedParameters();
  // Every readback is requested before any is awaited: one GPU round trip, not one per parameter.
  const [values, state] = await Promise.all([
    Promise.all(params.map(([, p]) => toFloat32(p))),
    (options.optimizer ?? true) ? trainer.rule.optimizer.stateDict() : null,
  ]);
  const tensors: Record<string, SafetensorsTensor> = {};
  params.forEach(([name, p], i) => (tensors[name] = { dtype: 'F32', shape: [...p.shape], data: values[i] }));
  for (const [k, v] of Object.entries(state ?? {})) tensors[OPTIMIZER_PREFIX + k] = { dtype: 'F32', shape: [v.length], data: v };
  return writeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: '1',
    config: JSON.stringify(trainer.config),
    src_vocab: JSON.stringify(trainer.data.srcTokenizer.toJSON()),
    tgt_vocab: JSON.stringify(trainer.data.tgtTokenizer.toJSON()),
    step: String(trainer.step),
    skipped_steps: String(trainer.skippedSteps),
  });
}

function parseJson(text: string | undefined, what: string, maxChars: number = CHECKPOINT_LIMITS.metadataJsonChars): unknown {
  if (text === undefined) throw new CheckpointError(`the metadata has no '${what}'`);
  try {
    checkJsonBounds(text, `the metadata's '${what}'`, { maxLength: maxChars, maxDepth: CHECKPOINT_LIMITS.metadataJsonDepth });
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof JsonLimitError) throw new CheckpointError(e.message);
    throw new CheckpointError(`the metadata's '${what}' is not valid JSON`);
  }
}

/**
 * Builds a Trainer from checkpoint bytes (a new model; nothing existing is touched). `pairs`
 * are the imported pairs of a 'custom' run, when the caller still has them.
 */
export function loadCheckpoint(bytes: Uint8Array, backend: Backend, options: { pairs?: Pair[] } = {}): { trainer: Trainer } {
  const tooBig = checkpointSizeError(bytes.length);
  if (tooBig) throw new CheckpointError(tooBig.replace(/^checkpoint: /, ''));
  let file;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(e.message.replace(/^safetensors: /, 'not a valid .safetensors file: '));
    throw e;
  }
  const meta = file.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`not an Attention Playground checkpoint (metadata format is ${meta.format === undefined ? 'missing' : `'${meta.format}'`})`);
  }
  const cfgJson = parseJson(meta.config, 'config', CHECKPOINT_LIMITS.configChars);
  if (typeof cfgJson !== 'object' || cfgJson === null || Array.isArray(cfgJson)) throw new CheckpointError("the metadata's 'config' is not an object");
  const cfg = validateConfig(cfgJson as Record<string, unknown>);
  if (!cfg.ok) throw new CheckpointError(`its config is invalid: ${cfg.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  let src: Tokenizer;
  let tgt: Tokenizer;
  try {
    src = Tokenizer.fromJSON(parseJson(meta.src_vocab, 'src_vocab'));
    tgt = Tokenizer.fromJSON(parseJson(meta.tgt_vocab, 'tgt_vocab'));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`bad vocabulary: ${(e as Error).message}`);
  }
  const step = Number(meta.step ?? '0');
  // resumeAt replays the batch order up to `step`: bounded like a run's steps.
  if (!Number.isInteger(step) || step < 0 || step > MAX_STEPS) throw new CheckpointError(`bad step '${meta.step}' (a whole number from 0 to ${MAX_STEPS})`);

  let trainer: Trainer;
  try {
    // Refuses a model over the memory budget before building it; the clip group must match.
    trainer = Trainer.create(cfg.config, backend, { pairs: options.pairs, vocab: { src, tgt } });
  } catch (e) {
    throw new CheckpointError(`its run cannot be built: ${(e as Error).message}`);
  }
  try {
    const params = trainer.model.namedParameters();
    const expected = new Set(params.map(([n]) => n));
    const extra = Object.keys(file.tensors).filter((k) => !k.startsWith(OPTIMIZER_PREFIX) && !expected.has(k));
    if (extra.length) throw new CheckpointError(`tensor '${extra[0]}' is not a parameter of the model its config describes`);
    for (const [name, p] of params) {
      const t = file.tensors[name];
      if (!t) throw new CheckpointError(`parameter '${name}' is missing`);
      if (t.dtype !== 'F32') throw new CheckpointError(`parameter '${name}' is ${t.dtype}, expected F32`);
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        throw new CheckpointError(`parameter '${name}' has shape [${t.shape.join(', ')}], the config needs [${p.shape.join(', ')}]`);
      }
    }
    const state: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(file.tensors)) {
      if (k.startsWith(OPTIMIZER_PREFIX)) state[k.slice(OPTIMIZER_PREFIX.length)] = t.data as Float32Array;
    }
    try {
      if (Object.keys(state).length) trainer.rule.optimizer.loadStateDict(state);
    } catch (e) {
      throw new CheckpointError(`optimizer state: ${(e as Error).message}`);
    }
    for (const [name, p] of params) writeData(p, file.tensors[name].data);
    trainer.resumeAt(step, Number(meta.skipped_steps ?? '0') || 0);
    return { trainer };
  } catch (e) {
    trainer.dispose();
    throw e;
  }
}

/** The config fields that shape a model and its tokenizer: fine-tuning takes them from the checkpoint. */
export const ARCHITECTURE_FIELDS = [
  'model', 'layers', 'dModel', 'heads', 'dFF', 'positional', 'norm', 'tieEmbeddings', 'cell', 'hidden', 'embed',
  'bidirectional', 'scoring', 'attention', 'hardKind', 'hardK', 'hardThreshold', 'maxLen', 'tokenizer', 'vocabSize', 'jointVocab',
] as const satisfies readonly (keyof RunConfig)[];

/**
 * Fine-tuning: a new run (`config`: task, optimizer, steps, ... ; `pairs`: its data) that starts
 * from a checkpoint's weights and tokenizers, with the checkpoint's architecture, a fresh
 * optimizer and step 0. The checkpoint is fully checked first (loadCheckpoint).
 */
export async function initFromCheckpoint(bytes: Uint8Array, config: RunConfig, backend: Backend, options: { pairs?: Pair[] } = {}): Promise<Trainer> {
  const { trainer: source } = loadCheckpoint(bytes, backend);
  try {
    const arch: Partial<Record<keyof RunConfig, unknown>> = {};
    for (const f of ARCHITECTURE_FIELDS) arch[f] = source.config[f];
    const merged = validateConfig({ ...config, ...arch });
    if (!merged.ok) throw new CheckpointError(`its architecture does not fit this run: ${merged.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    const trainer = Trainer.create(merged.config, backend, { pairs: options.pairs, vocab: { src: source.data.srcTokenizer, tgt: source.data.tgtTokenizer } });
    const from = source.model.namedParameters();
    const values = await Promise.all(from.map(([, p]) => toFloat32(p)));
    trainer.model.namedParameters().forEach(([, p], i) => writeData(p, values[i]));
    return trainer;
  } finally {
    source.dispose();
  }
}
