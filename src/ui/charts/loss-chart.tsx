// Train loss (every step, reduced) and valid loss (every evaluation) against the step.

import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { ChartFrame } from './chart-frame';
import { useStepAxis, useValueAxis } from './axes';
import { LogToggle } from './log-toggle';
import { formatTick, usePalette } from './theme';
import { useCurve, useMetricsVersion, useValidEvals } from './use-series';

const KEYS = ['loss'] as const;
const AXIS_KEYS = ['loss', 'validLoss'];

export function LossChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const [log, setLog] = useState(false);
  const train = useCurve(useMetricsVersion(), KEYS, { positiveOnly: log });
  const evals = useValidEvals();
  const valid = useMemo(() => evals.map((e) => ({ step: e.step, validLoss: e.loss })).filter((e) => !log || e.validLoss > 0), [evals, log]);
  const both = useMemo(() => [train, valid], [train, valid]);
  const y = useValueAxis(log, both, AXIS_KEYS);
  const x = useStepAxis(both);
  const legend = [
    { label: t('chart.trainLoss'), color: p.train },
    { label: t('chart.validLoss'), color: p.valid },
  ];
  return (
    <ChartFrame title={t('chart.loss')} legend={legend} empty={train.length === 0} controls={<LogToggle checked={log} onChange={setLog} />}>
      <LineChart margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis {...y} stroke={p.muted} tickFormatter={formatTick} width={48} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => formatTick(Number(v))} />
        <Line data={train} dataKey="loss" name={t('chart.trainLoss')} stroke={p.train} dot={false} isAnimationActive={false} connectNulls />
        <Line data={valid} dataKey="validLoss" name={t('chart.validLoss')} stroke={p.valid} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
      </LineChart>
    </ChartFrame>
  );
}
