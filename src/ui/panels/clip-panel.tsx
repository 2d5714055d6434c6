// Gradient clipping: none, by value, by per-parameter range (a gradient hook on a parameter
// group), or by global norm — each with the PyTorch call it corresponds to, filled in with the
// current values.

import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunConfig } from '../../train/config';
import { useConfig } from '../store/config-store';
import { NumberField, RadioField, TextField } from './fields';
import { pytorchCall } from './pytorch-call';
import { Learn, Paragraphs } from './learn';

function NormTypeField() {
  const { t } = useTranslation();
  const id = useId();
  const normType = useConfig((s) => s.config.normType);
  const pending = useConfig((s) => s.pending.normType);
  const setField = useConfig((s) => s.setField);
  const preset = pending !== undefined ? 'p' : normType === 'inf' ? 'inf' : normType === 1 ? '1' : normType === 2 ? '2' : 'p';
  return (
    <>
      <div className="field">
        <label htmlFor={id}>{t('field.normType')}</label>
        <select
          id={id}
          value={preset}
          onChange={(e) => {
            const v = e.target.value;
            setField('normType', v === 'p' ? '3' : v);
          }}
        >
          <option value="1">{t('clip.norm1')}</option>
          <option value="2">{t('clip.norm2')}</option>
          <option value="inf">{t('clip.normInf')}</option>
          <option value="p">{t('clip.normP')}</option>
        </select>
      </div>
      {preset === 'p' && <NumberField name="normType" label={t('clip.pLabel')} />}
    </>
  );
}

function Code({ code }: { code: string }) {
  const { t } = useTranslation();
  return (
    <figure className="code">
      <figcaption>{t('clip.pytorch')}</figcaption>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}

export function ClipPanel() {
  const { t } = useTranslation();
  const clip = useConfig((s) => s.config.clip);
  const clipValue = useConfig((s) => s.config.clipValue);
  const clipLo = useConfig((s) => s.config.clipLo);
  const clipHi = useConfig((s) => s.config.clipHi);
  const clipGroup = useConfig((s) => s.config.clipGroup);
  const maxNorm = useConfig((s) => s.config.maxNorm);
  const normType = useConfig((s) => s.config.normType);
  const call = (kind: RunConfig['clip']) => pytorchCall({ clip: kind, clipValue, clipLo, clipHi, clipGroup, maxNorm, normType });
  const option = (kind: RunConfig['clip']) => ({
    value: kind,
    label: t(`clip.${kind}`),
    description: (
      <>
        <span>{t(`clip.${kind}Desc`)}</span>
        <Code code={call(kind)} />
      </>
    ),
  });
  return (
    <section className="panel" aria-labelledby="panel-clip">
      <h2 id="panel-clip">{t('clip.title')}</h2>
      <RadioField name="clip" options={[option('none'), option('value'), option('range'), option('norm')]} />
      {clip === 'value' && <NumberField name="clipValue" />}
      {clip === 'range' && (
        <div className="field-grid">
          <NumberField name="clipLo" />
          <NumberField name="clipHi" />
          <TextField name="clipGroup" hint={t('clip.groupHint')} />
        </div>
      )}
      {clip === 'norm' && (
        <div className="field-grid">
          <NumberField name="maxNorm" />
          <NormTypeField />
        </div>
      )}
      <Learn title={t('learn.clipTitle')}>
        <Paragraphs text={t('learn.clip')} />
      </Learn>
    </section>
  );
}
