import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { mappingProblem } from '@/features/etl/components/service-mappings-editor';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

function routes() {
  return {
    'GET /api/v1/auth/me': { body: meResponse() },
    'GET /api/v1/integrations': { body: { items: [], total: 0 } },
    'GET /api/v1/repositories': {
      body: { items: [{ id: 11, full_name: 'acme/api' }, { id: 12, full_name: 'acme/web' }], total: 2 },
    },
    'GET /api/v1/settings/teams': { body: { items: [{ id: 5, name: 'Payments' }], total: 1 } },
    'POST /api/v1/integrations/test': { body: { ok: true, message: 'Connected to PagerDuty: 3 services visible' } },
    'POST /api/v1/integrations': (request: { body: unknown }) => ({
      status: 201,
      body: { id: 9, ...(request.body as object), credentials: undefined, active: true, has_credentials: true, last_sync: null },
    }),
  };
}

describe('incident-tool integration form', () => {
  it('maps PagerDuty services to repositories and teams, tests the connection, then creates it', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch(routes());
    renderApp('/etl');
    await user.click(await screen.findByRole('button', { name: 'New integration' }));
    const dialog = screen.getByRole('dialog', { name: 'New integration' });
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'pagerduty');
    expect(within(dialog).getByLabelText('Base URL')).toHaveValue('https://api.pagerduty.com');
    expect(within(dialog).queryByLabelText('Projects')).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Name'), 'PagerDuty');
    await user.type(within(dialog).getByLabelText('API token'), 'u+pd-secret');
    await user.click(within(dialog).getByRole('button', { name: 'Add service mapping' }));
    const first = within(dialog).getByRole('group', { name: 'Service mapping 1' });
    await user.type(within(first).getByLabelText('Service id or name'), ' PAPI ');
    await user.click(within(dialog).getByRole('button', { name: 'Create integration' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Service mapping 1: choose at least one repository or team.',
    );
    await within(first).findByRole('option', { name: 'acme/web' });
    await user.selectOptions(within(first).getByLabelText('Repositories'), ['acme/api', 'acme/web']);
    await user.click(within(dialog).getByRole('button', { name: 'Add service mapping' }));
    const second = within(dialog).getByRole('group', { name: 'Service mapping 2' });
    await user.type(within(second).getByLabelText('Service id or name'), 'Checkout');
    await within(second).findByRole('option', { name: 'Payments' });
    await user.selectOptions(within(second).getByLabelText('Teams'), 'Payments');
    await user.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByTestId('test-connection-result')).toHaveTextContent(
      'Connection works: Connected to PagerDuty: 3 services visible',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create integration' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    const [tested, created] = calls.filter((c) => c.method === 'POST');
    const expected = {
      type: 'pagerduty',
      name: 'PagerDuty',
      base_url: 'https://api.pagerduty.com',
      credentials: { token: 'u+pd-secret' },
      settings: {
        service_mappings: [
          { service: 'PAPI', repository_ids: [11, 12], team_ids: [] },
          { service: 'Checkout', repository_ids: [], team_ids: [5] },
        ],
        schedule: null,
        sync_since: null,
      },
    };
    expect(tested.body).toEqual(expected);
    expect(created.body).toEqual(expected);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.body.textContent).not.toContain('u+pd-secret');
  });

  it('sends an Opsgenie API key and the EU base URL as typed', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch(routes());
    renderApp('/etl');
    await user.click(await screen.findByRole('button', { name: 'New integration' }));
    const dialog = screen.getByRole('dialog', { name: 'New integration' });
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'opsgenie');
    const baseUrl = within(dialog).getByLabelText('Base URL');
    expect(baseUrl).toHaveValue('https://api.opsgenie.com');
    await user.clear(baseUrl);
    await user.type(baseUrl, 'https://api.eu.opsgenie.com');
    await user.type(within(dialog).getByLabelText('Name'), 'Opsgenie');
    await user.type(within(dialog).getByLabelText('API key'), 'og-key');
    await user.click(within(dialog).getByRole('button', { name: 'Create integration' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      type: 'opsgenie',
      base_url: 'https://api.eu.opsgenie.com',
      credentials: { api_key: 'og-key' },
      settings: { service_mappings: [] },
    });
  });

  it('names the first problem of a mapping list', () => {
    expect(mappingProblem([])).toBeNull();
    expect(mappingProblem([{ service: ' ', repository_ids: [1] }])).toMatch(/enter the service/);
    expect(
      mappingProblem([
        { service: 'A', team_ids: [1] },
        { service: 'a', repository_ids: [2] },
      ]),
    ).toBe('Service mapping 2: "a" is mapped twice.');
  });
});
