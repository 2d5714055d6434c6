// Command-line options → RunConfig. Every config field is an option in kebab case
// (--d-model ↔ dModel); a later option overrides an earlier one; any problem is a UsageError
// whose one-line message the CLI prints as `error: …` with exit status 2.

import { DEFAULT_CONFIG, parseFieldValue, validateConfig, type RunConfig } from '../train/config';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The command-line option of a config field, without the dashes ('dModel' → 'd-model'). */
export const optionOf = (field: keyof RunConfig): string => (field === 'dFF' ? 'd-ff' : kebab(field));

/** Config fields by option name, e.g. 'd-model' → 'dModel', 'd-f-f' is spelled 'd-ff'. */
const FIELD_BY_OPTION = new Map<string, keyof RunConfig>(
  (Object.keys(DEFAULT_CONFIG) as (keyof RunConfig)[]).map((k) => [optionOf(k), k]),
);

export interface CliOptions {
  pairs?: string;
  backend: 'webgpu' | 'wasm' | 'cpu' | 'auto';
  save?: string;
  load?: string;
  /** --init FILE: start from a checkpoint's weights and tokenizer (fine-tuning), with a fresh optimizer. */
  init?: string;
  json: boolean;
  /** --weights-only: --save leaves out the optimizer state (a smaller, translate-only file). */
  weightsOnly: boolean;
  logEvery?: number;
  /** --save-every N: also write --save every N steps (with the optimizer state), so a killed run loses little. */
  saveEvery?: number;
  help: boolean;
}

export interface ParsedArgs {
  config: RunConfig;
  cli: CliOptions;
  /** The config fields the command line set explicitly. */
  given: (keyof RunConfig)[];
}

const CLI_FLAGS = new Set(['json', 'help', 'weights-only']);
const CLI_VALUES = new Set(['pairs', 'backend', 'save', 'load', 'init', 'log-every', 'save-every']);

export function optionNames(): string[] {
  return [...FIELD_BY_OPTION.keys(), 'clip-range', ...CLI_VALUES, ...CLI_FLAGS].map((o) => `--${o}`);
}

/** Parses argv (without node and script). `base` is the config before options (e.g. from a checkpoint). */
export function parseTrainArgs(argv: readonly string[], base: RunConfig = DEFAULT_CONFIG): ParsedArgs {
  const input: Partial<Record<keyof RunConfig, unknown>> = {};
  /** The option that last set a field, for error messages (--clip-range sets two). */
  const setBy = new Map<keyof RunConfig, string>();
  const cli: CliOptions = { backend: 'auto', json: false, weightsOnly: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}' (options start with --; see --help)`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'h') name = 'help';
    if (CLI_FLAGS.has(name)) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === 'json') cli.json = true;
      else if (name === 'weights-only') cli.weightsOnly = true;
      else cli.help = true;
      continue;
    }
    const field = FIELD_BY_OPTION.get(name);
    const isBool = field !== undefined && typeof DEFAULT_CONFIG[field] === 'boolean';
    if (value === undefined) {
      const next = argv[i + 1];
      if (isBool && (next === undefined || next.startsWith('--'))) value = 'true';
      else {
        if (next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) throw new UsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
    }
    if (CLI_VALUES.has(name)) {
      if (name === 'pairs') cli.pairs = value;
      else if (name === 'save') cli.save = value;
      else if (name === 'load') cli.load = value;
      else if (name === 'init') cli.init = value;
      else if (name === 'backend') {
        if (value !== 'webgpu' && value !== 'wasm' && value !== 'cpu' && value !== 'auto') throw new UsageError(`--backend must be webgpu, wasm, cpu or auto, not '${value}'`);
        cli.backend = value;
      } else {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not '${value}'`);
        if (name === 'save-every') cli.saveEvery = n;
        else cli.logEvery = n;
      }
      continue;
    }
    if (name === 'clip-range') {
      const parts = value.split(',');
      const [lo, hi] = parts.map((s) => Number(s.trim()));
      if (parts.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new UsageError(`--clip-range must be LO,HI (two numbers), not '${value}'`);
      input.clipLo = lo;
      input.clipHi = hi;
      setBy.set('clipLo', name).set('clipHi', name);
      continue;
    }
    if (!field) throw new UsageError(`unknown option --${name} (see --help)`);
    input[field] = parseFieldValue(field, value);
    setBy.set(field, name);
  }
  if (cli.pairs && input.task === undefined) input.task = 'custom';
  const r = validateConfig(input, base);
  if (!r.ok) {
    const e = r.errors[0];
    const field = e.field as keyof RunConfig;
    throw new UsageError(`--${setBy.get(field) ?? optionOf(field)}: ${e.message}${describeValue(input[field])}`);
  }
  if (r.config.task === 'custom' && !cli.pairs) throw new UsageError('--task custom needs --pairs FILE');
  if (cli.saveEvery !== undefined && !cli.save) throw new UsageError('--save-every needs --save FILE');
  if (cli.init && cli.load) throw new UsageError('--init (fine-tune from a checkpoint) and --load (continue a run) go one at a time');
  return { config: r.config, cli, given: Object.keys(input) as (keyof RunConfig)[] };
}

function describeValue(v: unknown): string {
  return v === undefined ? '' : ` (got ${typeof v === 'number' && Number.isNaN(v) ? 'a non-number' : JSON.stringify(v)})`;
}

export const TRAIN_HELP = `usage: npm run train -- [options]

Trains a seq2seq model on a bundled task or your own pairs, on WebGPU (Dawn) or the CPU.

  --task eng-fra|eng-zh|dates|copy|reverse|sort   bundled task (default ${DEFAULT_CONFIG.task})
        tatoeba-eng-fra|tatoeba-eng-zh              real Tatoeba sentence pairs (BPE pieces)
  --tokenizer auto|word|char|bpe  --vocab-size N  --joint-vocab true|false
  --pairs FILE          your own pairs, tab-separated source<TAB>target[<TAB>attribution]
  --model transformer|rnn
  --cell lstm|gru|janet|indrnn|indrnn2           RNN cell (with --model rnn)
  --layers N  --d-model N  --heads N  --d-ff N  --hidden N  --embed N  --dropout P
  --attention soft|hard  --hard-kind topk|threshold  --hard-k K  --hard-threshold T
  --optimizer sgd|adam|adamw  --lr X  --schedule constant|inverse-sqrt|cosine  --warmup N
  --momentum M  --weight-decay W  --weight-decay-exclude none|bias-norm (no decay on biases, norms)
  --batch N  --steps N  --seed S  --teacher-forcing R  --label-smoothing E
  --clip none|value|range|norm  --clip-value C  --clip-range LO,HI  --clip-group PATTERN
  --max-norm M  --norm-type P|inf
  --eval-every N  --probe-every N  --non-finite stop|skip
  --backend webgpu|wasm|cpu|auto   --save FILE  --weights-only  --load FILE  --json  --log-every N
  --save-every N        also write --save every N steps (optimizer included; resume with --load)
  --init FILE           fine-tune: start from FILE's weights and tokenizer (its architecture), fresh optimizer

--clip-group PATTERN (with --clip range): a substring of parameter names, a glob
(encoder.*.self_attn.*) or a /regex/ in RE2 syntax; empty = every parameter.

A later option overrides an earlier one. Exit status: 0 done, 2 bad options or files,
3 the loss or a gradient became non-finite.`;
