import { useState, type FormEvent } from 'react';

import { ApiError } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';

/** Text shown for a failed login: the 401 is generic on purpose; a 429 says when to try again. */
export function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return error.message && error.code !== 'http_401' ? error.message : 'Invalid email or password.';
    if (error.status === 429) {
      const wait = error.retryAfter;
      return wait
        ? `Too many sign-in attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
        : 'Too many sign-in attempts. Try again in a moment.';
    }
    if (error.status === 422) return 'Enter a valid email and password.';
    if (error.isServerError) {
      return error.status === 0
        ? error.message
        : `Sign-in failed on our side.${error.requestId ? ` Request id: ${error.requestId}` : ''}`;
    }
    return error.message;
  }
  return 'Sign-in failed.';
}

/** Email and password form; reports 401/429 clearly. */
export function LoginForm({ onSuccess }: { onSuccess: () => void }) {
  const { login } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setSubmitting(true);
    try {
      await login(email.trim(), password);
      onSuccess();
    } catch (cause) {
      setError(loginErrorText(cause));
      setSubmitting(false);
    }
  }

  return (
    <form className="form" onSubmit={handleSubmit} aria-describedby={error ? 'login-error' : undefined} noValidate>
      <div className="field">
        <label htmlFor="login-email">Email</label>
        <input
          id="login-email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
      {error ? (
        <p id="login-error" className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary btn--block" disabled={submitting || !email || !password}>
        {submitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
