import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { normaliseMe, useAuth } from '@/lib/auth';
import { getToken, setToken } from '@/lib/token-storage';
import { errorResponse, installFakeFetch } from '@/testing/fake-fetch';
import { adminPermissions, makeUser, meResponse, viewerPermissions } from '@/testing/fixtures';
import { renderApp, renderWithProviders } from '@/testing/test-utils';

function WhoAmI() {
  const auth = useAuth();
  return (
    <p>
      status:{auth.status} user:{auth.user?.email ?? '-'} perms:{auth.permissions.length}
    </p>
  );
}

describe('auth context', () => {
  it('stays anonymous without a token and calls nobody', async () => {
    const { calls } = installFakeFetch({});
    renderWithProviders(<WhoAmI />);
    expect(screen.getByText(/status:anonymous/)).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('validates a stored token with GET /auth/me and exposes the user and permissions', async () => {
    setToken('good-token');
    const { calls } = installFakeFetch({ 'GET /api/v1/auth/me': { body: meResponse() } });
    renderWithProviders(<WhoAmI />);
    expect(await screen.findByText(/status:authenticated/)).toHaveTextContent(
      `user:ada@example.com perms:${adminPermissions.length}`,
    );
    expect(calls[0].url.href).toBe('http://127.0.0.1:3001/api/v1/auth/me');
    expect(calls[0].headers.get('Authorization')).toBe('Bearer good-token');
  });

  it('accepts /auth/me answering the user fields flat with permission strings', () => {
    const me = normaliseMe({ ...makeUser({ email: 'flat@example.com' }), permissions: ['users:read'] });
    expect(me.user.email).toBe('flat@example.com');
    expect(me.permissions).toEqual([{ resource: 'users', action: 'read' }]);
  });

  it('sends a dead token to login with the session-ended notice and forgets it', async () => {
    setToken('dead-token');
    installFakeFetch({ 'GET /api/v1/auth/me': errorResponse(401, 'not_authenticated', 'Session expired') });
    renderApp('/analytics');
    expect(await screen.findByTestId('login-notice')).toHaveTextContent(/session ended/i);
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(getToken()).toBeNull();
  });

  it('logs in, stores the token in storage and cookie, and opens the page asked for', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'POST /api/v1/auth/login': {
        body: {
          token: 'new-token',
          token_type: 'bearer',
          session_id: 'sess-9',
          expires_at: '2099-01-01T00:00:00Z',
          user: makeUser({ role: 'view', is_admin: false }),
          permissions: viewerPermissions,
        },
      },
      'GET /api/v1/metrics/dora': { body: {} },
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [] } },
    });
    renderApp('/login');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/));
    expect(calls[0].body).toEqual({ email: 'ada@example.com', password: 'secret-password' });
    expect(window.localStorage.getItem('pulse_token')).toBe('new-token');
    expect(document.cookie).toContain('pulse_token=new-token');
    // A viewer is not offered the admin or settings pages.
    expect(screen.queryByRole('link', { name: 'Administration' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Settings' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'DORA metrics' })).toBeInTheDocument();
  });

  it('shows the generic 401 message and the 429 wait on the login form', async () => {
    const user = userEvent.setup();
    let attempt = 0;
    installFakeFetch({
      'POST /api/v1/auth/login': () => {
        attempt += 1;
        return attempt === 1
          ? errorResponse(401, 'invalid_credentials', 'Invalid email or password.')
          : errorResponse(429, 'throttled', 'Too many attempts', 'r', { 'Retry-After': '42' });
      },
    });
    renderApp('/login');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password.');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/Try again in 42 seconds/)).toBeInTheDocument();
    expect(getToken()).toBeNull();
  });
});

describe('auth across tabs', () => {
  it('shows login when another tab signs out', async () => {
    setToken('tok-tabs');
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora': { body: {} },
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [] } },
    });
    renderApp('/');
    await screen.findByRole('button', { name: 'Sign out' });
    window.localStorage.removeItem('pulse_token');
    window.dispatchEvent(new StorageEvent('storage', { key: 'pulse_token', oldValue: 'tok-tabs', newValue: null }));
    expect(await screen.findByTestId('login-notice')).toHaveTextContent(/signed out/i);
  });
});
