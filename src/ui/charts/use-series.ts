// Chart data from the metrics store, recomputed at most every CHART_THROTTLE_MS.

import { useMemo } from 'react';
import type { EvalMetrics } from '../../train/protocol';
import { useMetrics, type MetricsState } from '../store/metrics-store';
import { downsample, type Point, type ScalarKey } from '../store/series';
import { useThrottled } from '../store/use-throttled';

export const CHART_THROTTLE_MS = 750;
export const CHART_POINTS = 300;

const selectVersion = (s: MetricsState) => s.version;

export function useMetricsVersion(ms = CHART_THROTTLE_MS): number {
  return useThrottled(useMetrics, selectVersion, ms);
}

/** The series `keys` reduced to at most `maxPoints` points; log-scale charts drop values ≤ 0. */
export function useCurve(keys: readonly ScalarKey[], options: { maxPoints?: number; positiveOnly?: boolean } = {}): Point[] {
  const version = useMetricsVersion();
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

export function useEvals(): EvalMetrics[] {
  const version = useMetricsVersion();
  return useMemo(() => {
    void version;
    return useMetrics.getState().evals.filter((e) => e.split === 'valid');
  }, [version]);
}
