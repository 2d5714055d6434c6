// The training view: loss, gradient norms (global and per parameter), learning rate and the
// valid-set metrics, all live.

import { useTranslation } from 'react-i18next';
import { LossChart } from '../charts/loss-chart';
import { GradNormChart } from '../charts/grad-norm-chart';
import { LrChart } from '../charts/lr-chart';
import { ClipEffectChart } from '../charts/clip-effect-chart';
import { EvalChart } from '../charts/eval-chart';
import { ParamNormHeatmap } from '../heatmap/param-norm-heatmap';
import { Learn, Paragraphs } from './learn';
import { ProfilePanel } from './profile-panel';

export function TrainingView() {
  const { t } = useTranslation();
  return (
    <section className="view" aria-labelledby="view-training-title">
      <h2 id="view-training-title" className="sr-only">
        {t('views.training')}
      </h2>
      <div className="chart-grid">
        <LossChart />
        <GradNormChart />
        <EvalChart />
        <LrChart />
        <ClipEffectChart />
      </div>
      <ParamNormHeatmap />
      <ProfilePanel />
      <Learn title={t('learn.clipTitle')}>
        <Paragraphs text={t('learn.clip')} />
      </Learn>
    </section>
  );
}
