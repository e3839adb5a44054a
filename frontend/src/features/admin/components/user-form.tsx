import { useId, useState, type FormEvent } from 'react';

import type { AdminUser, UserCreate } from '@/features/admin/types/admin';

const ROLE_LABELS: Record<string, string> = { admin: 'Admin', user: 'User', view: 'Viewer' };

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

type UserFormProps = {
  user?: AdminUser;
  roles: string[];
  busy?: boolean;
  submitLabel: string;
  onSubmit: (body: UserCreate) => void;
  onCancel: () => void;
};

/** Create a user (email, password, names, role) or edit one (names and role). */
export function UserForm({ user, roles, busy, submitLabel, onSubmit, onCancel }: UserFormProps) {
  const id = useId();
  const editing = !!user;
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [firstName, setFirstName] = useState(user?.first_name ?? '');
  const [lastName, setLastName] = useState(user?.last_name ?? '');
  const [role, setRole] = useState<string>(user?.role ?? 'user');
  const [error, setError] = useState<string | null>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!editing && !/^\S+@\S+\.\S+$/.test(email.trim())) return setError('Enter a valid email.');
    if (!editing && password.length < 8) return setError('The password needs at least 8 characters.');
    setError(null);
    onSubmit({ email: email.trim(), password, first_name: firstName.trim(), last_name: lastName.trim(), role });
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label={editing ? 'Edit user' : 'New user'}>
      {editing ? (
        <p className="muted">{user.email}</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              type="email"
              autoComplete="off"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              required
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Initial password</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={`${id}-password-hint`}
              required
            />
            <span className="hint" id={`${id}-password-hint`}>
              At least 8 characters.
            </span>
          </div>
        </>
      )}
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-first`}>First name</label>
          <input id={`${id}-first`} value={firstName} onChange={(event) => setFirstName(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-last`}>Last name</label>
          <input id={`${id}-last`} value={lastName} onChange={(event) => setLastName(event.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-role`}>Role</label>
        <select id={`${id}-role`} value={role} onChange={(event) => setRole(event.target.value)}>
          {roles.map((name) => (
            <option key={name} value={name}>
              {roleLabel(name)}
            </option>
          ))}
        </select>
      </div>
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
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
