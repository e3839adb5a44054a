import { useId, useState, type FormEvent } from 'react';

import { Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { useChangePassword } from '@/features/auth/api/change-password';
import { ApiError } from '@/lib/api-client';

type Field = 'current' | 'next' | 'confirm';
type Errors = Partial<Record<Field | 'form', string>>;

// The Backend names `current_password` or `new_password`, and `password` for its password policy.
const SERVER_FIELDS: Record<string, Field> = { current_password: 'current', new_password: 'next', password: 'next' };

function sentence(text: string): string {
  return text ? `${text[0].toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}` : text;
}

function sessionsEndedText(count: number): string {
  if (count === 0) return 'You had no other sessions; this one stays signed in.';
  return `Your ${count === 1 ? 'other session was' : `${count} other sessions were`} signed out; this one stays signed in.`;
}

/** The form inside the dialog: current password, new one twice; the server's 422 shown on its field. */
function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const id = useId();
  const change = useChangePassword();
  const { notify } = useNotifications();
  const [values, setValues] = useState<Record<Field, string>>({ current: '', next: '', confirm: '' });
  const [errors, setErrors] = useState<Errors>({});

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: Errors = {};
    if (!values.current) found.current = 'Enter your current password.';
    if (!values.next) found.next = 'Enter a new password.';
    else if (values.confirm !== values.next) found.confirm = 'The two new passwords differ.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    change.mutate(
      { current_password: values.current, new_password: values.next },
      {
        onSuccess: (result) => {
          notify({ tone: 'success', title: 'Password changed', message: sessionsEndedText(result?.sessions_ended ?? 0) });
          onDone();
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) return setErrors({ form: 'The password could not be changed.' });
          if (error.isUnauthorized) return; // the app shows login
          const field = error.status === 422 && error.field ? SERVER_FIELDS[error.field] : undefined;
          if (field) return setErrors({ [field]: sentence(error.message) });
          if (error.isForbidden) return setErrors({ form: 'You do not have permission to do that.' });
          const wait = error.status === 429 && error.retryAfter ? ` Try again in ${error.retryAfter} s.` : '';
          const reference = error.requestId && error.isServerError ? ` (request id ${error.requestId})` : '';
          setErrors({ form: `${sentence(error.message)}${wait}${reference}` });
        },
      },
    );
  }

  const input = (field: Field, label: string, autoComplete: string, hint?: string) => {
    const inputId = `${id}-${field}`;
    const describedBy = [hint ? `${inputId}-hint` : '', errors[field] ? `${inputId}-error` : ''].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={inputId}>{label}</label>
        <input
          id={inputId}
          type="password"
          autoComplete={autoComplete}
          value={values[field]}
          required
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={describedBy || undefined}
          onChange={(event) => setValues((previous) => ({ ...previous, [field]: event.target.value }))}
        />
        {hint ? (
          <span id={`${inputId}-hint`} className="hint">
            {hint}
          </span>
        ) : null}
        {errors[field] ? (
          <span id={`${inputId}-error`} className="field-error" role="alert">
            {errors[field]}
          </span>
        ) : null}
      </div>
    );
  };

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label="Change password">
      {input('current', 'Current password', 'current-password')}
      {input('next', 'New password', 'new-password', 'Your other sessions are signed out when it changes.')}
      {input('confirm', 'Confirm new password', 'new-password')}
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}

/** "Change password" in the user menu, opening the dialog. */
export function ChangePasswordButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn--ghost" onClick={() => setOpen(true)}>
        Change password
      </button>
      {open ? (
        <Dialog open title="Change password" onClose={() => setOpen(false)}>
          <ChangePasswordForm onDone={() => setOpen(false)} />
        </Dialog>
      ) : null}
    </>
  );
}
