// Attention: heatmaps of every layer × head for the probe sentence, with a step scrubber over the
// saved snapshots. Hard attention's exact zeros are hatched.

import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { snapshotAt, snapshotsOfProbe, useAttention } from '../store/attention-store';
import { useStatus } from '../store/status-store';
import { AttentionGrid } from '../heatmap/attention-grid';
import { Scrubber } from '../heatmap/scrubber';
import { Learn, Paragraphs } from './learn';
import { FocusTokens } from './focus-token';
import { useViewActive } from './tabs';
import { useRoundRobin } from '../store/use-throttled';
import type { AttentionState } from '../store/attention-store';

const selectSnapshots = (s: AttentionState) => s.snapshots;

/** Picks among the probe sentences that have snapshots (the worker chooses which it probes). */
function ProbeSelect({ available }: { available: readonly number[] }) {
  const { t } = useTranslation();
  const id = useId();
  const probes = useStatus((s) => s.model?.probes);
  const probe = useAttention((s) => s.probe);
  const setProbe = useAttention((s) => s.setProbe);
  if (available.length < 2) return null;
  return (
    <div className="field inline">
      <label htmlFor={id}>{t('attention.probe')}</label>
      <select id={id} value={probe} onChange={(e) => setProbe(Number(e.target.value))}>
        {available.map((i) => (
          <option key={i} value={i}>
            {probes?.[i] ?? `#${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
}

function Legend() {
  const { t } = useTranslation();
  return (
    <div className="attention-legend" aria-hidden="true">
      <span>0</span>
      <span className="attention-legend-bar" />
      <span>{t('attention.max')}</span>
      <span className="zero-swatch" />
      <span>{t('attention.zeroLegend')}</span>
    </div>
  );
}

export function AttentionPanel() {
  const { t } = useTranslation();
  // New snapshots take their turn with the charts' updates, and none while the view is hidden.
  const all = useRoundRobin(useAttention, selectSnapshots, useViewActive());
  const probe = useAttention((s) => s.probe);
  const selectedStep = useAttention((s) => s.selectedStep);
  const selectStep = useAttention((s) => s.selectStep);
  const snapshots = useMemo(() => snapshotsOfProbe(all, probe), [all, probe]);
  const available = useMemo(() => [...new Set(all.map((s) => s.probe))].sort((a, b) => a - b), [all]);
  const shown = snapshotAt(snapshots, selectedStep);
  const model = useStatus((s) => s.configured?.model ?? 'transformer');
  return (
    <section className="view" aria-labelledby="view-attention-title">
      <h2 id="view-attention-title">{t('attention.title')}</h2>
      <p className="muted">{t('attention.intro')}</p>
      <ProbeSelect available={available} />
      <Scrubber snapshots={snapshots} selectedStep={selectedStep} onSelect={selectStep} />
      {shown ? (
        <>
          <dl className="probe-sentence" data-testid="probe-lines">
            <div>
              <dt>{t('attention.source')}</dt>
              <dd>
                <FocusTokens context="probe" side="src" tokens={shown.srcTokens} />
              </dd>
            </div>
            <div>
              <dt>{t('attention.output', { step: shown.step })}</dt>
              <dd>
                <FocusTokens context="probe" side="tgt" tokens={shown.tgtTokens} />
              </dd>
            </div>
            {shown.reference !== undefined && (
              <div>
                <dt>{t('attention.reference')}</dt>
                <dd>{shown.reference}</dd>
              </div>
            )}
          </dl>
          <Legend />
          <AttentionGrid snapshot={shown} />
        </>
      ) : (
        <p className="chart-empty">{t('attention.empty')}</p>
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
