// Every layer × head of a snapshot as small heatmaps, grouped by kind (encoder self-attention,
// decoder self-attention, cross-attention, the RNN's attention over encoder outputs). A tile is
// a button: click or Enter enlarges it.

import { memo, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttentionSnapshot } from '../../train/protocol';
import { HeatmapCanvas } from './heatmap-canvas';
import { HeatmapDialog } from './heatmap-dialog';
import { tilesOf, zeroFraction, type Tile } from './tiles';
import { sidesOf, type FocusContext } from '../store/token-focus';

function useTileTitle(): (tile: Tile) => string {
  const { t } = useTranslation();
  return (tile) => t('attention.tileTitle', { kind: t(`attention.kind.${tile.kind}`), layer: tile.layer + 1, head: tile.head + 1 });
}

const TileButton = memo(function TileButton({ tile, onOpen, context }: { tile: Tile; onOpen: (t: Tile) => void; context: FocusContext }) {
  const { t } = useTranslation();
  const title = useTileTitle()(tile);
  const zeros = zeroFraction(tile.matrix);
  return (
    <button type="button" className="tile" onClick={() => onOpen(tile)} aria-label={t('attention.enlarge', { title })} data-zeros={zeros > 0 ? zeros.toFixed(3) : undefined}>
      <span className="tile-title">{t('attention.head', { head: tile.head + 1 })}</span>
      <HeatmapCanvas matrix={tile.matrix} rowLabels={tile.rowLabels} colLabels={tile.colLabels} size="small" label={title} sides={sidesOf(tile.kind, context)} />
    </button>
  );
});

/** `context`: which sentence the maps belong to (the probe, or the translate box's answer), for the token marks. */
export function AttentionGrid({ snapshot, context = 'probe' }: { snapshot: AttentionSnapshot; context?: FocusContext }) {
  const { t } = useTranslation();
  const groups = useMemo(() => tilesOf(snapshot), [snapshot]);
  const [open, setOpen] = useState<Tile | null>(null);
  const titleOf = useTileTitle();
  return (
    <div className="attention-grid">
      {groups.map((g) => (
        <section key={g.kind} className="attention-kind" aria-label={t(`attention.kind.${g.kind}`)}>
          <h4>
            {t(`attention.kind.${g.kind}`)} <span className="muted">{t(`attention.axes.${g.kind}`)}</span>
          </h4>
          {g.layers.map((l) => (
            <div key={l.name} className="attention-layer">
              <div className="layer-label">{t('attention.layer', { layer: l.layer + 1 })}</div>
              <div className="tiles">
                {l.tiles.map((tile) => (
                  <TileButton key={tile.key} tile={tile} onOpen={setOpen} context={context} />
                ))}
              </div>
            </div>
          ))}
        </section>
      ))}
      <HeatmapDialog tile={open} title={open ? titleOf(open) : ''} onClose={() => setOpen(null)} context={context} />
    </div>
  );
}
