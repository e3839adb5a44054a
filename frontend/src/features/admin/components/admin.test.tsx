import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch, jsonResponse } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
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
});
