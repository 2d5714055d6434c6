// The profiler panel: GPU time per kernel of one training step, from the worker's timestamp
// queries, largest first — where a step's time goes on this adapter.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StepProfile } from '../../train/protocol';
import { usePlayground } from '../app-context';
import { useStatus } from '../store/status-store';

const SHOWN = 15;

export function ProfilePanel() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const ready = useStatus((s) => s.phase === 'ready' && s.model !== null);
  const [busy, setBusy] = useState(false);
  const [profile, setProfile] = useState<StepProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setProfile(await pg.profileStep());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="profile-panel" aria-labelledby="profile-title">
      <h3 id="profile-title">{t('profile.title')}</h3>
      <p className="field-hint">{t('profile.hint')}</p>
      <button type="button" onClick={() => void run()} disabled={!ready || busy}>
        {busy ? t('profile.busy') : t('profile.run')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {profile && (
        <>
          <p data-testid="profile-summary">{t('profile.summary', { step: profile.step, ms: profile.gpuMs.toFixed(1), dispatches: profile.dispatches })}</p>
          <table className="profile-table">
            <thead>
              <tr>
                <th scope="col">{t('profile.kernel')}</th>
                <th scope="col">{t('profile.calls')}</th>
                <th scope="col">{t('profile.total')}</th>
                <th scope="col">{t('profile.share')}</th>
              </tr>
            </thead>
            <tbody>
              {profile.kernels.slice(0, SHOWN).map((k) => (
                <tr key={k.label}>
                  <td>
                    <code>{k.label}</code>
                  </td>
                  <td>{k.calls}</td>
                  <td>{k.totalMs.toFixed(2)}</td>
                  <td>{profile.gpuMs > 0 ? `${((100 * k.totalMs) / profile.gpuMs).toFixed(1)} %` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
