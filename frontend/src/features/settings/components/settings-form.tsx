import { useId, useState, type FormEvent } from 'react';

import { useSettings } from '@/features/settings/api/settings';
import type { FieldDef, KindDef, SettingsItem } from '@/features/settings/types/settings';

type Values = Record<string, string | boolean>;

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join('\n');
  return String(value);
}

function initialValues(def: KindDef, item?: SettingsItem): Values {
  const values: Values = {};
  for (const field of def.fields) {
    const value = item?.[field.name];
    values[field.name] = field.type === 'checkbox' ? Boolean(value) : toText(value ?? (field.type === 'select' && !item ? field.options?.[0]?.value : ''));
  }
  return values;
}

/** Form values → request body: numbers parsed, lists split, empty optional fields null. */
export function toBody(def: KindDef, values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of def.fields) {
    const value = values[field.name];
    if (field.type === 'checkbox') body[field.name] = Boolean(value);
    else if (field.type === 'list')
      body[field.name] = String(value ?? '')
        .split(/[\n,]/)
        .map((part) => part.trim())
        .filter(Boolean);
    else if (field.type === 'number') body[field.name] = value === '' ? null : Number(value);
    else if (field.type === 'ref') body[field.name] = value === '' ? null : /^\d+$/.test(String(value)) ? Number(value) : value;
    else body[field.name] = value === '' ? null : String(value).trim();
  }
  return body;
}

function RefSelect({ field, id, value, onChange }: { field: FieldDef; id: string; value: string; onChange: (v: string) => void }) {
  const options = useSettings(field.refKind!);
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)} required={field.required}>
      <option value="">{field.required ? 'Choose…' : 'None'}</option>
      {(options.data?.items ?? [])
        .filter((item) => item.active !== false || String(item.id) === value)
        .map((item) => (
          <option key={item.id} value={String(item.id)}>
            {String(item.name ?? item.id)}
          </option>
        ))}
    </select>
  );
}

type SettingsFormProps = {
  def: KindDef;
  item?: SettingsItem;
  busy?: boolean;
  onSubmit: (body: Record<string, unknown>) => void;
  onCancel: () => void;
};

/** A form built from the kind's field list; every control labelled. */
export function SettingsForm({ def, item, busy, onSubmit, onCancel }: SettingsFormProps) {
  const id = useId();
  const [values, setValues] = useState<Values>(() => initialValues(def, item));
  const [error, setError] = useState<string | null>(null);
  const set = (name: string, value: string | boolean) => setValues((previous) => ({ ...previous, [name]: value }));

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const missing = def.fields.find((field) => field.required && field.type !== 'checkbox' && !String(values[field.name] ?? '').trim());
    if (missing) return setError(`${missing.label} is required.`);
    setError(null);
    onSubmit(toBody(def, values));
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label={item ? `Edit ${def.singular}` : `New ${def.singular}`}>
      {def.fields.map((field) => {
        const fieldId = `${id}-${field.name}`;
        const hintId = field.hint ? `${fieldId}-hint` : undefined;
        const value = values[field.name];
        if (field.type === 'checkbox') {
          return (
            <label key={field.name} className="checkbox">
              <input type="checkbox" checked={Boolean(value)} onChange={(event) => set(field.name, event.target.checked)} />
              {field.label}
            </label>
          );
        }
        return (
          <div key={field.name} className="field">
            <label htmlFor={fieldId}>{field.label}</label>
            {field.type === 'select' ? (
              <select id={fieldId} value={String(value)} onChange={(event) => set(field.name, event.target.value)} aria-describedby={hintId}>
                {!field.required ? <option value="">None</option> : null}
                {field.options?.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : field.type === 'ref' ? (
              <RefSelect field={field} id={fieldId} value={String(value)} onChange={(next) => set(field.name, next)} />
            ) : field.type === 'list' ? (
              <textarea id={fieldId} value={String(value)} onChange={(event) => set(field.name, event.target.value)} aria-describedby={hintId} />
            ) : (
              <input
                id={fieldId}
                type={field.type === 'number' ? 'number' : 'text'}
                value={String(value)}
                onChange={(event) => set(field.name, event.target.value)}
                aria-describedby={hintId}
                required={field.required}
              />
            )}
            {field.hint ? (
              <span id={hintId} className="hint">
                {field.hint}
              </span>
            ) : null}
          </div>
        );
      })}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Saving…' : item ? 'Save changes' : `Create ${def.singular}`}
        </button>
      </div>
    </form>
  );
}
