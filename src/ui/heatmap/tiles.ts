// An attention snapshot cut into one tile per (map, head), with the tokens for each axis.

import type { AttentionMap, AttentionSnapshot } from '../../train/protocol';
import { labelsFor, type Matrix } from './draw';

export const KIND_ORDER: AttentionMap['kind'][] = ['encoder-self', 'decoder-self', 'cross', 'rnn'];

export interface Tile {
  key: string;
  kind: AttentionMap['kind'];
  name: string;
  layer: number;
  head: number;
  matrix: Matrix;
  rowLabels: string[];
  colLabels: string[];
}

export interface KindGroup {
  kind: AttentionMap['kind'];
  /** Tiles by layer, each row the heads of one layer. */
  layers: { layer: number; name: string; tiles: Tile[] }[];
}

/** Queries run over the rows: source tokens for encoder self-attention, target tokens otherwise. */
export function axisTokens(kind: AttentionMap['kind'], s: Pick<AttentionSnapshot, 'srcTokens' | 'tgtTokens'>): { rows: string[]; cols: string[] } {
  switch (kind) {
    case 'encoder-self':
      return { rows: s.srcTokens, cols: s.srcTokens };
    case 'decoder-self':
      return { rows: s.tgtTokens, cols: s.tgtTokens };
    default:
      return { rows: s.tgtTokens, cols: s.srcTokens };
  }
}

export function tilesOf(s: AttentionSnapshot): KindGroup[] {
  const groups: KindGroup[] = [];
  for (const kind of KIND_ORDER) {
    const maps = s.maps.filter((m) => m.kind === kind).sort((a, b) => a.layer - b.layer);
    if (maps.length === 0) continue;
    const tok = axisTokens(kind, s);
    groups.push({
      kind,
      layers: maps.map((m) => {
        const rowLabels = labelsFor(tok.rows, m.rows);
        const colLabels = labelsFor(tok.cols, m.cols);
        return {
          layer: m.layer,
          name: m.name,
          tiles: Array.from({ length: m.heads }, (_, h) => ({
            key: `${m.name}#${h}`,
            kind,
            name: m.name,
            layer: m.layer,
            head: h,
            matrix: { data: m.data, offset: h * m.rows * m.cols, rows: m.rows, cols: m.cols },
            rowLabels,
            colLabels,
          })),
        };
      }),
    });
  }
  return groups;
}

/** Fraction of exact zeros in a tile (hard attention's masked weights). */
export function zeroFraction(m: Matrix): number {
  const n = m.rows * m.cols;
  let z = 0;
  for (let i = 0; i < n; i++) if (m.data[m.offset + i] === 0) z++;
  return n === 0 ? 0 : z / n;
}
