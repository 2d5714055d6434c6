// A titled chart box: heading, optional controls, and a responsive area (or a note when empty).

import { useId, type ReactElement, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';
import { useTranslation } from 'react-i18next';

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
}

export interface ChartFrameProps {
  title: string;
  /** An HTML legend (recharts' own legend measures itself with the DOM on every render). */
  legend?: readonly LegendItem[];
  description?: string;
  controls?: ReactNode;
  empty: boolean;
  height?: number;
  /** What the empty chart says (default: press Train or Step). */
  emptyText?: string;
  /** Shown under the chart area (and its legend). */
  footer?: ReactNode;
  children: ReactElement;
}

export function ChartFrame({ title, legend, description, controls, empty, height = 200, emptyText, footer, children }: ChartFrameProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={id} data-empty={empty || undefined}>
      <figcaption>
        <h3 id={id}>{title}</h3>
        {controls}
      </figcaption>
      {description && <p className="chart-desc">{description}</p>}
      {/* The chart is mounted even while empty, so that its first (expensive) render happens with
          the page, not in the middle of training. */}
      <div className="chart-area" style={{ height }}>
        <ResponsiveContainer width="100%" height="100%" debounce={100}>
          {children}
        </ResponsiveContainer>
        {empty && <p className="chart-empty chart-overlay">{emptyText ?? t('chart.empty')}</p>}
      </div>
      {legend && legend.length > 0 && (
        <ul className="chart-legend" aria-label={t('chart.legend')}>
          {legend.map((l) => (
            <li key={l.label} className="legend-item">
              <svg width="18" height="8" aria-hidden="true">
                <line x1="0" y1="4" x2="18" y2="4" stroke={l.color} strokeWidth="2" strokeDasharray={l.dashed ? '5 3' : undefined} />
              </svg>
              {l.label}
            </li>
          ))}
        </ul>
      )}
      {footer}
    </figure>
  );
}
