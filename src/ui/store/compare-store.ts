// Runs kept for comparison: their config and a reduced copy of their curves. One colour per run,
// taken from a categorical scheme in the order runs were kept (a removed run's colour is reused).

import { create } from 'zustand';
import { schemeTableau10 } from 'd3-scale-chromatic';
import type { RunConfig } from '../../train/config';
import type { EvalMetrics } from '../../train/protocol';
import { downsample, type SeriesData } from './series';
import { CONFIG_KEYS, type ConfigKey } from './config-store';

export const COMPARE_POINTS = 400;

export interface ComparedRun {
  id: string;
  label: string;
  color: string;
  keptAt: number;
  config: RunConfig;
  steps: number;
  /** Reduced curves: step and the train loss, gradient norms and learning rate at that step. */
  curve: { step: number[]; loss: number[]; gradNormPre: number[]; gradNormPost: number[]; lr: number[] };
  evals: EvalMetrics[];
}

export function summarizeRun(
  id: string,
  label: string,
  config: RunConfig,
  series: SeriesData,
  evals: readonly EvalMetrics[],
  keptAt: number,
): Omit<ComparedRun, 'color'> {
  const { loss, gradNormPre, gradNormPost, lr } = series.columns;
  const pts = downsample(series.step, { loss, gradNormPre, gradNormPost, lr }, COMPARE_POINTS);
  const col = (k: string) => pts.map((p) => p[k] ?? NaN);
  return {
    id,
    label,
    keptAt,
    config,
    steps: series.step.length ? series.step[series.step.length - 1] : 0,
    curve: { step: pts.map((p) => p.step), loss: col('loss'), gradNormPre: col('gradNormPre'), gradNormPost: col('gradNormPost'), lr: col('lr') },
    evals: evals.filter((e) => e.split === 'valid').map((e) => ({ ...e })),
  };
}

export function pickColor(used: readonly string[]): string {
  return schemeTableau10.find((c) => !used.includes(c)) ?? schemeTableau10[used.length % schemeTableau10.length];
}

/** Config fields that differ between any of the runs: the columns worth showing. */
export function differingFields(runs: readonly { config: RunConfig }[]): ConfigKey[] {
  if (runs.length < 2) return [];
  return CONFIG_KEYS.filter((k) => runs.some((r) => r.config[k] !== runs[0].config[k]));
}

export interface CompareState {
  runs: ComparedRun[];
  /** Keeps a run (replacing an earlier copy of the same id); returns the stored entry. */
  keep(run: Omit<ComparedRun, 'color'>): ComparedRun;
  remove(id: string): void;
  rename(id: string, label: string): void;
  hydrate(runs: ComparedRun[]): void;
}

export const useCompare = create<CompareState>()((set, get) => ({
  runs: [],
  keep(run) {
    const others = get().runs.filter((r) => r.id !== run.id);
    const prev = get().runs.find((r) => r.id === run.id);
    const entry: ComparedRun = { ...run, color: prev?.color ?? pickColor(others.map((r) => r.color)) };
    set({ runs: [...others, entry].sort((a, b) => a.keptAt - b.keptAt) });
    return entry;
  },
  remove(id) {
    set({ runs: get().runs.filter((r) => r.id !== id) });
  },
  rename(id, label) {
    set({ runs: get().runs.map((r) => (r.id === id ? { ...r, label } : r)) });
  },
  hydrate(runs) {
    set({ runs: [...runs].sort((a, b) => a.keptAt - b.keptAt) });
  },
}));
