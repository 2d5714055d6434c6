// Compare runs: keep the current run (paused or finished), overlay the kept runs' curves, and
// list their configs side by side (only the fields that differ).

import { useTranslation } from 'react-i18next';
import { usePlayground } from '../app-context';
import { differingFields, useCompare } from '../store/compare-store';
import { useMetrics } from '../store/metrics-store';
import { useStatus } from '../store/status-store';
import { CompareChart } from '../charts/compare-chart';

function KeepButton() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const runState = useStatus((s) => s.runState);
  const hasSteps = useMetrics((s) => s.last !== null);
  const canKeep = hasSteps && runState !== 'training';
  return (
    <div className="keep">
      <button type="button" className="primary" disabled={!canKeep} onClick={() => void pg.keepRun()}>
        {t('compare.keep')}
      </button>
      <span className="field-hint">
        {canKeep ? t('compare.keepHint') : t('compare.keepDisabled')} {t('compare.autoKept')}
      </span>
    </div>
  );
}

function RunTable() {
  const { t } = useTranslation();
  const pg = usePlayground();
  const runs = useCompare((s) => s.runs);
  const fields = differingFields(runs);
  if (runs.length === 0) return <p className="muted">{t('compare.none')}</p>;
  const last = (r: (typeof runs)[number], k: 'loss') => {
    const v = r.curve[k].filter(Number.isFinite);
    return v.length ? v[v.length - 1].toFixed(3) : '—';
  };
  return (
    <div className="table-scroll">
      <table className="runs">
        <caption>{t('compare.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('compare.run')}</th>
            <th scope="col">{t('compare.steps')}</th>
            <th scope="col">{t('compare.finalLoss')}</th>
            <th scope="col">{t('compare.bestBleu')}</th>
            {fields.map((f) => (
              <th scope="col" key={f}>
                {t(`field.${f}`)}
              </th>
            ))}
            <th scope="col">
              <span className="sr-only">{t('compare.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
                <input
                  className="run-label"
                  aria-label={t('compare.rename')}
                  defaultValue={r.label}
                  onBlur={(e) => {
                    if (e.target.value !== r.label) void pg.renameCompared(r.id, e.target.value);
                  }}
                />
              </th>
              <td>{r.steps}</td>
              <td>{last(r, 'loss')}</td>
              <td>{r.evals.length ? Math.max(...r.evals.map((e) => e.bleu)).toFixed(1) : '—'}</td>
              {fields.map((f) => (
                <td key={f}>{String(r.config[f])}</td>
              ))}
              <td>
                <button type="button" onClick={() => void pg.removeCompared(r.id)} aria-label={t('compare.remove', { label: r.label })}>
                  {t('compare.removeShort')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ComparePanel() {
  const { t } = useTranslation();
  const runs = useCompare((s) => s.runs);
  return (
    <section className="view" aria-labelledby="view-compare-title">
      <h2 id="view-compare-title">{t('compare.title')}</h2>
      <KeepButton />
      <CompareChart runs={runs} />
      <RunTable />
    </section>
  );
}
