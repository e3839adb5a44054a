import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { installFakeFetch } from '@/testing/fake-fetch';
import { makeUser, meResponse, userPermissions } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const STEPS = [
  { id: 1, name: 'In Progress', category: 'active', position: 1, active: true },
  { id: 2, name: 'Review', category: 'waiting', position: 2, active: true },
  { id: 3, name: 'Old step', category: 'active', position: 3, active: false },
];

describe('settings', () => {
  beforeEach(() => setToken('tok'));

  it('deactivates a flow step, reassigning its mappings to another step', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/flow-steps': { body: { items: STEPS, total: 3 } },
      'POST /api/v1/settings/flow-steps/1/deactivate': { body: { ...STEPS[0], active: false } },
    });
    renderApp('/settings');
    expect(await screen.findByText('In Progress')).toBeInTheDocument();
    expect(screen.queryByText('Old step')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Deactivate flow step In Progress' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate In Progress?' });
    await user.click(within(dialog).getByRole('radio', { name: /Reassign/ }));
    expect(within(dialog).getByLabelText('Reassign to')).toHaveValue('2');
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => {
      const call = calls.find((c) => c.method === 'POST');
      expect(call?.url.pathname).toBe('/api/v1/settings/flow-steps/1/deactivate');
      expect(call?.body).toEqual({ strategy: 'reassign', reassign_to_id: 2 });
    });
  });

  it('creates a team with list fields', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/teams': { body: { items: [], total: 0 } },
      'POST /api/v1/settings/teams': { status: 201, body: { id: 5, name: 'Platform' } },
    });
    renderApp('/settings/teams');
    await user.click(await screen.findByRole('button', { name: 'New team' }));
    const dialog = screen.getByRole('dialog', { name: 'New team' });
    await user.type(within(dialog).getByLabelText('Name'), 'Platform');
    await user.type(within(dialog).getByLabelText('Repositories'), 'acme/api{Enter}acme/web');
    await user.click(within(dialog).getByRole('button', { name: 'Create team' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        name: 'Platform',
        repositories: ['acme/api', 'acme/web'],
        projects: [],
      }),
    );
  });

  it('offers only reading without settings:admin', async () => {
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse(makeUser({ role: 'user' }), userPermissions) },
      'GET /api/v1/settings/flow-steps': { body: { items: STEPS, total: 3 } },
    });
    renderApp('/settings/flow-steps');
    expect(await screen.findByText('In Progress')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /New flow step/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Deactivate/ })).not.toBeInTheDocument();
  });
});
