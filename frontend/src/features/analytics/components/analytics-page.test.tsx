import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { histogram } from '@/features/analytics/components/chart-options';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

describe('engineering analytics', () => {
  it('shows pull request metrics, then Jira flow with the project in the URL', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/pull-requests': {
        body: {
          cycle_time: { coding_hours: 10, pickup_hours: 2, review_hours: 5, deploy_hours: 3, total_hours: 20 },
          throughput: { merged: 34, per_week: 2.6 },
          size: { median_lines: 120, median_files: 4 },
          review: { median_reviews: 1, median_comments: 3, review_cycles: 1.2 },
          rework: { rate: 0.1 },
        },
      },
      'GET /api/v1/metrics/pull-requests/trend': { body: { granularity: 'week', points: [] } },
      'GET /api/v1/metrics/pull-requests/items': { body: { items: [], total: 0 } },
      'GET /api/v1/metrics/flow': {
        body: {
          cycle_time: { median_hours: 50, p75_hours: 80, p90_hours: 120 },
          lead_time: { median_hours: 90 },
          throughput: { items: 17, per_week: 1.3 },
          wip: { items: 6 },
          time_in_step: [{ step: 'In Progress', category: 'active', median_hours: 20 }],
          flow_efficiency: 0.4,
          reopen_rate: 0.05,
        },
      },
      'GET /api/v1/metrics/flow/trend': { body: { granularity: 'week', points: [] } },
      'GET /api/v1/metrics/flow/items': { body: { items: [], total: 0 } },
    });
    renderApp('/analytics?from=2026-01-01&to=2026-03-31');
    expect(await screen.findByTestId('pr-cycle-time')).toHaveTextContent('20 h');
    expect(screen.getByTestId('pr-merged')).toHaveTextContent('34');

    await user.click(screen.getByRole('radio', { name: 'Jira flow' }));
    expect(await screen.findByTestId('flow-wip')).toHaveTextContent('6');
    expect(screen.getByTestId('flow-cycle-time')).toHaveTextContent('2.1 d');
    await user.type(screen.getByLabelText('Jira project'), 'ops{Enter}');
    expect(screen.getByTestId('location')).toHaveTextContent('project=OPS');
    const flowCall = calls.filter((c) => c.url.pathname === '/api/v1/metrics/flow').at(-1)!;
    expect(flowCall.url.searchParams.get('from')).toBe('2026-01-01');
  });

  it('buckets durations into a histogram', () => {
    expect(histogram([1, 30, 30, 100, 1000, null, undefined])).toEqual([1, 2, 0, 1, 0, 0, 1]);
  });
});
