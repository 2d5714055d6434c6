// The learning rate the schedule gave each step.

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { ChartFrame } from './chart-frame';
import { formatTick, usePalette } from './theme';
import { useCurve } from './use-series';

const KEYS = ['lr'] as const;

export function LrChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const data = useCurve(KEYS);
  return (
    <ChartFrame title={t('chart.lr')} empty={data.length === 0} height={160}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis type="number" dataKey="step" domain={['dataMin', 'dataMax']} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis domain={[0, 'auto']} stroke={p.muted} tickFormatter={formatTick} width={56} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => Number(v).toExponential(2)} />
        <Line dataKey="lr" name={t('chart.lr')} stroke={p.lr} dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}
