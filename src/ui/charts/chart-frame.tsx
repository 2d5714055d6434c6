// A titled chart box: heading, optional controls, and a responsive area (or a note when empty).

import { useId, type ReactElement, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';
import { useTranslation } from 'react-i18next';

export interface ChartFrameProps {
  title: string;
  description?: string;
  controls?: ReactNode;
  empty: boolean;
  height?: number;
  children: ReactElement;
}

export function ChartFrame({ title, description, controls, empty, height = 200, children }: ChartFrameProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={id} data-empty={empty || undefined}>
      <figcaption>
        <h3 id={id}>{title}</h3>
        {controls}
      </figcaption>
      {description && <p className="chart-desc">{description}</p>}
      {empty ? (
        <p className="chart-empty" style={{ height }}>
          {t('chart.empty')}
        </p>
      ) : (
        <div className="chart-area" style={{ height }}>
          <ResponsiveContainer width="100%" height="100%" debounce={100}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
