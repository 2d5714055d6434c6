// The run configuration being edited. `config` is always valid (it is what Train uses and what
// the URL shows); a value the schema refuses stays in `pending` as the text the learner typed,
// with its message in `errors`, and is not applied. Pending values are retried whenever another
// field changes, so fixing the other side of a cross-field rule (heads must divide d_model)
// applies both.

import { create } from 'zustand';
import {
  configFromSearchParams,
  configToSearchParams,
  DEFAULT_CONFIG,
  parseFieldValue,
  validateConfig,
  type FieldError,
  type RunConfig,
} from '../../train/config';

export type ConfigKey = keyof RunConfig;
export type Pending = Partial<Record<ConfigKey, string>>;
export type Errors = Partial<Record<ConfigKey, string>>;

export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as ConfigKey[];

export function isConfigKey(k: string): k is ConfigKey {
  return Object.prototype.hasOwnProperty.call(DEFAULT_CONFIG, k);
}

/** The text a field shows for a value. */
export function fieldText(v: RunConfig[ConfigKey]): string {
  return String(v);
}

/** Numeric fields refuse text that is not a number before the schema sees it (zod would say "received NaN"). */
function parse(key: ConfigKey, text: string): { value: unknown } | { error: string } {
  const def = DEFAULT_CONFIG[key];
  const numeric = typeof def === 'number' || key === 'normType';
  if (numeric) {
    const t = text.trim();
    if (key === 'normType' && (t === 'inf' || t === 'Infinity' || t === '∞')) return { value: 'inf' };
    if (t === '' || !Number.isFinite(Number(t))) return { error: 'must be a number' };
  }
  return { value: parseFieldValue(key, text) };
}

export interface Applied {
  config: RunConfig;
  pending: Pending;
  errors: Errors;
}

/**
 * Applies the pending texts to `config` one field at a time until none more can be applied;
 * what is left keeps its text and gets the schema's messages. A message the schema attaches to
 * another field (a cross-field rule) is shown beside the field that was edited.
 */
export function applyPending(config: RunConfig, pending: Pending): Applied {
  let cfg = config;
  const left: Pending = { ...pending };
  let progress = true;
  while (progress) {
    progress = false;
    for (const key of Object.keys(left) as ConfigKey[]) {
      const p = parse(key, left[key]!);
      if ('error' in p) continue;
      const r = validateConfig({ ...cfg, [key]: p.value });
      if (r.ok) {
        cfg = r.config;
        delete left[key];
        progress = true;
      }
    }
  }
  const errors: Errors = {};
  for (const key of Object.keys(left) as ConfigKey[]) {
    const p = parse(key, left[key]!);
    if ('error' in p) {
      errors[key] = p.error;
      continue;
    }
    const r = validateConfig({ ...cfg, [key]: p.value });
    errors[key] = r.ok ? '' : r.errors.map((e) => e.message).join('; ');
  }
  return { config: cfg, pending: left, errors };
}

/**
 * The config of a URL query. configFromSearchParams applies the parameters in URL order; the
 * ones it could not apply (invalid, or refused only because of a field later in the URL) are
 * retried as pending edits, and those still refused keep the URL's text and their messages.
 */
export function fromSearch(search: string): Applied {
  const params = new URLSearchParams(search);
  const { config } = configFromSearchParams(params);
  const pending: Pending = {};
  for (const [k, text] of params) {
    if (!isConfigKey(k)) continue;
    const p = parse(k, text);
    if ('error' in p || p.value !== config[k]) pending[k] = text;
  }
  return applyPending(config, pending);
}

export interface ConfigState extends Applied {
  /** Set a field from its text (inputs, selects) or a boolean (checkboxes). */
  setField(key: ConfigKey, value: string | boolean): void;
  /** Replace the whole config (a restored or imported run); clears pending edits. */
  replace(config: RunConfig): void;
  /** Read the config from URL parameters: invalid ones are kept pending with their messages. */
  loadSearch(search: string): void;
  /** Show errors the worker reported for a config it refused. */
  showErrors(errors: FieldError[]): void;
}

export const useConfig = create<ConfigState>()((set, get) => ({
  config: DEFAULT_CONFIG,
  pending: {},
  errors: {},
  setField(key, value) {
    const { config, pending } = get();
    const text = typeof value === 'boolean' ? String(value) : value;
    set(applyPending(config, { ...pending, [key]: text }));
  },
  replace(config) {
    set({ config, pending: {}, errors: {} });
  },
  loadSearch(search) {
    set(fromSearch(search));
  },
  showErrors(errors) {
    const errs: Errors = { ...get().errors };
    for (const e of errors) if (isConfigKey(e.field)) errs[e.field] = e.message;
    set({ errors: errs });
  },
}));

/** Parameters of the page itself that live in the URL beside the config (backend: the user's override of the measured choice). */
export const PAGE_PARAMS = ['lang', 'view', 'backend'] as const;

/** The URL query for a config, keeping the page's own parameters from `current`. */
export function searchFor(config: RunConfig, current: string): string {
  const p = configToSearchParams(config);
  const cur = new URLSearchParams(current);
  for (const k of PAGE_PARAMS) {
    const v = cur.get(k);
    if (v !== null) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Fields whose values differ between two configs (for the "changes apply on Reset" hint and run comparison). */
export function changedFields(a: RunConfig, b: RunConfig): ConfigKey[] {
  return CONFIG_KEYS.filter((k) => a[k] !== b[k]);
}
