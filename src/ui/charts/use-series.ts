// Chart data from the metrics store, recomputed in the chart's turn of the round robin (one chart
// per tick, see use-throttled.ts), reduced to at most CHART_POINTS points.

import { useMemo } from 'react';
import type { EvalMetrics } from '../../train/protocol';
import { useMetrics, type MetricsState } from '../store/metrics-store';
import { downsample, type Point, type ScalarKey } from '../store/series';
import { useRoundRobin } from '../store/use-throttled';
import { useViewActive } from '../panels/tabs';

export const CHART_POINTS = 250;

const selectVersion = (s: MetricsState) => s.version;
const selectEvals = (s: MetricsState) => s.evals;

/** The metrics version, refreshed in this component's turn. */
export function useMetricsVersion(): number {
  return useRoundRobin(useMetrics, selectVersion, useViewActive());
}

/** The series `keys` at `version`, reduced; log-scale charts drop values ≤ 0. */
export function useCurve(version: number, keys: readonly ScalarKey[], options: { maxPoints?: number; positiveOnly?: boolean } = {}): Point[] {
  const { maxPoints = CHART_POINTS, positiveOnly = false } = options;
  const keyList = keys.join(',');
  return useMemo(() => {
    void version;
    const s = useMetrics.getState().series;
    const cols: Record<string, readonly number[]> = {};
    for (const k of keyList.split(',') as ScalarKey[]) cols[k] = s.columns[k];
    const pts = downsample(s.step, cols, maxPoints);
    if (positiveOnly) for (const p of pts) for (const k of Object.keys(cols)) if (!(p[k] > 0)) delete p[k];
    return pts;
  }, [version, keyList, maxPoints, positiveOnly]);
}

/** Valid-split evaluations (a new array only when an evaluation arrives). */
export function useValidEvals(): EvalMetrics[] {
  const evals = useRoundRobin(useMetrics, selectEvals, useViewActive());
  return useMemo(() => evals.filter((e) => e.split === 'valid'), [evals]);
}
