// Live metrics of the current run. The worker posts rows in batches (about every 100 ms); the
// columns are appended in place and `version` bumps once per batch. Components never subscribe to
// the columns: they read them through a throttled `version` (see use-throttled.ts), so a chart
// re-renders at most a few times a second however fast steps arrive.

import { create } from 'zustand';
import type { EvalMetrics, StepMetrics } from '../../train/protocol';
import { appendGrid, appendRows, completeSeries, emptyGrid, emptySeries, RateMeter, type ParamNormGrid, type SeriesData } from './series';

export interface SavedMetrics {
  series: SeriesData;
  grid: ParamNormGrid;
  evals: EvalMetrics[];
}

export interface MetricsState {
  version: number;
  series: SeriesData;
  grid: ParamNormGrid;
  evals: EvalMetrics[];
  last: StepMetrics | null;
  stepsPerSec: number;
  tokensPerSec: number;
  addRows(rows: readonly StepMetrics[], now: number): void;
  addEval(e: EvalMetrics): void;
  clear(): void;
  restore(saved: SavedMetrics): void;
  save(): SavedMetrics;
}

const meter = new RateMeter();

/** The saved metrics up to and including `step` (a checkpoint may be a little older than the metrics saved with it). */
export function truncateMetrics(m: SavedMetrics, step: number): SavedMetrics {
  const n = m.series.step.filter((s) => s <= step).length;
  const g = m.grid.steps.filter((s) => s <= step).length;
  return {
    series: { step: m.series.step.slice(0, n), columns: Object.fromEntries(Object.entries(m.series.columns).map(([k, v]) => [k, v.slice(0, n)])) as SeriesData['columns'] },
    grid: { stride: m.grid.stride, steps: m.grid.steps.slice(0, g), pre: m.grid.pre.slice(0, g), post: m.grid.post.slice(0, g) },
    evals: m.evals.filter((e) => e.step <= step),
  };
}

export const useMetrics = create<MetricsState>()((set, get) => ({
  version: 0,
  series: emptySeries(),
  grid: emptyGrid(),
  evals: [],
  last: null,
  stepsPerSec: 0,
  tokensPerSec: 0,
  addRows(rows, now) {
    if (rows.length === 0) return;
    const s = get();
    const added = appendRows(s.series, rows);
    appendGrid(s.grid, rows);
    if (added === 0) return;
    const last = rows[rows.length - 1];
    meter.add(now, last.step);
    // Tokens/s: mean over the batch of rows (each row reports its own step's tokens / ms).
    let tok = 0;
    for (const r of rows) tok += r.tokensPerSec;
    set({ version: s.version + 1, last, stepsPerSec: meter.stepsPerSec(), tokensPerSec: tok / rows.length });
  },
  addEval(e) {
    const evals = get().evals.filter((x) => !(x.step === e.step && x.split === e.split));
    evals.push(e);
    evals.sort((a, b) => a.step - b.step);
    set({ evals, version: get().version + 1 });
  },
  clear() {
    meter.reset();
    set({ version: get().version + 1, series: emptySeries(), grid: emptyGrid(), evals: [], last: null, stepsPerSec: 0, tokensPerSec: 0 });
  },
  restore(savedRun) {
    meter.reset();
    // Runs saved before a column existed lack it (IndexedDB holds them as they were written).
    const saved = { ...savedRun, series: completeSeries(savedRun.series) };
    const n = saved.series.step.length;
    const last: StepMetrics | null =
      n === 0
        ? null
        : {
            step: saved.series.step[n - 1],
            loss: saved.series.columns.loss[n - 1],
            lr: saved.series.columns.lr[n - 1],
            gradNormPre: saved.series.columns.gradNormPre[n - 1],
            gradNormPost: saved.series.columns.gradNormPost[n - 1],
            paramNormsPre: [],
            paramNormsPost: [],
            clipCoef: saved.series.columns.clipCoef[n - 1],
            clampedFraction: saved.series.columns.clampedFraction[n - 1],
            paramClamped: [],
            tokensPerSec: saved.series.columns.tokensPerSec[n - 1],
            ms: saved.series.columns.ms[n - 1],
            gpuBytes: saved.series.columns.gpuBytes[n - 1],
          };
    set({ version: get().version + 1, series: saved.series, grid: saved.grid, evals: saved.evals, last, stepsPerSec: 0, tokensPerSec: 0 });
  },
  save() {
    const { series, grid, evals } = get();
    return {
      series: { step: [...series.step], columns: Object.fromEntries(Object.entries(series.columns).map(([k, v]) => [k, [...v]])) as SeriesData['columns'] },
      grid: { stride: grid.stride, steps: [...grid.steps], pre: grid.pre.map((a) => a.slice()), post: grid.post.map((a) => a.slice()) },
      evals: evals.map((e) => ({ ...e })),
    };
  },
}));
