// The global gradient norm ‖g‖ before and after clipping on one chart. With norm clipping the
// post-clip norm is min(‖g‖, max_norm) (clip_grad_norm_ scales g by max_norm / (‖g‖ + 1e-6)
// when ‖g‖ > max_norm), so the max-norm line is drawn for reference.

import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { useStatus } from '../store/status-store';
import { useConfig } from '../store/config-store';
import { ChartFrame } from './chart-frame';
import { useStepAxis, useValueAxis, withData } from './axes';
import { LogToggle } from './log-toggle';
import { formatTick, usePalette } from './theme';
import { useCurve, useMetricsVersion } from './use-series';

const KEYS = ['gradNormPre', 'gradNormPost'] as const;

export function GradNormChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const [log, setLog] = useState(true);
  const data = useCurve(useMetricsVersion(), KEYS, { positiveOnly: log });
  const configured = useStatus((s) => s.configured);
  const edited = useConfig((s) => s.config);
  const c = configured ?? edited;
  const maxNorm = c.clip === 'norm' ? c.maxNorm : null;
  // The reference line is part of the axis range, so that it is visible even above the data.
  const withRef = useMemo(() => (maxNorm === null ? [data] : [data, [{ step: 0, gradNormPre: maxNorm }]]), [data, maxNorm]);
  const y = useValueAxis(log, withRef, KEYS);
  const x = useStepAxis(withData(data));
  const legend = [
    { label: t('chart.preClip'), color: p.pre },
    { label: t('chart.postClip'), color: p.post, dashed: true },
  ];
  return (
    <ChartFrame
      title={t('chart.gradNorm')}
      legend={legend}
      description={t('chart.gradNormDesc')}
      empty={data.length === 0}
      controls={<LogToggle checked={log} onChange={setLog} />}
    >
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis {...y} stroke={p.muted} tickFormatter={formatTick} width={48} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => formatTick(Number(v))} />
        <Line dataKey="gradNormPre" name={t('chart.preClip')} stroke={p.pre} dot={false} isAnimationActive={false} connectNulls />
        <Line dataKey="gradNormPost" name={t('chart.postClip')} stroke={p.post} dot={false} isAnimationActive={false} strokeDasharray="5 3" connectNulls />
        {maxNorm !== null && (
          <ReferenceLine y={maxNorm} stroke={p.reference} strokeDasharray="2 4" label={{ value: t('chart.maxNorm', { value: maxNorm }), fill: p.muted, position: 'insideTopRight', fontSize: 12 }} ifOverflow="extendDomain" />
        )}
      </LineChart>
    </ChartFrame>
  );
}
