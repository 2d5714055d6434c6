// Axis settings shared by the charts. Every axis gets its ticks without recharts measuring tick
// text in the DOM (interval 0, explicit log ticks), which keeps each chart update short.

import { useMemo } from 'react';
import type { Point } from '../store/series';
import { linearTicks, logTicks } from './theme';

/** Props for a value axis: linear with `auto` bounds, or log with ticks at powers of ten. */
export function useValueAxis(log: boolean, series: readonly (readonly Point[])[], keys: readonly string[]) {
  return useMemo(() => {
    if (!log) return { scale: 'linear' as const, domain: ['auto', 'auto'] as [string, string], interval: 0 as const, tickCount: 5 };
    const values: number[] = [];
    for (const pts of series) for (const p of pts) for (const k of keys) if (p[k] !== undefined) values.push(p[k]);
    const ticks = logTicks(values);
    return { scale: 'log' as const, domain: [ticks[0], ticks[ticks.length - 1]] as [number, number], ticks, interval: 0 as const, allowDataOverflow: true };
  }, [log, series, keys]);
}

/** Props for the step axis: the data's step range with round ticks inside it. */
export function useStepAxis(series: readonly (readonly { step: number }[])[]) {
  return useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const pts of series)
      for (const p of pts) {
        if (p.step < lo) lo = p.step;
        if (p.step > hi) hi = p.step;
      }
    if (!Number.isFinite(lo)) return { type: 'number' as const, dataKey: 'step', domain: [0, 1] as [number, number], ticks: [0, 1], interval: 0 as const, allowDuplicatedCategory: false };
    if (hi === lo) hi = lo + 1;
    return { type: 'number' as const, dataKey: 'step', domain: [lo, hi] as [number, number], ticks: linearTicks(lo, hi, 5, 1), interval: 0 as const, allowDuplicatedCategory: false };
  }, [series]);
}

const memo = new WeakMap<readonly { step: number }[], readonly (readonly { step: number }[])[]>();
/** A one-series list with a stable identity per series (for useStepAxis's memo). */
export function withData<T extends { step: number }>(data: readonly T[]): readonly (readonly T[])[] {
  let list = memo.get(data);
  if (!list) {
    list = [data];
    memo.set(data, list);
  }
  return list as readonly (readonly T[])[];
}
