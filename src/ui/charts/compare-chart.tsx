// Kept runs overlaid: one curve per run in the run's colour, for the chosen metric.

import { useId, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import type { ComparedRun } from '../store/compare-store';
import { ChartFrame } from './chart-frame';
import { LogToggle } from './log-toggle';
import { formatTick, usePalette } from './theme';
import { toPercent } from './eval-chart';
import { useStepAxis, useValueAxis } from './axes';

const VALUE_KEY = ['value'];

export const COMPARE_METRICS = ['loss', 'validLoss', 'gradNormPost', 'lr', 'tokenAccuracy', 'exactMatch', 'bleu'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export function curveOf(run: ComparedRun, metric: CompareMetric): { step: number; value: number }[] {
  switch (metric) {
    case 'loss':
    case 'gradNormPost':
    case 'lr':
      return run.curve.step.map((step, i) => ({ step, value: run.curve[metric][i] })).filter((p) => Number.isFinite(p.value));
    case 'validLoss':
      return run.evals.map((e) => ({ step: e.step, value: e.loss }));
    case 'bleu':
      return run.evals.map((e) => ({ step: e.step, value: e.bleu }));
    default:
      return run.evals.map((e) => ({ step: e.step, value: toPercent(e[metric]) }));
  }
}

export function CompareChart({ runs }: { runs: readonly ComparedRun[] }) {
  const { t } = useTranslation();
  const p = usePalette();
  const selectId = useId();
  const [metric, setMetric] = useState<CompareMetric>('loss');
  const [log, setLog] = useState(false);
  const curves = useMemo(
    () => runs.map((r) => ({ run: r, data: curveOf(r, metric).filter((d) => !log || d.value > 0) })),
    [runs, metric, log],
  );
  const empty = curves.every((c) => c.data.length === 0);
  const series = useMemo(() => curves.map((c) => c.data), [curves]);
  const y = useValueAxis(log, series, VALUE_KEY);
  const x = useStepAxis(series);
  const controls = (
    <span className="chart-controls">
      <label htmlFor={selectId}>{t('compare.metric')}</label>
      <select id={selectId} value={metric} onChange={(e) => setMetric(e.target.value as CompareMetric)}>
        {COMPARE_METRICS.map((m) => (
          <option key={m} value={m}>
            {t(`compare.metrics.${m}`)}
          </option>
        ))}
      </select>
      <LogToggle checked={log} onChange={setLog} />
    </span>
  );
  return (
    <ChartFrame title={t('compare.chart')} legend={runs.map((r) => ({ label: r.label, color: r.color }))} empty={empty} controls={controls} height={280}>
      <LineChart margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis {...y} stroke={p.muted} tickFormatter={formatTick} width={52} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => formatTick(Number(v))} />
        {curves.map(({ run, data }) => (
          <Line key={run.id} data={data} dataKey="value" name={run.label} stroke={run.color} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ChartFrame>
  );
}
