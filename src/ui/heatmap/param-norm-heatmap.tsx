// Per-parameter gradient norms ‖∇θ_i‖₂ before and after clipping, as parameter × step heatmaps on
// one shared log₁₀ colour scale. Clipping by value or by range changes some parameters' norms and
// not others; clipping by norm rescales every row of a step by the same factor.

import { useEffect, useId, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMetrics } from '../store/metrics-store';
import { useStatus } from '../store/status-store';
import { usePalette } from '../charts/theme';
import { useMetricsVersion } from '../charts/use-series';
import { normMap } from './colormap';
import { cancelDraw, scheduleDraw } from './draw-queue';
import { truncateLabel } from './draw';
import { formatWeight } from './heatmap-canvas';

const PLOT_W = 640;
const GAP = 18;

export interface NormLayout {
  left: number;
  rowH: number;
  panelH: number;
  width: number;
  height: number;
  labels: boolean;
}

export function normLayout(params: number): NormLayout {
  const rowH = Math.max(3, Math.min(12, Math.floor(200 / Math.max(1, params))));
  const labels = rowH >= 8;
  const left = labels ? 150 : 8;
  const panelH = rowH * params;
  return { left, rowH, panelH, width: left + PLOT_W, height: 2 * (panelH + GAP), labels };
}

function paint(canvas: HTMLCanvasElement, pre: Float32Array[], post: Float32Array[], names: string[], l: NormLayout, text: string, bg: string, titles: [string, string]): void {
  const dpr = Math.min(2, typeof devicePixelRatio === 'number' ? devicePixelRatio : 1);
  canvas.width = Math.round(l.width * dpr);
  canvas.height = Math.round(l.height * dpr);
  canvas.style.aspectRatio = `${l.width} / ${l.height}`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, l.width, l.height);
  const cols = pre.length;
  const rows = names.length;
  // log₁₀ of every norm once (NaN for 0 and non-finite values), and the shared range.
  const logs = new Float32Array(2 * cols * rows);
  let lo = Infinity;
  let hi = -Infinity;
  [pre, post].forEach((grid, panel) => {
    for (let c = 0; c < cols; c++)
      for (let r = 0; r < rows; r++) {
        const v = grid[c][r];
        const l = v > 0 && Number.isFinite(v) ? Math.log10(v) : NaN;
        logs[(panel * rows + r) * cols + c] = l;
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
  });
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
  // One pixel per (step, parameter), then scaled up without smoothing.
  const img = new ImageData(Math.max(1, cols), Math.max(1, rows));
  const off = document.createElement('canvas');
  off.width = img.width;
  off.height = img.height;
  const octx = off.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  [pre, post].forEach((grid, panel) => {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const l = logs[(panel * rows + r) * cols + c];
        const i = (r * img.width + c) * 4;
        if (Number.isNaN(l)) {
          // Exact zeros grey, NaN / ∞ transparent.
          img.data[i] = img.data[i + 1] = img.data[i + 2] = 128;
          img.data[i + 3] = grid[c][r] === 0 ? 255 : 0;
          continue;
        }
        const k = normMap.index((l - lo) / (hi - lo)) * 3;
        img.data[i] = normMap.rgb[k];
        img.data[i + 1] = normMap.rgb[k + 1];
        img.data[i + 2] = normMap.rgb[k + 2];
        img.data[i + 3] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
    const y0 = panel * (l.panelH + GAP) + GAP;
    ctx.drawImage(off, l.left, y0, PLOT_W, l.panelH);
    ctx.fillStyle = text;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    ctx.fillText(titles[panel], l.left, y0 - 3);
    if (l.labels) {
      ctx.font = `${Math.min(10, l.rowH)}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      for (let r = 0; r < rows; r++) ctx.fillText(truncateLabel(names[r], 26), l.left - 4, y0 + (r + 0.5) * l.rowH);
    }
  });
}

export function ParamNormHeatmap() {
  const { t } = useTranslation();
  const p = usePalette();
  const version = useMetricsVersion();
  const model = useStatus((s) => s.model);
  const ref = useRef<HTMLCanvasElement>(null);
  const key = useId();
  const headingId = useId();
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const names = useMemo(() => model?.params.map((q) => q.name) ?? [], [model]);
  const l = useMemo(() => normLayout(names.length), [names]);
  const columns = useMetrics((s) => s.grid.steps.length > 0);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || names.length === 0) return;
    const g = useMetrics.getState().grid;
    const pre = g.pre.filter((c) => c.length === names.length);
    const post = g.post.filter((c) => c.length === names.length);
    void version;
    scheduleDraw(key, () => paint(canvas, pre, post, names, l, p.text, p.surface, [t('chart.paramNormsPre'), t('chart.paramNormsPost')]));
    return () => cancelDraw(key);
  }, [version, names, l, p, key, t]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const scale = l.width / r.width;
    const x = (e.clientX - r.left) * scale;
    const y = (e.clientY - r.top) * scale;
    const g = useMetrics.getState().grid;
    const panel = y < l.panelH + 2 * GAP ? 0 : 1;
    const y0 = panel * (l.panelH + GAP) + GAP;
    const row = Math.floor((y - y0) / l.rowH);
    const col = Math.floor(((x - l.left) / PLOT_W) * g.steps.length);
    if (row < 0 || row >= names.length || col < 0 || col >= g.steps.length || x < l.left) {
      setTip(null);
      return;
    }
    const pre = g.pre[col]?.[row];
    const post = g.post[col]?.[row];
    setTip({
      x: e.clientX - r.left,
      y: e.clientY - r.top,
      text: t('chart.paramNormCell', { name: names[row], step: g.steps[col], pre: formatWeight(pre ?? NaN), post: formatWeight(post ?? NaN) }),
    });
  };

  return (
    <figure className="chart" aria-labelledby={headingId}>
      <figcaption>
        <h3 id={headingId}>{t('chart.paramNorms')}</h3>
      </figcaption>
      <p className="chart-desc">{t('chart.paramNormsDesc')}</p>
      {!columns || names.length === 0 ? (
        <p className="chart-empty" style={{ height: 120 }}>
          {t('chart.empty')}
        </p>
      ) : (
        <div className="heatmap norm-heatmap">
          <canvas ref={ref} role="img" aria-label={t('chart.paramNorms')} onMouseMove={onMove} onMouseLeave={() => setTip(null)} />
          {tip && (
            <div className="heatmap-tip" role="tooltip" style={{ left: tip.x + 12, top: tip.y + 12 }}>
              {tip.text}
            </div>
          )}
          <div className="norm-legend" aria-hidden="true">
            <span>{t('chart.small')}</span>
            <span className="norm-legend-bar" />
            <span>{t('chart.large')}</span>
          </div>
        </div>
      )}
    </figure>
  );
}
