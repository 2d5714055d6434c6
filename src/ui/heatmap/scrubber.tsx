// The step scrubber over saved snapshots: a range input (keyboard: arrows, Home/End), a button
// that replays them in order, and "follow the newest".

import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttentionSnapshot } from '../../train/protocol';

const REPLAY_MS = 300;

export interface ScrubberProps {
  snapshots: readonly AttentionSnapshot[];
  /** Step shown, or null when following the newest. */
  selectedStep: number | null;
  onSelect: (step: number | null) => void;
}

export function Scrubber({ snapshots, selectedStep, onSelect }: ScrubberProps) {
  const { t } = useTranslation();
  const id = useId();
  const [playing, setPlaying] = useState(false);
  const n = snapshots.length;
  const index = selectedStep === null ? n - 1 : Math.max(0, snapshots.findIndex((s) => s.step >= selectedStep));
  const shown = snapshots[index];

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const i = selectedStep === null ? n - 1 : snapshots.findIndex((s) => s.step >= selectedStep);
      if (i < 0 || i >= n - 1) {
        setPlaying(false);
        onSelect(null);
      } else onSelect(snapshots[i + 1].step);
    }, REPLAY_MS);
    return () => clearInterval(timer);
  }, [playing, selectedStep, snapshots, n, onSelect]);

  if (n === 0) return null;
  return (
    <div className="scrubber">
      <label htmlFor={id}>{t('attention.scrubber')}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={Math.max(0, n - 1)}
        value={index}
        aria-valuetext={t('attention.atStep', { step: shown?.step ?? 0 })}
        onChange={(e) => {
          setPlaying(false);
          const i = Number(e.target.value);
          onSelect(i >= n - 1 ? null : snapshots[i].step);
        }}
      />
      <output htmlFor={id}>{t('attention.atStep', { step: shown?.step ?? 0 })}</output>
      <button
        type="button"
        onClick={() => {
          if (!playing && (selectedStep === null || index >= n - 1)) onSelect(snapshots[0].step);
          setPlaying(!playing);
        }}
      >
        {playing ? t('attention.stopReplay') : t('attention.replay')}
      </button>
      <button type="button" onClick={() => onSelect(null)} disabled={selectedStep === null} aria-pressed={selectedStep === null}>
        {t('attention.followLatest')}
      </button>
    </div>
  );
}
