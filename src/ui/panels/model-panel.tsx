// Model: Transformer or RNN encoder–decoder with attention, its sizes, and soft or hard attention.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { pendingParameterCount } from '../store/param-count';
import { CELL_NAMES } from '../../train/config';
import { useConfig } from '../store/config-store';
import { useStatus } from '../store/status-store';
import { CheckboxField, NumberField, RadioField, SelectField, useOptions } from './fields';
import { Learn, Paragraphs } from './learn';

function ParamCount() {
  const { t } = useTranslation();
  const model = useStatus((s) => s.model);
  const configured = useStatus((s) => s.configured);
  const edited = useConfig((s) => s.config);
  const pending = useMemo(() => pendingParameterCount(configured, edited, model), [configured, edited, model]);
  if (!model) return null;
  return (
    <p className="muted">
      {t('model.parameters', { formatted: model.numParameters.toLocaleString() })}
      {pending !== null && <span data-testid="pending-params"> · {t('model.parametersAfterReset', { formatted: pending.toLocaleString() })}</span>}
    </p>
  );
}

export function ModelPanel() {
  const { t } = useTranslation();
  const model = useConfig((s) => s.config.model);
  const attention = useConfig((s) => s.config.attention);
  const hardKind = useConfig((s) => s.config.hardKind);
  const cell = useConfig((s) => s.config.cell);
  const cells = useOptions('model.cells', CELL_NAMES);
  const positional = useOptions('model.positional', ['sinusoidal', 'learned']);
  const norms = useOptions('model.norm', ['pre', 'post']);
  const scorings = useOptions('model.scoring', ['additive', 'dot', 'general']);
  const hardKinds = useOptions('model.hardKind', ['topk', 'threshold']);
  return (
    <section className="panel" aria-labelledby="panel-model">
      <h2 id="panel-model">{t('model.title')}</h2>
      <RadioField
        name="model"
        options={[
          { value: 'transformer', label: t('model.transformer'), description: t('model.transformerDesc') },
          { value: 'rnn', label: t('model.rnn'), description: t('model.rnnDesc') },
        ]}
      />
      <div className="field-grid">
        <NumberField name="layers" />
        {model === 'transformer' ? (
          <>
            <NumberField name="dModel" />
            <NumberField name="heads" />
            <NumberField name="dFF" />
            <SelectField name="positional" options={positional} />
            <SelectField name="norm" options={norms} />
          </>
        ) : (
          <>
            <SelectField name="cell" options={cells} hint={t(`model.cellDesc.${cell}`)} />
            <NumberField name="hidden" />
            <NumberField name="embed" />
            <SelectField name="scoring" options={scorings} />
          </>
        )}
        <NumberField name="dropout" />
      </div>
      {model === 'transformer' ? <CheckboxField name="tieEmbeddings" /> : <CheckboxField name="bidirectional" />}
      <RadioField
        name="attention"
        options={[
          { value: 'soft', label: t('model.soft'), description: t('model.softDesc') },
          { value: 'hard', label: t('model.hard'), description: t('model.hardDesc') },
        ]}
      />
      {attention === 'hard' && (
        <div className="field-grid">
          <SelectField name="hardKind" options={hardKinds} hint={t(`model.hardKindDesc.${hardKind}`)} />
          {hardKind === 'topk' ? <NumberField name="hardK" /> : <NumberField name="hardThreshold" />}
        </div>
      )}
      <ParamCount />
      <Learn title={t('learn.seq2seqTitle')}>
        <Paragraphs text={t('learn.seq2seq')} />
      </Learn>
      {model === 'rnn' && (
        <Learn title={t('learn.cellTitle', { cell: t(`model.cells.${cell}`) })}>
          <Paragraphs text={t(`learn.cells.${cell}`)} />
        </Learn>
      )}
      <Learn title={t('learn.attentionTitle')}>
        <Paragraphs text={t('learn.attention')} />
      </Learn>
      <Learn title={t('learn.softHardTitle')}>
        <Paragraphs text={t('learn.softHard')} />
      </Learn>
      {model === 'transformer' ? (
        <Learn title={t('learn.multiHeadTitle')}>
          <Paragraphs text={t('learn.multiHead')} />
        </Learn>
      ) : (
        <Learn title={t('learn.rnnAttentionTitle')}>
          <Paragraphs text={t('learn.rnnAttention')} />
        </Learn>
      )}
    </section>
  );
}
