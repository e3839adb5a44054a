import { useQuery } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';

import { QueryState } from '@/components/ui/query-state';
import { etlApi } from '@/lib/api-client';
import { getToken, setToken } from '@/lib/token-storage';
import { errorResponse, installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp, renderWithProviders } from '@/testing/test-utils';

function Integrations() {
  const query = useQuery({ queryKey: ['probe'], queryFn: () => etlApi.get<{ total: number }>('/integrations') });
  return <QueryState query={query}>{(data) => <p>total {data.total}</p>}</QueryState>;
}

describe('error handling through the API client', () => {
  it('a 401 from the ETL service sends the user to login with a "session ended" notice', async () => {
    setToken('tok');
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora': errorResponse(401, 'not_authenticated', 'Session revoked'),
      'GET /api/v1/metrics/dora/trend': errorResponse(401, 'not_authenticated', 'Session revoked'),
    });
    renderApp('/?from=2026-01-01');
    expect(await screen.findByTestId('login-notice')).toHaveTextContent('Your session ended. Please sign in again.');
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(getToken()).toBeNull();
  });

  it('a 403 shows the access-denied view', async () => {
    setToken('tok');
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': errorResponse(403, 'forbidden', 'Missing integrations:read'),
    });
    renderWithProviders(<Integrations />);
    expect(await screen.findByRole('heading', { name: 'Access denied' })).toBeInTheDocument();
    expect(getToken()).toBe('tok');
  });

  it('a 5xx shows a generic error with the request id', async () => {
    setToken('tok');
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': errorResponse(500, 'internal_error', 'Traceback: boom', 'req-777'),
    });
    renderWithProviders(<Integrations />);
    expect(await screen.findByRole('heading', { name: 'Something went wrong' })).toBeInTheDocument();
    expect(screen.getByTestId('request-id')).toHaveTextContent('req-777');
    expect(screen.queryByText(/Traceback/)).not.toBeInTheDocument();
  });

  it('a viewer opening /admin sees access denied', async () => {
    setToken('tok');
    installFakeFetch({
      'GET /api/v1/auth/me': {
        body: meResponse(undefined, [{ resource: 'dashboards', action: 'read' }]),
      },
    });
    renderApp('/admin');
    await waitFor(() => expect(screen.getByTestId('access-denied')).toBeInTheDocument());
    expect(screen.getByRole('heading', { name: 'Access denied' })).toBeInTheDocument();
  });
});
