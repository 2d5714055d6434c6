// The CPU-fallback banner (why WebGPU is not used) and the notices (device lost, non-finite
// values, errors), each dismissable.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { changedFields, useConfig } from '../store/config-store';
import { useStatus } from '../store/status-store';

export function FallbackBanner() {
  const { t } = useTranslation();
  const backend = useStatus((s) => s.backend);
  const reason = useStatus((s) => s.fallbackReason);
  const choice = useStatus((s) => s.choice);
  const adapter = useStatus((s) => s.adapter);
  const phase = useStatus((s) => s.phase);
  const message = useStatus((s) => s.stateMessage);
  if (phase === 'failed')
    return (
      <div className="banner banner-error" role="alert">
        <strong>{t('banner.workerFailed')}</strong> {message}
      </div>
    );
  if (backend !== 'cpu') return null;
  return (
    <div className="banner banner-warning" role="status" data-testid="fallback-banner">
      {choice ? (
        <>
          <strong>{t('banner.cpuFaster', { adapter })}</strong> {t('banner.because', { reason: choice })}
        </>
      ) : reason ? (
        <>
          <strong>{t('banner.noWebgpu')}</strong> {t('banner.because', { reason })} {t('banner.stillWorks')}
        </>
      ) : (
        <strong>{t('banner.cpuChosen')}</strong>
      )}
    </div>
  );
}

export function Notices() {
  const { t } = useTranslation();
  const notices = useStatus((s) => s.notices);
  const dismiss = useStatus((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-live="polite">
      {notices.map((n) => (
        <li key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.key ? t(n.key, n.params) : n.text}</span>
          <button type="button" onClick={() => dismiss(n.id)} aria-label={t('common.dismiss')}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Config edits made after training started apply on Reset: say which. */
export function PendingChanges() {
  const { t } = useTranslation();
  const configured = useStatus((s) => s.configured);
  const config = useConfig((s) => s.config);
  const started = useStatus((s) => s.step > 0 || s.runState === 'training');
  const fields = useMemo(() => (configured && started ? changedFields(configured, config) : []), [configured, config, started]);
  if (fields.length === 0) return null;
  return (
    <p className="pending-changes" role="status">
      {t('banner.pendingChanges', { fields: fields.map((f) => t(`field.${f}`)).join(', ') })}
    </p>
  );
}
