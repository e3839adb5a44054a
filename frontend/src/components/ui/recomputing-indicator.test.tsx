import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const AS_OF = '2026-03-31T10:00:00Z';

function dora(perWeek: number, pending: boolean) {
  return {
    period: { from: '2026-03-01', to: '2026-03-31' },
    deployment_frequency: { deployments: 12, deployment_days: 9, per_week: perWeek, level: 'high' },
    lead_time_for_changes: { median_hours: 20.5, p75_hours: 30, changes: 40, level: 'high' },
    change_failure_rate: { rate: 0.125, failed_deployments: 1, deployments: 8, level: 'elite' },
    failed_deployment_recovery_time: { median_hours: 3, incidents: 1, level: 'high' },
    freshness: { as_of: AS_OF, pending },
  };
}

describe('recomputing indicator', () => {
  beforeEach(() => setToken('tok'));

  it('shows "Recomputing…" on the dashboard while the facts are pending, polls, then loads the new figures', async () => {
    let asked = 0;
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      // Pending on the first answer, done on the next poll.
      'GET /api/v1/metrics/freshness': () => {
        asked += 1;
        return { body: { as_of: AS_OF, pending: asked < 2 } };
      },
      'GET /api/v1/metrics/dora': () => ({ body: asked < 2 ? dora(2.8, true) : dora(5.6, false) }),
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [], freshness: { as_of: AS_OF, pending: false } } },
      'GET /api/v1/settings/teams': { body: { items: [], total: 0 } },
      'GET /api/v1/repositories': { body: { items: [], total: 0 } },
    });
    renderApp('/?from=2026-03-01&to=2026-03-31');

    expect(await screen.findByTestId('recomputing')).toHaveTextContent('Recomputing…');
    expect(await screen.findByTestId('kpi-deployment-frequency')).toHaveTextContent('2.8');
    await waitFor(() => expect(screen.queryByTestId('recomputing')).not.toBeInTheDocument(), { timeout: 15000 });
    expect(asked).toBe(2);
    // The rebuild is done: the metrics queries were invalidated and show the rebuilt figures.
    await waitFor(() => expect(screen.getByTestId('kpi-deployment-frequency')).toHaveTextContent('5.6'), { timeout: 10000 });
    const doraCalls = calls.filter((c) => c.url.pathname === '/api/v1/metrics/dora' && c.url.searchParams.get('from') === '2026-03-01');
    expect(doraCalls).toHaveLength(2);
  });

  it('appears in settings after a write, which queued a rebuild', async () => {
    const user = userEvent.setup();
    let written = false;
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/freshness': () => ({ body: { as_of: AS_OF, pending: written } }),
      'GET /api/v1/settings/flow-steps': {
        body: {
          items: [
            { id: 1, name: 'In Progress', category: 'in_progress', position: 1, active: true },
            { id: 2, name: 'Review', category: 'in_progress', position: 2, active: true },
          ],
          total: 2,
        },
      },
      'POST /api/v1/settings/flow-steps/1/deactivate': () => {
        written = true;
        return { body: { id: 1, name: 'In Progress', category: 'in_progress', position: 1, active: false } };
      },
    });
    renderApp('/settings/flow-steps');
    expect(await screen.findByText('In Progress')).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/v1/metrics/freshness')).toHaveLength(1));
    expect(screen.queryByTestId('recomputing')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Deactivate flow step In Progress' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate In Progress?' });
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByTestId('recomputing')).toHaveTextContent('Recomputing…');
    expect(calls.filter((c) => c.url.pathname === '/api/v1/metrics/freshness')).toHaveLength(2);
  });
});
