// Token accuracy, exact match (fractions, drawn in percent), corpus BLEU and chrF (sacreBLEU's
// 0–100 scales; multi-reference) on the valid split at each evaluation.

import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { ChartFrame } from './chart-frame';
import { useStepAxis, withData } from './axes';
import { formatTick, usePalette } from './theme';
import { useValidEvals } from './use-series';
import { useStatus } from '../store/status-store';
import { useConfig } from '../store/config-store';

/** The step of the first evaluation after `step` (the worker evaluates when step % every = 0). */
export function nextEvaluation(step: number, every: number): number {
  return (Math.floor(step / every) + 1) * every;
}

export function toPercent(v: number): number {
  return v * 100;
}

export function EvalChart() {
  const { t } = useTranslation();
  const p = usePalette();
  const evals = useValidEvals();
  const data = useMemo(
    () => evals.map((e) => ({ step: e.step, acc: toPercent(e.tokenAccuracy), em: toPercent(e.exactMatch), bleu: e.bleu, chrf: e.chrf })),
    [evals],
  );
  const x = useStepAxis(withData(data));
  const step = useStatus((s) => s.step);
  const every = useStatus((s) => s.configured?.evalEvery) ?? useConfig.getState().config.evalEvery;
  const training = useStatus((s) => s.runState === 'training');
  const emptyText = step > 0 || training ? t('chart.firstEval', { step: nextEvaluation(step, every) }) : t('chart.emptyEval', { every });
  return (
    <ChartFrame
      title={t('chart.eval')}
      emptyText={emptyText}
      legend={[
        { label: t('chart.tokenAccuracy'), color: p.accuracy },
        { label: t('chart.exactMatch'), color: p.exact },
        { label: t('chart.bleu'), color: p.bleu },
        { label: t('chart.chrf'), color: p.chrf },
      ]}
      description={t('chart.evalDesc')}
      empty={data.length === 0}
      height={180}
    >
      <LineChart data={data} margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
        <XAxis {...x} stroke={p.muted} tickFormatter={formatTick} />
        <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} interval={0} stroke={p.muted} width={40} />
        <Tooltip contentStyle={{ background: p.surface, borderColor: p.grid, color: p.text }} formatter={(v, name) => (name === t('chart.bleu') || name === t('chart.chrf') ? Number(v).toFixed(1) : `${Number(v).toFixed(1)}%`)} />
        <Line dataKey="acc" name={t('chart.tokenAccuracy')} stroke={p.accuracy} dot={{ r: 2 }} isAnimationActive={false} />
        <Line dataKey="em" name={t('chart.exactMatch')} stroke={p.exact} dot={{ r: 2 }} isAnimationActive={false} />
        <Line dataKey="bleu" name={t('chart.bleu')} stroke={p.bleu} dot={{ r: 2 }} isAnimationActive={false} />
        <Line dataKey="chrf" name={t('chart.chrf')} stroke={p.chrf} dot={{ r: 2 }} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}
