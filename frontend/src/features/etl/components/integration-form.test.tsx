import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

describe('integration form', () => {
  it('tests the connection with the same body, then creates the integration', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': { body: { items: [], total: 0 } },
      'POST /api/v1/integrations/test': { body: { ok: true, message: 'Authenticated as octocat' } },
      'POST /api/v1/integrations': (request) => ({
        status: 201,
        body: { id: 8, ...(request.body as object), credentials: undefined, active: true, has_credentials: true, last_sync: null },
      }),
    });
    renderApp('/etl');
    await user.click(await screen.findByRole('button', { name: 'New integration' }));
    const dialog = screen.getByRole('dialog', { name: 'New integration' });
    expect(within(dialog).getByRole('button', { name: 'Test connection' })).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Name'), 'GitHub');
    await user.type(within(dialog).getByLabelText('Access token'), 'ghp_secret');
    await user.type(within(dialog).getByLabelText('Repositories'), 'acme/api, acme/web');
    await user.selectOptions(within(dialog).getByLabelText('Schedule'), 'interval');
    await user.clear(within(dialog).getByLabelText('Interval (minutes)'));
    await user.type(within(dialog).getByLabelText('Interval (minutes)'), '30');
    const sizes = within(dialog).getByRole('checkbox', { name: 'Fetch pull request sizes' });
    expect(sizes).not.toBeChecked(); // off by default: it costs one more API request per pull request
    await user.click(sizes);
    await user.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByTestId('test-connection-result')).toHaveTextContent(
      'Connection works: Authenticated as octocat',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create integration' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    const [tested, created] = calls.filter((c) => c.method === 'POST');
    const expected = {
      type: 'github',
      name: 'GitHub',
      base_url: 'https://api.github.com',
      credentials: { token: 'ghp_secret' },
      settings: {
        repositories: ['acme/api', 'acme/web'],
        pull_request_details: true,
        schedule: { interval_minutes: 30 },
        sync_since: null,
      },
    };
    expect(tested.body).toEqual(expected);
    expect(created.body).toEqual(expected);
    // The token is write-only: nothing on the page shows it after saving.
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.body.textContent).not.toContain('ghp_secret');
  });
});
