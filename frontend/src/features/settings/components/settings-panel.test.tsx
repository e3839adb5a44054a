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

  it('creates a team with repositories picked by id and project keys', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/teams': { body: { items: [], total: 0 } },
      'GET /api/v1/repositories': {
        body: {
          items: [
            { id: 11, full_name: 'acme/api' },
            { id: 12, full_name: 'acme/web' },
            { id: 13, full_name: 'acme/ops' },
          ],
          total: 3,
        },
      },
      'POST /api/v1/settings/teams': { status: 201, body: { id: 5, name: 'Platform' } },
    });
    renderApp('/settings/teams');
    await user.click(await screen.findByRole('button', { name: 'New team' }));
    const dialog = screen.getByRole('dialog', { name: 'New team' });
    await user.type(within(dialog).getByLabelText('Name'), 'Platform');
    const repositories = within(dialog).getByLabelText('Repositories');
    await within(repositories).findByRole('option', { name: 'acme/web' });
    await user.selectOptions(repositories, ['acme/api', 'acme/web']);
    await user.type(within(dialog).getByLabelText('Jira projects'), 'PLAT{Enter}OPS');
    const members = within(dialog).getByRole('group', { name: 'Members' });
    await user.click(within(members).getByRole('button', { name: 'Add member' }));
    // The new row's first input takes the focus.
    expect(within(members).getByLabelText('GitHub login, member 1')).toHaveFocus();
    await user.keyboard('octocat');
    await user.type(within(members).getByLabelText('Email, member 1'), ' octo@example.com ');
    await user.click(within(members).getByRole('button', { name: 'Add member' }));
    await user.type(within(members).getByLabelText('Jira account, member 2'), 'jira-42');
    // An empty row is dropped, not sent.
    await user.click(within(members).getByRole('button', { name: 'Add member' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create team' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        name: 'Platform',
        description: '',
        repository_ids: [11, 12],
        project_keys: ['PLAT', 'OPS'],
        members: [{ github_login: 'octocat', email: 'octo@example.com' }, { jira_account: 'jira-42' }],
      }),
    );
  });

  it("lists a team's members and edits them: a row removed, one changed", async () => {
    const user = userEvent.setup();
    const team = {
      id: 5,
      name: 'Platform',
      description: '',
      repository_ids: [],
      project_keys: [],
      members: [
        { github_login: 'octocat', jira_account: null, email: null },
        { github_login: null, jira_account: 'jira-42', email: 'grace@example.com' },
      ],
      active: true,
    };
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/teams': { body: { items: [team], total: 1 } },
      'GET /api/v1/repositories': { body: { items: [], total: 0 } },
      'PATCH /api/v1/settings/teams/5': { body: team },
    });
    renderApp('/settings/teams');
    const table = await screen.findByRole('table', { name: 'Teams' });
    expect(within(table).getByRole('columnheader', { name: 'Members' })).toBeInTheDocument();
    expect(within(table).getByText('octocat, grace@example.com')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit team Platform' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit team' });
    const members = within(dialog).getByRole('group', { name: 'Members' });
    expect(within(members).getByLabelText('GitHub login, member 1')).toHaveValue('octocat');
    expect(within(members).getByLabelText('Email, member 2')).toHaveValue('grace@example.com');
    await user.click(within(members).getByRole('button', { name: 'Remove member 1' }));
    expect(within(members).getByRole('button', { name: 'Add member' })).toHaveFocus();
    const email = within(members).getByLabelText('Email, member 1');
    expect(email).toHaveValue('grace@example.com');
    await user.clear(email);
    await user.type(within(members).getByLabelText('GitHub login, member 1'), 'gracehopper');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        name: 'Platform',
        description: '',
        repository_ids: [],
        project_keys: [],
        members: [{ github_login: 'gracehopper', jira_account: 'jira-42' }],
      }),
    );
  });

  it("fixes a rule's scope at creation and leaves it out of the PATCH", async () => {
    const user = userEvent.setup();
    const rule = { id: 4, scope: 'tenant', integration_id: null, team_id: null, source: 'deployment', environment_pattern: '^prod$', workflow_name_pattern: null, active: true };
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/deployment-rules': { body: { items: [rule], total: 1 } },
      'PATCH /api/v1/settings/deployment-rules/4': { body: { ...rule, environment_pattern: '^live$' } },
    });
    renderApp('/settings/deployment-rules');
    await user.click(await screen.findByRole('button', { name: 'Edit deployment rule organisation rule #4' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit deployment rule' });
    expect(within(dialog).getByLabelText('Applies to')).toBeDisabled();
    const pattern = within(dialog).getByLabelText('Environment pattern');
    await user.clear(pattern);
    await user.type(pattern, '^live$');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        source: 'deployment',
        environment_pattern: '^live$',
        workflow_name_pattern: null,
      }),
    );
  });

  it('switches sections with the tabs', async () => {
    const user = userEvent.setup();
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/settings/flow-steps': { body: { items: STEPS, total: 3 } },
      'GET /api/v1/settings/teams': { body: { items: [], total: 0 } },
    });
    renderApp('/settings');
    expect(await screen.findByText('In Progress')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Flow steps' })).toHaveClass('active');
    await user.click(screen.getByRole('link', { name: 'Teams' }));
    expect(await screen.findByText('No teams yet.')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/settings/teams');
    expect(screen.getByRole('link', { name: 'Teams' })).toHaveClass('active');
  });

  it('offers only reading without settings:admin', async () => {
    installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse(makeUser({ role: 'user' }), [...userPermissions, { resource: 'settings', action: 'read' }]) },
      'GET /api/v1/settings/flow-steps': { body: { items: STEPS, total: 3 } },
    });
    renderApp('/settings/flow-steps');
    expect(await screen.findByText('In Progress')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /New flow step/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Deactivate/ })).not.toBeInTheDocument();
  });
});
