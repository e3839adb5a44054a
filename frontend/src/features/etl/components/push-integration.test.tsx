import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { Integration } from '@/features/etl/types/etl';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { installFakeWebSocket } from '@/testing/fake-websocket';
import { makeUser, meResponse, userPermissions } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const TOKEN = 'pulse_push_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3c';
const ROTATED = 'pulse_push_N3wN3wN3wN3wN3wN3wN3wN3wN3wN3wN3wN3wN3w';

const PUSH: Integration = {
  id: 9,
  type: 'push',
  name: 'Jenkins',
  base_url: '',
  settings: {},
  active: true,
  has_credentials: false,
  created_at: '2026-11-01T00:00:00Z',
  last_updated_at: '2026-11-01T00:00:00Z',
  last_sync: { job_run_id: 77, status: 'FINISHED', finished_at: '2026-11-03T12:00:00Z' },
};

function stubClipboard() {
  const writeText = vi.fn(() => Promise.resolve());
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return writeText;
}

describe('push integrations', () => {
  beforeEach(() => {
    setToken('tok-admin');
    installFakeWebSocket();
  });

  it('creates one and shows its token once, with a copy button', async () => {
    const user = userEvent.setup();
    const writeText = stubClipboard();
    let integrations: Integration[] = [];
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': () => ({ body: { items: integrations, total: integrations.length } }),
      'POST /api/v1/integrations': () => {
        integrations = [PUSH];
        return {
          status: 201,
          body: { ...PUSH, last_sync: null, push_token: { token: TOKEN, prefix: 'pulse_push_S3cr3t', created_at: '2026-11-01T00:00:00Z' } },
        };
      },
      'GET /api/v1/integrations/9/push-token': {
        body: { prefix: 'pulse_push_S3cr3t', created_at: '2026-11-01T00:00:00Z', last_used_at: null },
      },
      'GET /api/v1/jobs': { body: { items: [], total: 0 } },
      'GET /api/v1/jobs/77': { body: {} },
    });
    renderApp('/etl');

    await user.click(await screen.findByRole('button', { name: 'New push integration' }));
    const form = screen.getByRole('form', { name: 'New push integration' });
    await user.click(within(form).getByRole('button', { name: 'Create and show token' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Enter a name.');
    await user.type(within(form).getByLabelText('Name'), 'Jenkins');
    await user.click(within(form).getByRole('button', { name: 'Create and show token' }));

    const shown = await screen.findByTestId('push-token-value');
    expect(shown).toHaveValue(TOKEN);
    const create = calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/integrations')!;
    expect(create.body).toEqual({ type: 'push', name: 'Jenkins' });
    expect(screen.getByDisplayValue('http://127.0.0.1:8000/api/v1/push/9')).toBeInTheDocument();
    expect(screen.getByText(/shown only this once/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Copy token' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(TOKEN));
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByTestId('push-token-value')).not.toBeInTheDocument());
    // Once closed, the token is nowhere on the page: the detail shows its prefix only.
    expect(await screen.findByText('pulse_push_S3cr3t…')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(TOKEN);
  });

  it('shows a push integration without sync or edit, and rotates its token after a confirmation', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': { body: { items: [PUSH], total: 1 } },
      'GET /api/v1/integrations/9/push-token': {
        body: { prefix: 'pulse_push_S3cr3t', created_at: '2026-11-01T00:00:00Z', last_used_at: '2026-11-03T12:00:00Z' },
      },
      'POST /api/v1/integrations/9/push-token': {
        status: 201,
        body: { token: ROTATED, prefix: 'pulse_push_N3wN3w', created_at: '2026-11-04T00:00:00Z' },
      },
      'GET /api/v1/jobs': { body: { items: [], total: 0 } },
      'GET /api/v1/jobs/77': { body: {} },
    });
    renderApp('/etl');

    expect(await screen.findByRole('heading', { name: /Jenkins/ })).toBeInTheDocument();
    expect(screen.getByText('Push (any CI/CD)')).toBeInTheDocument();
    expect(await screen.findByText('pulse_push_S3cr3t…')).toBeInTheDocument();
    expect(screen.getByText('http://127.0.0.1:8000/api/v1/push/9')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Rotate token' }));
    expect(screen.getByText(/stops working at once/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST' && c.url.pathname.endsWith('/push-token'))).toBe(false);
    const confirm = screen.getByRole('dialog', { name: 'Rotate the push token?' });
    await user.click(within(confirm).getByRole('button', { name: 'Rotate token' }));
    expect(await screen.findByTestId('push-token-value')).toHaveValue(ROTATED);
    expect(calls.filter((c) => c.method === 'POST' && c.url.pathname === '/api/v1/integrations/9/push-token')).toHaveLength(1);
  });

  it('offers neither creation nor rotation to a user who may only read integrations', async () => {
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse(makeUser({ role: 'user', is_admin: false }), userPermissions) },
      'GET /api/v1/integrations': { body: { items: [PUSH], total: 1 } },
      'GET /api/v1/integrations/9/push-token': {
        body: { prefix: 'pulse_push_S3cr3t', created_at: '2026-11-01T00:00:00Z', last_used_at: null },
      },
      'GET /api/v1/jobs': { body: { items: [], total: 0 } },
      'GET /api/v1/jobs/77': { body: {} },
    });
    renderApp('/etl');
    expect(await screen.findByText('pulse_push_S3cr3t…')).toBeInTheDocument();
    expect(screen.getByText('Never')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Rotate token' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New push integration' })).not.toBeInTheDocument();
  });
});
