// Optimisation: optimizer, learning rate and its schedule, batch size, steps, seed, and the
// cadence of evaluation and attention snapshots.

import { useTranslation } from 'react-i18next';
import { useConfig } from '../store/config-store';
import { NumberField, SelectField, useOptions } from './fields';
import { Learn, Paragraphs } from './learn';

export function OptimPanel() {
  const { t } = useTranslation();
  const optimizer = useConfig((s) => s.config.optimizer);
  const schedule = useConfig((s) => s.config.schedule);
  const model = useConfig((s) => s.config.model);
  const optimizers = useOptions('optim.optimizers', ['sgd', 'adam', 'adamw']);
  const schedules = useOptions('optim.schedules', ['constant', 'inverse-sqrt', 'cosine']);
  const nonFinite = useOptions('optim.nonFiniteOptions', ['stop', 'skip']);
  const decayExclude = useOptions('optim.weightDecayExcludeOptions', ['none', 'bias-norm']);
  return (
    <section className="panel" aria-labelledby="panel-optim">
      <h2 id="panel-optim">{t('optim.title')}</h2>
      <div className="field-grid">
        <SelectField name="optimizer" options={optimizers} />
        <NumberField name="lr" />
        {optimizer === 'sgd' && <NumberField name="momentum" />}
        {optimizer !== 'adam' && <NumberField name="weightDecay" />}
        {optimizer !== 'adam' && <SelectField name="weightDecayExclude" options={decayExclude} />}
        <SelectField name="schedule" options={schedules} hint={t(`optim.scheduleDesc.${schedule}`)} />
        {schedule !== 'constant' && <NumberField name="warmup" />}
        <NumberField name="batch" />
        <NumberField name="steps" />
        <NumberField name="seed" />
        <NumberField name="maxLen" />
        {model === 'rnn' && <NumberField name="teacherForcing" />}
        <NumberField name="labelSmoothing" />
        <NumberField name="evalEvery" />
        <NumberField name="probeEvery" />
        <SelectField name="nonFinite" options={nonFinite} />
      </div>
      <Learn title={t('learn.optimTitle')}>
        <Paragraphs text={t('learn.optim')} />
      </Learn>
    </section>
  );
}
