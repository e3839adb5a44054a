import { useId, useState, type FormEvent } from 'react';

import { MembersEditor, toMemberRows, toMembers } from '@/features/settings/components/members-editor';
import { useRefOptions } from '@/features/settings/hooks/use-ref-options';
import type { FieldDef, FormValues, KindDef, MemberRow, SettingsItem } from '@/features/settings/types/settings';

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join('\n');
  return String(value);
}

type FormValue = FormValues[string];

function initialValue(field: FieldDef, item?: SettingsItem): FormValue {
  const value = item ? item[field.name] : field.defaultValue;
  if (field.type === 'members') return toMemberRows(value);
  if (field.type === 'checkbox') return Boolean(value);
  if (field.type === 'multiref') return Array.isArray(value) ? value.map(String) : [];
  if (value === undefined && field.type === 'select' && !item) return field.options?.[0]?.value ?? '';
  return toText(value);
}

function initialValues(def: KindDef, item?: SettingsItem): FormValues {
  return Object.fromEntries(def.fields.map((field) => [field.name, initialValue(field, item)]));
}

function visible(field: FieldDef, values: FormValues): boolean {
  return !field.showWhen || field.showWhen(values);
}

function asId(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * Form values → request body: numbers parsed, lists split, ids numeric, hidden fields left out; on edit
 * (`editing`) the fields the API fixes at creation are left out too.
 */
export function toBody(def: KindDef, values: FormValues, editing = false): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of def.fields) {
    if (editing && field.createOnly) continue;
    if (!visible(field, values)) continue;
    const value = values[field.name];
    switch (field.type) {
      case 'checkbox':
        body[field.name] = Boolean(value);
        break;
      case 'list':
        body[field.name] = String(value ?? '')
          .split(/[\n,]/)
          .map((part) => part.trim())
          .filter(Boolean);
        break;
      case 'multiref':
        body[field.name] = (Array.isArray(value) ? (value as string[]) : []).map(asId);
        break;
      case 'members':
        body[field.name] = toMembers(Array.isArray(value) ? (value as MemberRow[]) : []);
        break;
      case 'number':
        body[field.name] = value === '' ? null : Number(value);
        break;
      case 'ref':
        body[field.name] = value === '' ? null : asId(String(value));
        break;
      default: {
        const text = String(value ?? '').trim();
        if (text) body[field.name] = text;
        else if (field.emptyAs === 'empty') body[field.name] = '';
        else if (field.emptyAs !== 'omit') body[field.name] = null;
      }
    }
  }
  return body;
}

function RefSelect({
  field,
  id,
  value,
  onChange,
  disabled,
  describedBy,
}: {
  field: FieldDef;
  id: string;
  value: string | string[];
  onChange: (value: string | string[]) => void;
  disabled?: boolean;
  describedBy?: string;
}) {
  const { options } = useRefOptions(field.ref!);
  const selected = Array.isArray(value) ? value : [value];
  const choices = options.filter((option) => option.active || selected.includes(option.value));
  if (field.type === 'multiref') {
    return (
      <select
        id={id}
        multiple
        size={Math.min(8, Math.max(3, choices.length))}
        value={selected}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={(event) => onChange(Array.from(event.target.selectedOptions, (option) => option.value))}
      >
        {choices.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  }
  return (
    <select
      id={id}
      value={String(value)}
      disabled={disabled}
      aria-describedby={describedBy}
      onChange={(event) => onChange(event.target.value)}
    >
      <option value="">{field.required ? 'Choose…' : 'None'}</option>
      {choices.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
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
  const editing = !!item;
  const [values, setValues] = useState<FormValues>(() => initialValues(def, item));
  const [error, setError] = useState<string | null>(null);
  const set = (name: string, value: FormValue) => setValues((previous) => ({ ...previous, [name]: value }));
  const fields = def.fields.filter((field) => visible(field, values));

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const missing = fields.find(
      (field) =>
        (field.required || field.showWhen) &&
        !(editing && field.createOnly) &&
        field.type !== 'checkbox' &&
        field.type !== 'multiref' &&
        field.type !== 'members' &&
        !String(values[field.name] ?? '').trim(),
    );
    if (missing) return setError(`${missing.label} is required.`);
    setError(null);
    onSubmit(toBody(def, values, editing));
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label={editing ? `Edit ${def.singular}` : `New ${def.singular}`}>
      {fields.map((field) => {
        const fieldId = `${id}-${field.name}`;
        const hintId = field.hint ? `${fieldId}-hint` : undefined;
        const value = values[field.name];
        const locked = editing && field.createOnly;
        if (field.type === 'members') {
          return (
            <MembersEditor
              key={field.name}
              label={field.label}
              hint={field.hint}
              rows={value as MemberRow[]}
              onChange={(rows) => set(field.name, rows)}
            />
          );
        }
        if (field.type === 'checkbox') {
          return (
            <label key={field.name} className="checkbox">
              <input
                type="checkbox"
                checked={Boolean(value)}
                disabled={locked}
                onChange={(event) => set(field.name, event.target.checked)}
              />
              {field.label}
            </label>
          );
        }
        return (
          <div key={field.name} className="field">
            <label htmlFor={fieldId}>{field.label}</label>
            {field.type === 'select' ? (
              <select
                id={fieldId}
                value={String(value)}
                disabled={locked}
                onChange={(event) => set(field.name, event.target.value)}
                aria-describedby={hintId}
              >
                {!field.required ? <option value="">None</option> : null}
                {field.options?.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : field.type === 'ref' || field.type === 'multiref' ? (
              <RefSelect
                field={field}
                id={fieldId}
                value={value as string | string[]}
                disabled={locked}
                describedBy={hintId}
                onChange={(next) => set(field.name, next)}
              />
            ) : field.type === 'list' ? (
              <textarea
                id={fieldId}
                value={String(value)}
                onChange={(event) => set(field.name, event.target.value)}
                aria-describedby={hintId}
              />
            ) : (
              <input
                id={fieldId}
                type={field.type === 'number' ? 'number' : 'text'}
                value={String(value)}
                disabled={locked}
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
          {busy ? 'Saving…' : editing ? 'Save changes' : `Create ${def.singular}`}
        </button>
      </div>
    </form>
  );
}
