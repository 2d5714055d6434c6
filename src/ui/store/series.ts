// Columnar storage of the per-step metrics the worker streams, and the reductions the charts
// draw from. Charts never see every step: a curve is reduced to at most a few hundred points
// (bucket means), and the per-parameter norms keep at most MAX_COLUMNS columns by halving their
// resolution (doubling the step stride) whenever they fill up, so memory stays bounded on long runs.

import type { StepMetrics } from '../../train/protocol';

export const SCALAR_KEYS = ['loss', 'lr', 'gradNormPre', 'gradNormPost', 'tokensPerSec', 'ms', 'gpuBytes', 'clipCoef', 'clampedFraction'] as const;
export type ScalarKey = (typeof SCALAR_KEYS)[number];
/** Columns added after runs were first saved: a saved run without them reads them as NaN (no value). */
export const LATER_SCALAR_KEYS: readonly ScalarKey[] = ['clipCoef', 'clampedFraction'];

/** A saved series with every column: the later ones it lacks filled with NaN, one per step. */
export function completeSeries(s: { step: number[]; columns: Partial<Record<ScalarKey, number[]>> }): SeriesData {
  const columns = { ...s.columns } as Record<ScalarKey, number[]>;
  for (const k of LATER_SCALAR_KEYS) if (!columns[k]) columns[k] = new Array<number>(s.step.length).fill(NaN);
  return { step: s.step, columns };
}

/** Plain arrays, as stored in IndexedDB and in run files. */
export interface SeriesData {
  step: number[];
  columns: Record<ScalarKey, number[]>;
}

export function emptySeries(): SeriesData {
  const columns = {} as Record<ScalarKey, number[]>;
  for (const k of SCALAR_KEYS) columns[k] = [];
  return { step: [], columns };
}

/** Appends rows in place; rows whose step is not after the last stored step are dropped (replays after a reload). */
export function appendRows(s: SeriesData, rows: readonly StepMetrics[]): number {
  let added = 0;
  for (const r of rows) {
    const last = s.step.length ? s.step[s.step.length - 1] : -Infinity;
    if (!(r.step > last)) continue;
    s.step.push(r.step);
    for (const k of SCALAR_KEYS) s.columns[k].push(r[k]);
    added++;
  }
  return added;
}

export interface Point {
  step: number;
  [series: string]: number;
}

/**
 * Reduces series to at most `maxPoints` points: consecutive steps are grouped into equal buckets
 * and each bucket contributes its mean step and the mean of every requested column. Means keep
 * the orderings the charts test for (post-clip ≤ pre-clip, post-clip ≤ max norm) bucket by bucket.
 * Non-finite values are left out of a bucket's mean; a bucket with none gives no value.
 */
export function downsample(step: readonly number[], columns: Record<string, readonly number[]>, maxPoints: number): Point[] {
  const n = step.length;
  const names = Object.keys(columns);
  const bucket = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  const out: Point[] = [];
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let stepSum = 0;
    for (let i = start; i < end; i++) stepSum += step[i];
    const p: Point = { step: end - start === 1 ? step[start] : Math.round(stepSum / (end - start)) };
    for (const name of names) {
      const col = columns[name];
      let sum = 0;
      let count = 0;
      for (let i = start; i < end; i++) {
        const v = col[i];
        if (Number.isFinite(v)) {
          sum += v;
          count++;
        }
      }
      if (count > 0) p[name] = sum / count;
    }
    out.push(p);
  }
  return out;
}

export const MAX_COLUMNS = 512;

/** Per-parameter gradient norms (before / after clipping) as a parameter × step grid. */
export interface ParamNormGrid {
  /** Only rows at least `stride` steps after the previous kept column are kept. */
  stride: number;
  steps: number[];
  /** One Float32Array per kept step, one entry per parameter (in ModelInfo order). */
  pre: Float32Array[];
  post: Float32Array[];
}

export function emptyGrid(): ParamNormGrid {
  return { stride: 1, steps: [], pre: [], post: [] };
}

export function appendGrid(g: ParamNormGrid, rows: readonly StepMetrics[], maxColumns = MAX_COLUMNS): void {
  for (const r of rows) {
    if (r.paramNormsPre.length === 0) continue;
    const last = g.steps.length ? g.steps[g.steps.length - 1] : -Infinity;
    if (r.step - last < g.stride) continue;
    g.steps.push(r.step);
    g.pre.push(Float32Array.from(r.paramNormsPre));
    g.post.push(Float32Array.from(r.paramNormsPost));
    if (g.steps.length > maxColumns) {
      // Halve the resolution: keep every other column, then require twice the spacing.
      const keep = (_: unknown, i: number) => i % 2 === 0;
      g.steps = g.steps.filter(keep);
      g.pre = g.pre.filter(keep);
      g.post = g.post.filter(keep);
      g.stride *= 2;
    }
  }
}

/** Steps per second over the last `windowMs` of arrivals; tokens per second from the newest rows. */
export class RateMeter {
  private samples: { t: number; step: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  add(t: number, step: number): void {
    this.samples.push({ t, step });
    while (this.samples.length > 2 && t - this.samples[0].t > this.windowMs) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  stepsPerSec(): number {
    const s = this.samples;
    if (s.length < 2) return 0;
    const a = s[0];
    const b = s[s.length - 1];
    return b.t > a.t ? ((b.step - a.step) * 1000) / (b.t - a.t) : 0;
  }
}
