import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { Integration, Job } from '@/features/etl/types/etl';
import { backoffDelay } from '@/features/etl/hooks/use-job-events';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { installFakeWebSocket } from '@/testing/fake-websocket';
import { makeUser, meResponse, userPermissions } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const INTEGRATION: Integration = {
  id: 3,
  type: 'github',
  name: 'GitHub Acme',
  base_url: 'https://api.github.com',
  settings: { repositories: ['acme/api'], schedule: { interval_minutes: 30 } },
  active: true,
  has_credentials: true,
  created_at: '2026-03-01T00:00:00Z',
  last_updated_at: '2026-03-01T00:00:00Z',
  last_sync: null,
};

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 41,
    integration_id: 3,
    status: 'PENDING',
    step: null,
    percent: 0,
    counts: {},
    attempt: 1,
    error: null,
    created_at: '2026-03-02T10:00:00Z',
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

const operatorPermissions = [...userPermissions, { resource: 'etl_jobs', action: 'execute' }];

function routes(permissions = operatorPermissions) {
  return {
    'GET /api/v1/auth/me': { body: meResponse(makeUser({ role: 'user', is_admin: false }), permissions) },
    'GET /api/v1/integrations': { body: { items: [INTEGRATION], total: 1 } },
    'GET /api/v1/jobs': { body: { items: [], total: 0 } },
    'GET /api/v1/jobs/41': { body: job() },
    'POST /api/v1/integrations/3/sync': { body: { job_run_id: 41 } },
  };
}

describe('ETL page', () => {
  beforeEach(() => setToken('tok-etl'));

  it('starts a sync and follows its progress and log over the WebSocket', async () => {
    const user = userEvent.setup();
    const sockets = installFakeWebSocket();
    const { calls } = installFakeFetch(routes());
    renderApp('/etl');

    expect(await screen.findByRole('heading', { name: /GitHub Acme/ })).toBeInTheDocument();
    expect(screen.getByTestId('integration-schedule')).toHaveTextContent('Every 30 minutes');
    expect(screen.queryByRole('button', { name: 'New integration' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(sockets.instances).toHaveLength(1));
    expect(calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/v1/integrations/3/sync')).toBe(true);
    const socket = sockets.instances[0];
    expect(socket.url).toBe('ws://127.0.0.1:8000/api/v1/jobs/41/events?token=tok-etl');

    act(() => {
      socket.open();
      socket.receive({ type: 'state', job: job({ status: 'RUNNING', step: 'pull_requests', percent: 42 }) });
      socket.receive({ type: 'log', level: 'INFO', message: 'Fetched 100 pull requests', at: '2026-03-02T10:00:05Z' });
      socket.receive({ type: 'ping' });
    });
    const bar = await screen.findByTestId('job-progress');
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '42'));
    expect(screen.getByText(/Fetched 100 pull requests/)).toBeInTheDocument();
    expect(socket.sent).toContain(JSON.stringify({ type: 'pong' }));
    expect(within(screen.getByTestId('job-panel')).getByRole('button', { name: 'Pause' })).toBeInTheDocument();

    act(() => socket.receive({ type: 'state', job: job({ status: 'FINISHED', percent: 100 }) }));
    await waitFor(() => expect(screen.getByTestId('job-progress')).toHaveAttribute('aria-valuenow', '100'));
    expect(within(screen.getByTestId('job-panel')).queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
  });

  it('reconnects with backoff and polls the job while the stream is down', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const sockets = installFakeWebSocket();
    const { calls } = installFakeFetch(routes());
    renderApp('/etl?integration=3&job=41');
    await waitFor(() => expect(sockets.instances).toHaveLength(1));
    act(() => sockets.instances[0].drop());
    expect(await screen.findByText('Polling for updates')).toBeInTheDocument();
    const before = calls.filter((c) => c.url.pathname === '/api/v1/jobs/41').length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    await waitFor(() => expect(sockets.instances).toHaveLength(2));
    expect(calls.filter((c) => c.url.pathname === '/api/v1/jobs/41').length).toBeGreaterThan(before);
    act(() => sockets.instances[1].open());
    expect(await screen.findByText('Live')).toBeInTheDocument();
    vi.useRealTimers();
  });

  it('offers nothing but reading to a user who may only read', async () => {
    installFakeWebSocket();
    installFakeFetch(routes(userPermissions));
    renderApp('/etl');
    expect(await screen.findByRole('heading', { name: /GitHub Acme/ })).toBeInTheDocument();
    expect(screen.getByText(/read-only access/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deactivate' })).not.toBeInTheDocument();
  });

  it('backs off 1, 2, 4 … seconds up to 30', () => {
    expect([1, 2, 3, 4, 10].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 30000]);
  });
});
