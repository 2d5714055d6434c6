// The token the learner points at (hover or keyboard focus), shared by every view of the same
// sentence: the probe's heatmaps and lines, or the translate box's tokens and alignment. Each map
// knows which side its rows and columns are (source or target tokens) and marks the focused ones.

import { create } from 'zustand';
import type { AttentionMap } from '../../train/protocol';

export type TokenSide = 'src' | 'tgt';
/** Which sentence the tokens belong to: the attention probe, or the translate box's last answer. */
export type FocusContext = 'probe' | 'translate';

export interface TokenFocus {
  context: FocusContext;
  src: number | null;
  tgt: number | null;
}

export interface MapSides {
  context: FocusContext;
  rows: TokenSide;
  cols: TokenSide;
}

/** Rows are queries, columns keys: self-attention stays on one side, the others go target → source. */
export function sidesOf(kind: AttentionMap['kind'], context: FocusContext): MapSides {
  if (kind === 'encoder-self') return { context, rows: 'src', cols: 'src' };
  if (kind === 'decoder-self') return { context, rows: 'tgt', cols: 'tgt' };
  return { context, rows: 'tgt', cols: 'src' };
}

/**
 * The focus when the pointer is on cell (row, col) of a map: its query and key tokens; on a
 * self-attention map, whose rows and columns are the same sentence, the key token.
 */
export function focusOfCell(sides: MapSides, row: number, col: number): TokenFocus {
  const f: TokenFocus = { context: sides.context, src: null, tgt: null };
  f[sides.rows] = row;
  f[sides.cols] = col;
  return f;
}

/** The row and column a map marks for a focus (null where its sides have none in focus). */
export function marksOf(sides: MapSides, focus: TokenFocus | null): { row: number | null; col: number | null } {
  if (!focus || focus.context !== sides.context) return { row: null, col: null };
  return { row: focus[sides.rows], col: focus[sides.cols] };
}

export interface TokenFocusState {
  focus: TokenFocus | null;
  set(focus: TokenFocus | null): void;
}

export const useTokenFocus = create<TokenFocusState>()((set) => ({
  focus: null,
  set(focus) {
    set({ focus });
  },
}));
