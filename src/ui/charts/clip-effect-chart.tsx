// What clipping did at each step, which the norm curves alone do not show. Clipping by value or
// range clamps single elements, g ← clamp(g, lo, hi): the chart is the fraction of gradient
// elements clamped (counted on the GPU, see shaders/clip.wgsl clamp_pieces), with the parameters
// clamped most at the last step listed below it. Clipping by norm scales everything by
// min(max_norm / (‖g‖ + 1e-6), 1): the chart is that coefficient (1 = not clipped).

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { useMetrics } from '../store/metrics-store';
import { useStatus } from '../store/status-store';
import { ChartFrame } from './chart-frame';
import { useStepAxis, withData } from './axes';
import { formatTick, usePalette } from './theme';
import { useCurve, useMetricsVersion } from './use-series';

const FRACTION = ['clampedFraction'] as const;
const COEF = ['clipCoef'] as const;
/** Parameters listed under the clamped-fraction chart. */
const TOP_PARAMS = 5;

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
}

/** The parameters with the largest clamped fraction at the last step. */
function MostClamped({ version }: { version: number }) {
  const { t } = useTranslation();
  const params = useStatus((s) => s.model?.params);
  void version;
  const last = useMetrics.getState().last;
  if (!last || !params || last.paramClamped.length !== params.length) return null;
  const top = params
    .map((p, i) => ({ name: p.name, f: last.paramClamped[i] }))
    .filter((x) => x.f > 0)
    .sort((a, b) => b.f - a.f)
    .slice(0, TOP_PARAMS);
  return (
    <div className="most-clamped" data-testid="most-clamped">
      <p className="muted">{t('chart.mostClamped', { step: last.step })}</p>
      {top.length === 0 ? (
        <p className="muted">{t('chart.noneClamped')}</p>
      ) : (
        <ul>
          {top.map((x) => (
            <li key={x.name}>
              <code>{x.name}</code> {percent(x.f)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ClipEffectChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const clip = useStatus((s) => s.configured?.clip ?? 'none');
  const version = useMetricsVersion();
  const byNorm = clip === 'norm';
  const data = useCurve(version, byNorm ? COEF : FRACTION);
  const x = useStepAxis(withData(data));
  if (clip === 'none') return null;
  const key = byNorm ? 'clipCoef' : 'clampedFraction';
  return (
    <ChartFrame
      title={byNorm ? t('chart.clipCoef') : t('chart.clamped')}
      description={byNorm ? t('chart.clipCoefDesc') : t('chart.clampedDesc')}
      empty={data.length === 0}
      height={160}
      footer={byNorm ? undefined : <MostClamped version={version} />}
    >
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis domain={[0, byNorm ? 1 : 'auto']} stroke={p.muted} tickFormatter={byNorm ? formatTick : (v: number) => `${Math.round(100 * v)} %`} width={60} tickCount={4} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v) => (byNorm ? Number(v).toFixed(3) : percent(Number(v)))} />
        <Line dataKey={key} name={byNorm ? t('chart.clipCoef') : t('chart.clamped')} stroke={p.post} dot={false} isAnimationActive={false} connectNulls />
      </LineChart>
    </ChartFrame>
  );
}
