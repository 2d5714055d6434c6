// The header: what the app is, the adapter in use, the run controls and the live counters.

import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { usePlayground } from '../app-context';
import { useConfig } from '../store/config-store';
import { useMetrics, type MetricsState } from '../store/metrics-store';
import { useStatus } from '../store/status-store';
import { useThrottled } from '../store/use-throttled';
import { LANGUAGES, setLanguage } from '../i18n';
import { RunFileButtons } from './run-file';
import { THEMES, useTheme, type ThemeChoice } from '../store/theme-store';

function AdapterBadge() {
  const { t } = useTranslation();
  const phase = useStatus((s) => s.phase);
  const backend = useStatus((s) => s.backend);
  const adapter = useStatus((s) => s.adapter);
  const text =
    phase === 'starting' ? t('header.starting') : phase === 'failed' ? t('header.workerFailed') : backend === 'webgpu' ? t('header.webgpu', { adapter }) : adapter.startsWith('WebAssembly') ? t('header.wasm', { adapter }) : t('header.cpu');
  return (
    <span className={`badge badge-${backend ?? 'none'}`} data-testid="adapter" title={adapter}>
      {text}
    </span>
  );
}

export function formatBytes(n: number): string {
  if (!(n > 0)) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const selectCounters = (s: MetricsState) => `${s.last?.step ?? 0}|${s.stepsPerSec}|${s.tokensPerSec}|${s.last?.gpuBytes ?? 0}`;

function Counters() {
  const { t } = useTranslation();
  const counters = useThrottled(useMetrics, selectCounters, 250);
  const statusStep = useStatus((s) => s.step);
  const runState = useStatus((s) => s.runState);
  const [stepM, sps, tps, bytes] = counters.split('|').map(Number);
  const step = Math.max(stepM, statusStep);
  const training = runState === 'training';
  return (
    <dl className="counters">
      <div>
        <dt>{t('header.step')}</dt>
        <dd data-testid="step">{step.toLocaleString()}</dd>
      </div>
      <div>
        <dt>{t('header.stepsPerSec')}</dt>
        <dd data-testid="steps-per-sec">{training ? sps.toFixed(1) : '—'}</dd>
      </div>
      <div>
        <dt>{t('header.tokensPerSec')}</dt>
        <dd data-testid="tokens-per-sec">{training ? Math.round(tps).toLocaleString() : '—'}</dd>
      </div>
      <div>
        <dt>{t('header.gpuMemory')}</dt>
        <dd data-testid="gpu-memory">{formatBytes(bytes)}</dd>
      </div>
      <div>
        <dt>{t('header.state')}</dt>
        <dd data-testid="run-state">{t(`state.${runState}`)}</dd>
      </div>
    </dl>
  );
}

function Controls() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const phase = useStatus((s) => s.phase);
  const runState = useStatus((s) => s.runState);
  const invalid = useConfigInvalid();
  const ready = phase === 'ready';
  const training = runState === 'training';
  return (
    <div className="controls" role="group" aria-label={t('header.controls')}>
      <button type="button" className="primary" onClick={() => pg.train()} disabled={!ready || training || invalid}>
        {t('header.train')}
      </button>
      <button type="button" onClick={() => pg.pause()} disabled={!ready || !training}>
        {t('header.pause')}
      </button>
      <button type="button" onClick={() => pg.step(1)} disabled={!ready || training || invalid}>
        {t('header.step1')}
      </button>
      <button type="button" onClick={() => pg.reset()} disabled={!ready}>
        {t('header.reset')}
      </button>
    </div>
  );
}

function useConfigInvalid(): boolean {
  return useConfig((s) => Object.keys(s.errors).length > 0);
}

function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <span className="lang">
      <label htmlFor={id}>{t('header.language')}</label>
      <select id={id} value={i18n.resolvedLanguage ?? 'en'} onChange={(e) => setLanguage(e.target.value)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </span>
  );
}

function ThemeSelect() {
  const { t } = useTranslation();
  const id = useId();
  const choice = useTheme((s) => s.choice);
  const set = useTheme((s) => s.set);
  return (
    <span className="lang">
      <label htmlFor={id}>{t('header.theme')}</label>
      <select id={id} value={choice} onChange={(e) => set(e.target.value as ThemeChoice)}>
        {THEMES.map((c) => (
          <option key={c} value={c}>
            {t(`header.themes.${c}`)}
          </option>
        ))}
      </select>
    </span>
  );
}

function SaveState() {
  const { t } = useTranslation();
  const savedAt = useStatus((s) => s.savedAt);
  const error = useStatus((s) => s.saveError);
  if (error) return <span className="save-state error">{t('header.saveFailed', { message: error })}</span>;
  if (!savedAt) return null;
  return (
    <span className="save-state" data-testid="saved-at">
      {t('header.savedAt', { time: new Date(savedAt).toLocaleTimeString() })}
    </span>
  );
}

export function Header() {
  const { t } = useTranslation();
  return (
    <header className="app-header">
      <div className="title-row">
        <h1>
          {t('app.name')} <span className="tagline">{t('app.tagline')}</span>
        </h1>
        <AdapterBadge />
        <ThemeSelect />
        <LanguageSelect />
      </div>
      <div className="run-row">
        <Controls />
        <Counters />
        <RunFileButtons />
        <SaveState />
      </div>
    </header>
  );
}
