// The log-scale checkbox of a chart.

import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export function LogToggle({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <span className="chart-control">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{t('chart.logScale')}</label>
    </span>
  );
}
