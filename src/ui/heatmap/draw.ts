// Drawing one attention matrix on a canvas: cells coloured by weight, query tokens down the left,
// key tokens across the top, and exact zeros (what hard attention leaves outside its top-k or
// below its threshold) hatched so they read differently from small soft weights.

import { attentionMap, type ColorMap } from './colormap';

export interface Matrix {
  /** Row-major [rows, cols] values starting at `offset`. */
  data: Float32Array;
  offset: number;
  rows: number;
  cols: number;
}

export interface HeatmapLayout {
  cell: number;
  left: number;
  top: number;
  width: number;
  height: number;
  font: number;
}

export interface HeatmapColors {
  text: string;
  zeroBg: string;
  zeroHatch: string;
  background: string;
}

/** Cell size between minCell and maxCell so the matrix fits `maxPlot` pixels; label margins from the longest token. */
export function layoutHeatmap(
  m: Pick<Matrix, 'rows' | 'cols'>,
  rowLabels: readonly string[],
  colLabels: readonly string[],
  o: { maxPlot: number; minCell: number; maxCell: number; font: number; labels: boolean },
): HeatmapLayout {
  const cell = Math.max(o.minCell, Math.min(o.maxCell, Math.floor(o.maxPlot / Math.max(m.rows, m.cols, 1))));
  const longest = (ls: readonly string[]) => ls.reduce((a, s) => Math.max(a, [...s].length), 1);
  const charW = o.font * 0.62;
  const left = o.labels ? Math.ceil(Math.min(12, longest(rowLabels)) * charW) + 6 : 0;
  // Column labels are drawn at -60°: their height is about sin(60°) of their length.
  const top = o.labels ? Math.ceil(Math.min(12, longest(colLabels)) * charW * 0.87) + 8 : 0;
  return { cell, left, top, width: left + m.cols * cell, height: top + m.rows * cell, font: o.font };
}

/** Max of the matrix (the colour scale's top); 0 for an all-zero matrix. */
export function matrixMax(m: Matrix): number {
  let max = 0;
  for (let i = 0; i < m.rows * m.cols; i++) {
    const v = m.data[m.offset + i];
    if (v > max) max = v;
  }
  return max;
}

const hatchCache = new Map<string, HTMLCanvasElement>();

function hatch(ctx: CanvasRenderingContext2D, c: HeatmapColors): CanvasPattern | null {
  const key = `${c.zeroBg}|${c.zeroHatch}`;
  let tile = hatchCache.get(key);
  if (!tile) {
    tile = document.createElement('canvas');
    tile.width = tile.height = 6;
    const t = tile.getContext('2d')!;
    t.fillStyle = c.zeroBg;
    t.fillRect(0, 0, 6, 6);
    t.strokeStyle = c.zeroHatch;
    t.lineWidth = 1;
    t.beginPath();
    t.moveTo(0, 6);
    t.lineTo(6, 0);
    t.moveTo(-1, 1);
    t.lineTo(1, -1);
    t.moveTo(5, 7);
    t.lineTo(7, 5);
    t.stroke();
    hatchCache.set(key, tile);
  }
  return ctx.createPattern(tile, 'repeat');
}

/**
 * Draw every n-th label so that neighbours do not run into each other (the hover readout names
 * every cell). Row labels are `cell` apart; column labels, rotated by −60°, are cell · sin 60°
 * apart across their baseline; a label needs about 1.2 × the font size.
 */
export function labelStride(cell: number, font: number, rotated: boolean): number {
  const gap = rotated ? cell * Math.sin(Math.PI / 3) : cell;
  return Math.max(1, Math.ceil((1.2 * font) / Math.max(gap, 1e-6)));
}

export function truncateLabel(s: string, max = 12): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

export function drawHeatmap(
  canvas: HTMLCanvasElement,
  m: Matrix,
  rowLabels: readonly string[],
  colLabels: readonly string[],
  l: HeatmapLayout,
  colors: HeatmapColors,
  options: { labels: boolean; map?: ColorMap; scaleMax?: number } = { labels: true },
): void {
  const dpr = typeof devicePixelRatio === 'number' ? Math.min(devicePixelRatio, 2) : 1;
  const w = Math.round(l.width * dpr);
  const h = Math.round(l.height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${l.width}px`;
  canvas.style.height = `${l.height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, l.width, l.height);
  const map = options.map ?? attentionMap;
  const max = options.scaleMax ?? matrixMax(m);
  const pattern = hatch(ctx, colors);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[m.offset + r * m.cols + c];
      const x = l.left + c * l.cell;
      const y = l.top + r * l.cell;
      if (v === 0 && pattern) {
        ctx.fillStyle = pattern;
      } else {
        ctx.fillStyle = map.css[map.index(max > 0 ? v / max : 0)];
      }
      ctx.fillRect(x, y, l.cell, l.cell);
    }
  }
  if (!options.labels) return;
  ctx.fillStyle = colors.text;
  ctx.font = `${l.font}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const rowStride = labelStride(l.cell, l.font, false);
  for (let r = 0; r < m.rows; r += rowStride) ctx.fillText(truncateLabel(rowLabels[r] ?? String(r)), l.left - 4, l.top + (r + 0.5) * l.cell);
  ctx.textAlign = 'left';
  const colStride = labelStride(l.cell, l.font, true);
  for (let c = 0; c < m.cols; c += colStride) {
    ctx.save();
    ctx.translate(l.left + (c + 0.5) * l.cell, l.top - 4);
    ctx.rotate(-Math.PI / 3);
    ctx.fillText(truncateLabel(colLabels[c] ?? String(c)), 0, 0);
    ctx.restore();
  }
}

/** The cell under a point in CSS pixels, or null outside the matrix. */
export function cellAt(l: HeatmapLayout, m: Pick<Matrix, 'rows' | 'cols'>, x: number, y: number): { row: number; col: number } | null {
  const col = Math.floor((x - l.left) / l.cell);
  const row = Math.floor((y - l.top) / l.cell);
  if (x < l.left || y < l.top || row < 0 || col < 0 || row >= m.rows || col >= m.cols) return null;
  return { row, col };
}

/** Row / column labels of a map: the snapshot's tokens when their count matches, indices otherwise. */
export function labelsFor(tokens: readonly string[], n: number): string[] {
  if (tokens.length === n) return [...tokens];
  return Array.from({ length: n }, (_, i) => tokens[i] ?? `#${i}`);
}
