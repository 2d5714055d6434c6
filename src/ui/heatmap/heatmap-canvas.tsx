// One attention matrix on a canvas, with the weight under the pointer shown in a tooltip and, in
// the large view, a keyboard cursor (arrow keys) whose cell is announced to screen readers.

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { usePalette } from '../charts/theme';
import { cancelDraw, scheduleDraw } from './draw-queue';
import { cellAt, drawHeatmap, layoutHeatmap, type Matrix } from './draw';
import { focusOfCell, marksOf, useTokenFocus, type MapSides } from '../store/token-focus';

/** Bands over the focused row and column (drawn over the canvas: no redraw of the map). */
function FocusMarks({ sides, rows, cols, left, top, cell }: { sides: MapSides; rows: number; cols: number; left: number; top: number; cell: number }) {
  const row = useTokenFocus((s) => marksOf(sides, s.focus).row);
  const col = useTokenFocus((s) => marksOf(sides, s.focus).col);
  return (
    <>
      {row !== null && row < rows && <div className="heatmap-focus" data-focus="row" aria-hidden="true" style={{ left, top: top + row * cell, width: cols * cell, height: cell }} />}
      {col !== null && col < cols && <div className="heatmap-focus" data-focus="col" aria-hidden="true" style={{ left: left + col * cell, top, width: cell, height: rows * cell }} />}
    </>
  );
}

export interface HeatmapCanvasProps {
  matrix: Matrix;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  size: 'small' | 'large';
  /** Accessible name of the picture. */
  label: string;
  /** Which tokens its rows and columns are: pointing at a cell focuses them everywhere, and the focused ones are marked here. */
  sides?: MapSides;
}

const SIZES = {
  small: { maxPlot: 150, minCell: 6, maxCell: 16, font: 9, labels: true },
  large: { maxPlot: 560, minCell: 10, maxCell: 40, font: 13, labels: true },
} as const;

export function formatWeight(v: number): string {
  return v === 0 ? '0' : v < 1e-3 ? v.toExponential(2) : v.toFixed(4);
}

export function HeatmapCanvas({ matrix, rowLabels, colLabels, size, label, sides }: HeatmapCanvasProps) {
  const setFocus = useTokenFocus((s) => s.set);
  const { t } = useTranslation();
  const p = usePalette();
  const ref = useRef<HTMLCanvasElement>(null);
  const key = useId();
  const [hover, setHover] = useState<{ row: number; col: number; x: number; y: number } | null>(null);
  const [cursor, setCursor] = useState<{ row: number; col: number } | null>(null);
  const layout = useMemo(() => layoutHeatmap(matrix, rowLabels, colLabels, SIZES[size]), [matrix, rowLabels, colLabels, size]);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const colors = { text: p.text, zeroBg: p.zeroBg, zeroHatch: p.zeroHatch, background: p.surface };
    scheduleDraw(key, () => drawHeatmap(canvas, matrix, rowLabels, colLabels, layout, colors, { labels: true }));
    return () => cancelDraw(key);
  }, [key, matrix, rowLabels, colLabels, layout, p]);

  const valueAt = (row: number, col: number) => matrix.data[matrix.offset + row * matrix.cols + col];
  const describe = (row: number, col: number) => {
    const v = valueAt(row, col);
    const base = t('attention.cell', { query: rowLabels[row] ?? row, key: colLabels[col] ?? col, weight: formatWeight(v) });
    return v === 0 ? `${base} ${t('attention.exactZero')}` : base;
  };

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const c = cellAt(layout, matrix, e.clientX - r.left, e.clientY - r.top);
    setHover(c ? { ...c, x: e.clientX - r.left, y: e.clientY - r.top } : null);
    if (sides) setFocus(c ? focusOfCell(sides, c.row, c.col) : null);
  };

  const onKey = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const d = moves[e.key];
    if (!d) return;
    e.preventDefault();
    const cur = cursor ?? { row: 0, col: 0 };
    setCursor({
      row: Math.max(0, Math.min(matrix.rows - 1, cursor ? cur.row + d[0] : 0)),
      col: Math.max(0, Math.min(matrix.cols - 1, cursor ? cur.col + d[1] : 0)),
    });
  };

  const interactive = size === 'large';
  return (
    <div className={`heatmap heatmap-${size}`}>
      <canvas
        ref={ref}
        role="img"
        aria-label={label}
        tabIndex={interactive ? 0 : undefined}
        onMouseMove={onMove}
        onMouseLeave={() => {
          setHover(null);
          if (sides) setFocus(null);
        }}
        onKeyDown={interactive ? onKey : undefined}
        data-rows={matrix.rows}
        data-cols={matrix.cols}
        data-plot={`${layout.left},${layout.top},${layout.cell}`}
      />
      {sides && <FocusMarks sides={sides} rows={matrix.rows} cols={matrix.cols} left={layout.left} top={layout.top} cell={layout.cell} />}
      {hover && (
        <div className="heatmap-tip" role="tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
          {describe(hover.row, hover.col)}
        </div>
      )}
      {interactive && cursor && (
        <>
          <div
            className="heatmap-cursor"
            aria-hidden="true"
            style={{ left: layout.left + cursor.col * layout.cell, top: layout.top + cursor.row * layout.cell, width: layout.cell, height: layout.cell }}
          />
          <p className="sr-only" aria-live="polite">
            {describe(cursor.row, cursor.col)}
          </p>
        </>
      )}
    </div>
  );
}
