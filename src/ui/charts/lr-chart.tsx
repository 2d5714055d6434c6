// The learning rate the schedule gave each step.

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { ChartFrame } from './chart-frame';
import { useStepAxis, withData } from './axes';
import { formatTick, usePalette } from './theme';
import { useCurve, useMetricsVersion } from './use-series';

const KEYS = ['lr'] as const;

export function LrChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const data = useCurve(useMetricsVersion(), KEYS);
  const x = useStepAxis(withData(data));
  return (
    <ChartFrame title={t('chart.lr')} empty={data.length === 0} height={160}>
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis domain={[0, 'auto']} stroke={p.muted} tickFormatter={formatTick} width={56} interval={0} tickCount={4} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => Number(v).toExponential(2)} />
        <Line dataKey="lr" name={t('chart.lr')} stroke={p.lr} dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}
