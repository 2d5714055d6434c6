// Data: the bundled task picker (a few example pairs and the split sizes the worker reports) and
// the import of the learner's own pair file, with per-line errors beside the field.

import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { TASK_NAMES } from '../../train/config';
import { isTaskName, TASKS } from '../../data/tasks';
import { isRealTaskName, REAL_TASKS } from '../../data/tasks/tatoeba';
import { useConfig } from '../store/config-store';
import { MAX_SHOWN_ERRORS, useData } from '../store/data-store';
import { importPairFile } from '../store/import-pairs';
import { useStatus } from '../store/status-store';
import { SelectField, useOptions } from './fields';
import { formatBytes } from './header';

/** The task's one-sentence description: the registry's (English) or its translation. */
function useTaskDescription(task: string): string {
  const { t, i18n } = useTranslation();
  const english = isTaskName(task) ? TASKS[task].description : isRealTaskName(task) ? REAL_TASKS[task].description : null;
  return i18n.resolvedLanguage === 'en' && english ? english : t(`data.tasks.${task}`);
}

function Examples() {
  const { t } = useTranslation();
  const task = useConfig((s) => s.config.task);
  const model = useStatus((s) => s.model);
  const description = useTaskDescription(task);
  // The licence of the Tatoeba data (CC-BY 2.0 FR) asks for this credit wherever it is shown.
  const credit = isRealTaskName(task) ? (
    <p className="muted" data-testid="data-credit">
      {t('data.credit')}
    </p>
  ) : null;
  if (!model || model.task !== task)
    return (
      <>
        <p className="muted">{description}</p>
        {credit}
      </>
    );
  return (
    <>
      <p>{description}</p>
      {credit}
      <table className="examples">
        <caption>{t('data.examples')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('data.source')}</th>
            <th scope="col">{t('data.target')}</th>
          </tr>
        </thead>
        <tbody>
          {model.examples.slice(0, 5).map((e, i) => (
            <tr key={i}>
              <td>{e.src}</td>
              <td>{e.tgt}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted" data-testid="splits">
        {t('data.splits', { train: model.splits.train.toLocaleString(), valid: model.splits.valid.toLocaleString(), test: model.splits.test.toLocaleString() })}
      </p>
    </>
  );
}

function PairFileField() {
  const { t } = useTranslation();
  const id = useId();
  const fileName = useData((s) => s.fileName);
  const pairs = useData((s) => s.pairs);
  const errors = useData((s) => s.errors);
  const lines = useData((s) => s.lines);
  const parsing = useData((s) => s.parsing);
  const skipped = useData((s) => s.skipped);
  const clear = useData((s) => s.clear);
  const setField = useConfig((s) => s.setField);
  const task = useConfig((s) => s.config.task);
  return (
    <div className="field" data-invalid={errors.length > 0 || undefined}>
      <label htmlFor={id}>{t('data.importLabel')}</label>
      <input
        id={id}
        type="file"
        accept=".tsv,.txt,.csv,text/tab-separated-values,text/plain"
        aria-describedby={`${id}-help ${id}-status ${id}-errors`}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (!f) return;
          void importPairFile(f).then(
            (r) => {
              if (r && r.pairs.length > 0) setField('task', 'custom');
            },
            () => undefined,
          );
        }}
      />
      <span id={`${id}-help`} className="field-hint">
        {t('data.importHelp')}
      </span>
      <span id={`${id}-status`} className="field-hint" aria-live="polite">
        {parsing
          ? t('data.parsing', { size: formatBytes(lines) })
          : fileName && pairs
            ? `${t('data.parsed', { file: fileName, pairs: pairs.length.toLocaleString(), lines: lines.toLocaleString() })}${skipped ? ` ${t('data.skipped', { ...skipped })}` : ''}`
            : task === 'custom'
              ? t('data.needFile')
              : ''}
      </span>
      {errors.length > 0 && (
        <ul id={`${id}-errors`} className="field-error line-errors" aria-label={t('data.lineErrors')}>
          {errors.slice(0, MAX_SHOWN_ERRORS).map((e) => (
            <li key={e.line}>{e.line > 0 ? t('data.lineError', { line: e.line, message: e.message }) : e.message}</li>
          ))}
          {errors.length > MAX_SHOWN_ERRORS && <li>{t('data.moreErrors', { count: errors.length - MAX_SHOWN_ERRORS })}</li>}
        </ul>
      )}
      {fileName && (
        <button type="button" className="link" onClick={clear}>
          {t('data.removeFile')}
        </button>
      )}
    </div>
  );
}

export function DataPanel() {
  const { t } = useTranslation();
  const tasks = useOptions('data.taskNames', TASK_NAMES);
  return (
    <section className="panel" aria-labelledby="panel-data">
      <h2 id="panel-data">{t('data.title')}</h2>
      <SelectField name="task" options={tasks} />
      <Examples />
      <PairFileField />
    </section>
  );
}
