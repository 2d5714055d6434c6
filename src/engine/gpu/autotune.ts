// Per-adapter kernel autotuning: time an op's candidate kernels on a few representative problems
// once per adapter, remember the winner of each, and for any other problem use the winner of the
// nearest representative (nearest in the op's feature space, e.g. log₂ of output size and depth).
// Results live in memory per adapter, and in localStorage where there is one (a page or worker),
// keyed by the op's kernel version so that a changed kernel is retuned. Nothing is tuned unless
// `autotune` is called: ops fall back to their deterministic default (what tests see).

import type { GpuBackend } from './gpu-backend';

/** One representative problem: its features (for nearest-neighbour lookup) and a label. */
export interface TuneProblem {
  label: string;
  point: readonly number[];
}

/** A prepared problem: `run(v)` encodes one execution of candidate v (no waiting). */
export interface PreparedProblem<V extends string> {
  run(variant: V): void;
  dispose(): void;
}

export interface Tunable<V extends string> {
  /** Op name, e.g. 'matmul'. */
  op: string;
  /** Changes whenever the kernels change (e.g. a hash of their WGSL), invalidating stored choices. */
  version: string;
  candidates(backend: GpuBackend): readonly V[];
  problems(backend: GpuBackend): readonly TuneProblem[];
  prepare(backend: GpuBackend, problem: TuneProblem): PreparedProblem<V>;
}

export interface TunedEntry<V extends string> {
  label: string;
  point: number[];
  best: V;
  /** Fastest time per execution of each candidate, in ms. */
  ms: Partial<Record<V, number>>;
}

export interface TuneTable<V extends string> {
  op: string;
  version: string;
  adapter: string;
  entries: TunedEntry<V>[];
}

export interface AutotuneOptions {
  /** Executions per timed submit (amortises the submit/wait latency); default 3. */
  reps?: number;
  /** Timed submits per candidate and problem; the fastest counts. Default 2. */
  trials?: number;
  /** Ignore stored results and measure again. */
  force?: boolean;
  /** Do not read or write localStorage. */
  noStorage?: boolean;
  /** Progress lines (e.g. console.log). */
  log?: (line: string) => void;
}

const tables = new Map<string, TuneTable<string>>();
let enabled = true;

/** Globally disables lookups of tuned choices (ops use their defaults); for A/B measurements. */
export function setAutotuneEnabled(on: boolean): void {
  enabled = on;
}

export function isAutotuneEnabled(): boolean {
  return enabled;
}

function adapterKey(backend: GpuBackend): string {
  return `${backend.adapterName} | ${backend.ctx.architecture}`;
}

function tableKey(op: string, adapter: string): string {
  return `${op}@${adapter}`;
}

function storageKey(op: string, adapter: string): string {
  return `attention-playground.autotune.${op}.${adapter}`;
}

function localStore(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null; // opaque origins throw on access
  }
}

/** FNV-1a 32-bit hash, hex: a cheap kernel-version fingerprint. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The tuned table for `op` on this backend's adapter, if `autotune` has run (or loaded one). */
export function tunedTable<V extends string>(backend: GpuBackend, op: string): TuneTable<V> | undefined {
  if (!enabled) return undefined;
  return tables.get(tableKey(op, adapterKey(backend))) as TuneTable<V> | undefined;
}

/** The winner at the tuned problem nearest to `point` (squared Euclidean distance), if tuned. */
export function tunedChoice<V extends string>(backend: GpuBackend, op: string, point: readonly number[]): V | undefined {
  const t = tunedTable<V>(backend, op);
  if (!t || t.entries.length === 0) return undefined;
  let best: TunedEntry<V> | undefined;
  let bestD = Infinity;
  for (const e of t.entries) {
    let d = 0;
    for (let i = 0; i < point.length; i++) d += (point[i] - (e.point[i] ?? 0)) ** 2;
    if (d < bestD) {
      bestD = d;
      best = e;
    }
  }
  return best?.best;
}

/**
 * Installs a table measured earlier (e.g. by a worker, which has no localStorage, and kept by the
 * page). Ignored, returning false, when it is for another adapter or kernel version.
 */
export function importTuneTable<V extends string>(backend: GpuBackend, tunable: Tunable<V>, table: TuneTable<V>): boolean {
  const adapter = adapterKey(backend);
  if (table.op !== tunable.op || table.version !== tunable.version || table.adapter !== adapter || !Array.isArray(table.entries)) return false;
  tables.set(tableKey(tunable.op, adapter), table as TuneTable<string>);
  return true;
}

/** Forgets tuned tables (all ops, or one op) in memory; stored copies stay. */
export function clearTuned(op?: string): void {
  for (const k of [...tables.keys()]) if (!op || k.startsWith(`${op}@`)) tables.delete(k);
}

/**
 * Tunes `tunable` on this backend's adapter unless a table for the same kernel version is already
 * in memory or in localStorage. Each candidate is warmed up once (pipeline compilation excluded),
 * then timed as `trials` submits of `reps` executions, waiting with onSubmittedWorkDone.
 */
export async function autotune<V extends string>(
  backend: GpuBackend,
  tunable: Tunable<V>,
  options: AutotuneOptions = {},
): Promise<TuneTable<V>> {
  const adapter = adapterKey(backend);
  const key = tableKey(tunable.op, adapter);
  const store = options.noStorage ? null : localStore();
  if (!options.force) {
    const mem = tables.get(key);
    if (mem && mem.version === tunable.version) return mem as TuneTable<V>;
    const raw = store?.getItem(storageKey(tunable.op, adapter));
    if (raw) {
      try {
        const t = JSON.parse(raw) as TuneTable<V>;
        if (t.version === tunable.version && t.op === tunable.op && Array.isArray(t.entries)) {
          tables.set(key, t);
          return t;
        }
      } catch {
        // a corrupt entry is simply re-measured
      }
    }
  }
  const reps = options.reps ?? 3;
  const trials = options.trials ?? 2;
  const candidates = tunable.candidates(backend);
  const entries: TunedEntry<V>[] = [];
  for (const problem of tunable.problems(backend)) {
    const prepared = tunable.prepare(backend, problem);
    const ms: Partial<Record<V, number>> = {};
    let leader = Infinity;
    try {
      for (const v of candidates) {
        prepared.run(v); // warm-up: compiles the pipeline
        await backend.sync();
        let best = Infinity;
        for (let t = 0; t < trials; t++) {
          const t0 = performance.now();
          for (let r = 0; r < reps; r++) prepared.run(v);
          await backend.sync();
          best = Math.min(best, (performance.now() - t0) / reps);
          // A candidate at over twice the leader's time will not win: spare the other trials.
          if (best > 2 * leader) break;
        }
        ms[v] = best;
        leader = Math.min(leader, best);
      }
    } finally {
      prepared.dispose();
    }
    let winner = candidates[0];
    for (const v of candidates) if ((ms[v] ?? Infinity) < (ms[winner] ?? Infinity)) winner = v;
    entries.push({ label: problem.label, point: [...problem.point], best: winner, ms });
    options.log?.(
      `[autotune] ${tunable.op} ${problem.label}: ${candidates.map((v) => `${v} ${ms[v]?.toFixed(2)} ms`).join(', ')} → ${winner}`,
    );
  }
  const table: TuneTable<V> = { op: tunable.op, version: tunable.version, adapter, entries };
  tables.set(key, table as TuneTable<string>);
  try {
    store?.setItem(storageKey(tunable.op, adapter), JSON.stringify(table));
  } catch {
    // storage full or disabled: the in-memory table still serves this session
  }
  return table;
}
