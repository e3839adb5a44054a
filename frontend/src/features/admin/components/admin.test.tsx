import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch, jsonResponse } from '@/testing/fake-fetch';
import { makeUser, meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const SESSIONS = [
  {
    id: 'sess-a',
    user_id: 1,
    user_email: 'ada@example.com',
    created_at: '2026-03-01T10:00:00Z',
    last_activity_at: '2026-03-01T10:05:00Z',
    expires_at: '2026-03-02T10:00:00Z',
    ip_address: '127.0.0.1',
    user_agent: 'Chromium A',
    is_current: true,
  },
  {
    id: 'sess-b',
    user_id: 1,
    user_email: 'ada@example.com',
    created_at: '2026-03-01T11:00:00Z',
    last_activity_at: '2026-03-01T11:05:00Z',
    expires_at: '2026-03-02T11:00:00Z',
    ip_address: '127.0.0.1',
    user_agent: 'Chromium B',
    is_current: false,
  },
];

describe('administration', () => {
  beforeEach(() => setToken('tok-admin'));

  it('marks this session by session id (same email twice) and terminates another', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/admin/sessions': { body: { items: SESSIONS, total: 2 } },
      // The server's is_current says "a"; the page must trust the session id from current-session.
      'GET /api/v1/admin/current-session': { body: { session_id: 'sess-b', user_id: 1 } },
      'DELETE /api/v1/admin/sessions/sess-a': jsonResponse(null, 204),
    });
    renderApp('/admin/sessions');
    await waitFor(() => expect(screen.getAllByTestId('session-row')).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('session-current')).toBeInTheDocument());
    const currentRow = screen.getByTestId('session-current').closest('tr')!;
    expect(currentRow).toHaveAttribute('data-session-id', 'sess-b');
    expect(within(currentRow).queryByRole('button', { name: /Terminate/ })).not.toBeInTheDocument();

    const other = screen.getAllByTestId('session-row').find((row) => row.dataset.sessionId === 'sess-a')!;
    await user.click(within(other).getByRole('button', { name: /Terminate/ }));
    await user.click(screen.getByRole('button', { name: 'Terminate' }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'DELETE' && c.url.pathname === '/api/v1/admin/sessions/sess-a')).toBe(true),
    );
    expect(calls.find((c) => c.method === 'DELETE')!.url.origin).toBe('http://127.0.0.1:3001');
  });

  it('creates a user and refreshes the list', async () => {
    const user = userEvent.setup();
    let created = false;
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/admin/permissions/matrix': {
        body: { roles: ['admin', 'user', 'view'], resources: ['users'], actions: ['read'], matrix: {} },
      },
      'GET /api/v1/admin/users': () => ({
        body: {
          items: created
            ? [{ id: 9, email: 'new@example.com', first_name: 'New', last_name: 'Person', role: 'view', is_admin: false, active: true, last_login_at: null, created_at: '2026-03-01T00:00:00Z' }]
            : [],
          total: created ? 1 : 0,
        },
      }),
      'POST /api/v1/admin/users': () => {
        created = true;
        return { status: 201, body: { id: 9, email: 'new@example.com' } };
      },
    });
    renderApp('/admin/users');
    expect(await screen.findByText('No users match.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New user' }));
    const dialog = screen.getByRole('dialog', { name: 'New user' });
    await user.type(within(dialog).getByLabelText('Email'), 'new@example.com');
    await user.type(within(dialog).getByLabelText('Initial password'), 'a-long-password');
    await user.type(within(dialog).getByLabelText('First name'), 'New');
    await user.type(within(dialog).getByLabelText('Last name'), 'Person');
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'view');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('new@example.com')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      email: 'new@example.com',
      password: 'a-long-password',
      first_name: 'New',
      last_name: 'Person',
      role: 'view',
    });
  });

  describe('sign out everywhere', () => {
    const USERS = [
      { id: 1, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', role: 'admin', is_admin: true, active: true, last_login_at: null, created_at: '2026-03-01T00:00:00Z' },
      { id: 9, email: 'bob@example.com', first_name: 'Bob', last_name: 'Ross', role: 'user', is_admin: false, active: true, last_login_at: null, created_at: '2026-03-01T00:00:00Z' },
      { id: 10, email: 'gone@example.com', first_name: 'Gone', last_name: 'User', role: 'view', is_admin: false, active: false, last_login_at: null, created_at: '2026-03-01T00:00:00Z' },
    ];
    const MATRIX = { roles: ['admin', 'user', 'view'], resources: ['users'], actions: ['read'], matrix: {} };

    it('ends every session of a user after confirmation, offered for other active users only', async () => {
      const user = userEvent.setup();
      const { calls } = installFakeFetch({
        'GET /api/v1/auth/me': { body: meResponse() },
        'GET /api/v1/admin/permissions/matrix': { body: MATRIX },
        'GET /api/v1/admin/users': { body: { items: USERS, total: 3 } },
        'POST /api/v1/admin/users/9/sessions/terminate': { body: { sessions_ended: 3 } },
      });
      renderApp('/admin/users');
      const button = await screen.findByRole('button', { name: 'Sign out everywhere: bob@example.com' });
      expect(screen.queryByRole('button', { name: 'Sign out everywhere: ada@example.com' })).not.toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Sign out everywhere: gone@example.com' })).not.toBeInTheDocument();

      await user.click(button);
      const dialog = screen.getByRole('dialog', { name: 'Sign bob@example.com out everywhere?' });
      await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
      expect(calls.some((c) => c.method === 'POST')).toBe(false);

      await user.click(button);
      await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Sign out everywhere' }));
      expect(await screen.findByText('bob@example.com signed out everywhere')).toBeInTheDocument();
      expect(screen.getByText('3 sessions ended.')).toBeInTheDocument();
      const post = calls.find((c) => c.method === 'POST')!;
      expect(post.url.pathname).toBe('/api/v1/admin/users/9/sessions/terminate');
      expect(post.url.origin).toBe('http://127.0.0.1:3001');
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });

    it('is offered only with sessions:delete, even without users:admin', async () => {
      const base = [
        { resource: 'dashboards', action: 'read' },
        { resource: 'users', action: 'read' },
      ];
      const routes = {
        'GET /api/v1/admin/permissions/matrix': { body: MATRIX },
        'GET /api/v1/admin/users': { body: { items: USERS, total: 3 } },
      };
      installFakeFetch({
        ...routes,
        'GET /api/v1/auth/me': { body: meResponse(makeUser(), [...base, { resource: 'users', action: 'admin' }]) },
      });
      const first = renderApp('/admin/users');
      expect(await screen.findByRole('button', { name: 'Edit bob@example.com' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /Sign out everywhere/ })).not.toBeInTheDocument();
      first.unmount();

      installFakeFetch({
        ...routes,
        'GET /api/v1/auth/me': { body: meResponse(makeUser(), [...base, { resource: 'sessions', action: 'delete' }]) },
      });
      renderApp('/admin/users');
      expect(await screen.findByRole('button', { name: 'Sign out everywhere: bob@example.com' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Edit bob@example.com' })).not.toBeInTheDocument();
    });
  });
});
