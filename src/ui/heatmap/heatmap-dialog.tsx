// A tile enlarged in a modal <dialog> (Esc or the close button closes it).

import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { HeatmapCanvas } from './heatmap-canvas';
import { sidesOf, type FocusContext } from '../store/token-focus';
import type { Tile } from './tiles';

export function HeatmapDialog({ tile, title, onClose, context = 'probe' }: { tile: Tile | null; title: string; onClose: () => void; context?: FocusContext }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (tile && !d.open) d.showModal();
    if (!tile && d.open) d.close();
  }, [tile]);
  return (
    <dialog ref={ref} className="heatmap-dialog" aria-labelledby={headingId} onClose={onClose}>
      {tile && (
        <>
          <header>
            <h3 id={headingId}>{title}</h3>
            <button type="button" onClick={onClose} aria-label={t('common.close')}>
              ×
            </button>
          </header>
          <HeatmapCanvas matrix={tile.matrix} rowLabels={tile.rowLabels} colLabels={tile.colLabels} size="large" label={title} sides={sidesOf(tile.kind, context)} />
          <p className="hint">{t('attention.keyboardHint')}</p>
        </>
      )}
    </dialog>
  );
}
