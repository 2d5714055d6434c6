// Form controls bound to one config field each. Every control has a visible label; an invalid
// value keeps the text typed, is not applied, and shows the schema's message beside the field
// (linked with aria-describedby, aria-invalid set).

import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldText, useConfig, type ConfigKey } from '../store/config-store';
import { translateMessage } from '../i18n/messages';

function useField(name: ConfigKey) {
  const text = useConfig((s) => s.pending[name] ?? fieldText(s.config[name]));
  const error = useConfig((s) => s.errors[name]);
  const setField = useConfig((s) => s.setField);
  return { text, error, set: (v: string | boolean) => setField(name, v) };
}

function FieldError({ id, error }: { id: string; error?: string }) {
  const { t } = useTranslation();
  return (
    <span id={id} className="field-error" role={error ? 'alert' : undefined}>
      {error ? t('field.invalid', { message: translateMessage(t, error) }) : ''}
    </span>
  );
}

export interface FieldProps {
  name: ConfigKey;
  /** Defaults to t(`field.${name}`). */
  label?: string;
  hint?: ReactNode;
}

export function NumberField({ name, label, hint }: FieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const { text, error, set } = useField(name);
  // While the field has focus it shows what was typed ("0." on the way to "0.05"), not the normalised value.
  const [local, setLocal] = useState<string | null>(null);
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id}>{label ?? t(`field.${name}`)}</label>
      <input
        id={id}
        name={name}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        spellCheck={false}
        value={local ?? text}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-err${hint ? ` ${id}-hint` : ''}`}
        onChange={(e) => {
          setLocal(e.target.value);
          set(e.target.value);
        }}
        onBlur={() => setLocal(null)}
      />
      <FieldError id={`${id}-err`} error={error} />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export function TextField({ name, label, hint }: FieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const { text, error, set } = useField(name);
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id}>{label ?? t(`field.${name}`)}</label>
      <input
        id={id}
        name={name}
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-err${hint ? ` ${id}-hint` : ''}`}
        onChange={(e) => set(e.target.value)}
      />
      <FieldError id={`${id}-err`} error={error} />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** Options longer than this many characters do not fit half a config row: the select takes a whole one. */
const HALF_ROW_CHARS = 12;

export function SelectField({ name, label, hint, options }: FieldProps & { options: readonly Option[] }) {
  const { t } = useTranslation();
  const id = useId();
  const { text, error, set } = useField(name);
  const wide = options.some((o) => [...o.label].length > HALF_ROW_CHARS);
  return (
    <div className={wide ? 'field field-wide' : 'field'} data-invalid={error ? true : undefined}>
      <label htmlFor={id}>{label ?? t(`field.${name}`)}</label>
      <select id={id} name={name} value={text} aria-invalid={error ? true : undefined} aria-describedby={`${id}-err${hint ? ` ${id}-hint` : ''}`} onChange={(e) => set(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-err`} error={error} />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export function CheckboxField({ name, label }: FieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const { text, error, set } = useField(name);
  return (
    <div className="field field-check" data-invalid={error ? true : undefined}>
      <input id={id} name={name} type="checkbox" checked={text === 'true'} aria-describedby={`${id}-err`} onChange={(e) => set(e.target.checked)} />
      <label htmlFor={id}>{label ?? t(`field.${name}`)}</label>
      <FieldError id={`${id}-err`} error={error} />
    </div>
  );
}

/** A radio group; each option may carry a description shown under it. */
export function RadioField({ name, label, options }: FieldProps & { options: readonly (Option & { description?: ReactNode })[] }) {
  const { t } = useTranslation();
  const id = useId();
  const { text, error, set } = useField(name);
  return (
    <fieldset className="field field-radio" aria-describedby={`${id}-err`}>
      <legend>{label ?? t(`field.${name}`)}</legend>
      {options.map((o) => (
        <div key={o.value} className="radio-option">
          <input id={`${id}-${o.value}`} type="radio" name={`${id}-${name}`} value={o.value} checked={text === o.value} onChange={() => set(o.value)} />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          {o.description && <div className="radio-desc">{o.description}</div>}
        </div>
      ))}
      <FieldError id={`${id}-err`} error={error} />
    </fieldset>
  );
}

/** Options from value lists, labelled by `${prefix}.${value}`. */
export function useOptions(prefix: string, values: readonly string[]): Option[] {
  const { t } = useTranslation();
  return values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));
}
