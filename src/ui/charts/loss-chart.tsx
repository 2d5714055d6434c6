// Train loss (every step, reduced) and valid loss (every evaluation) against the step.

import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { ChartFrame } from './chart-frame';
import { formatTick, usePalette } from './theme';
import { useCurve, useEvals } from './use-series';
import { LogToggle } from './log-toggle';

const KEYS = ['loss'] as const;

export function LossChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const [log, setLog] = useState(false);
  const train = useCurve(KEYS, { positiveOnly: log });
  const evals = useEvals();
  const valid = useMemo(() => evals.map((e) => ({ step: e.step, validLoss: e.loss })).filter((e) => !log || e.validLoss > 0), [evals, log]);
  return (
    <ChartFrame title={t('chart.loss')} empty={train.length === 0} controls={<LogToggle checked={log} onChange={setLog} />}>
      <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis type="number" dataKey="step" domain={['dataMin', 'dataMax']} stroke={p.muted} tickFormatter={formatTick} allowDuplicatedCategory={false} />
        <YAxis scale={log ? 'log' : 'linear'} domain={['auto', 'auto']} stroke={p.muted} tickFormatter={formatTick} width={48} allowDataOverflow={log} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => formatTick(Number(v))} />
        <Legend />
        <Line data={train} dataKey="loss" name={t('chart.trainLoss')} stroke={p.train} dot={false} isAnimationActive={false} connectNulls />
        <Line data={valid} dataKey="validLoss" name={t('chart.validLoss')} stroke={p.valid} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
      </LineChart>
    </ChartFrame>
  );
}
