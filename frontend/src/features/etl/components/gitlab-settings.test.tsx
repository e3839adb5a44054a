import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

describe('GitLab integration form', () => {
  it('asks for a group or project, tests the connection, then creates a GitLab integration', async () => {
    const user = userEvent.setup();
    setToken('tok');
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/integrations': { body: { items: [], total: 0 } },
      'POST /api/v1/integrations/test': { body: { ok: true, message: 'Connected to GitLab as deploy-bot' } },
      'POST /api/v1/integrations': (request) => ({
        status: 201,
        body: { id: 9, ...(request.body as object), credentials: undefined, active: true, has_credentials: true, last_sync: null },
      }),
    });
    renderApp('/etl');
    await user.click(await screen.findByRole('button', { name: 'New integration' }));
    const dialog = screen.getByRole('dialog', { name: 'New integration' });
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'gitlab');
    expect(within(dialog).getByLabelText('Base URL')).toHaveValue('https://gitlab.com');
    // GitLab has its own scope fields instead of the repository list.
    expect(within(dialog).queryByLabelText('Repositories')).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Name'), 'GitLab');
    await user.type(within(dialog).getByLabelText('Access token'), 'glpat-secret');
    await user.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Enter a group or a project.');
    await user.type(within(dialog).getByLabelText('Groups'), 'acme, acme/platform');
    await user.type(within(dialog).getByLabelText('Projects'), 'other/tools/cli');
    expect(within(dialog).getByLabelText('Deployments come from')).toHaveValue('deployment');
    await user.selectOptions(within(dialog).getByLabelText('Deployments come from'), 'pipeline');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Fetch merge request sizes' }));
    await user.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByTestId('test-connection-result')).toHaveTextContent(
      'Connection works: Connected to GitLab as deploy-bot',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create integration' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    const [tested, created] = calls.filter((c) => c.method === 'POST');
    const expected = {
      type: 'gitlab',
      name: 'GitLab',
      base_url: 'https://gitlab.com',
      credentials: { token: 'glpat-secret' },
      settings: {
        groups: ['acme', 'acme/platform'],
        projects: ['other/tools/cli'],
        deployment_source: 'pipeline',
        merge_request_details: true,
        schedule: null,
        sync_since: null,
      },
    };
    expect(tested.body).toEqual(expected);
    expect(created.body).toEqual(expected);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.body.textContent).not.toContain('glpat-secret');
  });
});
