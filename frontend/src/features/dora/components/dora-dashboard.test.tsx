import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const CURRENT = {
  period: { from: '2026-03-01', to: '2026-03-31' },
  deployment_frequency: { deployments: 12, deployment_days: 9, per_week: 2.8, level: 'high' },
  lead_time_for_changes: { median_hours: 20.5, p75_hours: 30, changes: 40, level: 'high' },
  change_failure_rate: { rate: 0.125, failed_deployments: 1, deployments: 8, level: 'elite' },
  failed_deployment_recovery_time: { median_hours: 3, incidents: 1, level: 'high' },
};
const PREVIOUS = {
  ...CURRENT,
  deployment_frequency: { ...CURRENT.deployment_frequency, per_week: 1.4 },
  lead_time_for_changes: { ...CURRENT.lead_time_for_changes, median_hours: 41 },
};

describe('DORA dashboard', () => {
  it('shows the four keys from the URL filters, compares with the previous period and opens a drill-down', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora': (request) => ({
        body: request.url.searchParams.get('from') === '2026-03-01' ? CURRENT : PREVIOUS,
      }),
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [] } },
      'GET /api/v1/metrics/dora/changes': { body: { items: [], total: 0 } },
      'GET /api/v1/settings/teams': { body: { items: [{ id: 7, name: 'Platform' }], total: 1 } },
      'GET /api/v1/repositories': { body: { items: [], total: 0 } },
    });
    renderApp('/?from=2026-03-01&to=2026-03-31&team_id=7');

    expect(await screen.findByTestId('kpi-deployment-frequency')).toHaveTextContent('2.8');
    expect(screen.getByTestId('kpi-lead-time')).toHaveAttribute('data-value', '20.5');
    expect(screen.getByTestId('kpi-change-failure-rate')).toHaveTextContent('12.5%');
    expect(screen.getByTestId('kpi-recovery-time')).toHaveTextContent('3');
    expect(screen.getByTestId('kpi-deployment-frequency-change')).toHaveTextContent('▲ 100% vs previous period');
    expect(screen.getByTestId('kpi-lead-time-change')).toHaveClass('delta--better');
    expect(screen.getAllByLabelText('Performance level: High')).toHaveLength(3);

    const current = calls.find((c) => c.url.pathname === '/api/v1/metrics/dora' && c.url.searchParams.get('from') === '2026-03-01');
    expect(current?.url.searchParams.get('team_id')).toBe('7');
    const previous = calls.find((c) => c.url.pathname === '/api/v1/metrics/dora' && c.url.searchParams.get('to') === '2026-02-28');
    expect(previous?.url.searchParams.get('from')).toBe('2026-01-29');
    await waitFor(() => expect(screen.getByLabelText('Team')).toHaveValue('7'));

    await user.click(screen.getByRole('button', { name: /Lead time for changes/ }));
    expect(await screen.findByRole('heading', { name: 'Changes and their lead time by stage' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('metric=lead-time');
  });

  it('filters by environment: the choices come from the deployments, the choice is kept in the URL', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora': { body: CURRENT },
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [] } },
      'GET /api/v1/settings/teams': { body: { items: [], total: 0 } },
      'GET /api/v1/repositories': { body: { items: [], total: 0 } },
      'GET /api/v1/deployments': {
        body: {
          items: [
            { id: 1, environment: 'staging' },
            { id: 2, environment: 'production' },
            { id: 3, environment: 'Staging' },
          ],
          total: 3,
        },
      },
    });
    renderApp('/?from=2026-03-01&to=2026-03-31&environment=qa');
    const select = await screen.findByLabelText('Environment');
    await within(select).findByRole('option', { name: 'staging' });
    expect(within(select).getAllByRole('option').map((option) => option.textContent)).toEqual([
      'Production (rules)',
      'production',
      'staging',
      'qa',
    ]);
    expect(select).toHaveValue('qa');
    const deployments = calls.find((c) => c.url.pathname === '/api/v1/deployments');
    expect(deployments?.url.searchParams.get('limit')).toBe('500');

    await user.selectOptions(select, 'staging');
    expect(screen.getByTestId('location')).toHaveTextContent('environment=staging');
    await waitFor(() =>
      expect(
        calls.some((c) => c.url.pathname === '/api/v1/metrics/dora' && c.url.searchParams.get('environment') === 'staging'),
      ).toBe(true),
    );

    await user.selectOptions(select, 'Production (rules)');
    expect(screen.getByTestId('location')).not.toHaveTextContent('environment=');
    expect(select).toHaveValue('');
  });
});
