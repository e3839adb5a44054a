import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { setToken } from '@/lib/token-storage';
import { errorResponse, installFakeFetch } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

describe('change own password', () => {
  beforeEach(() => setToken('tok'));

  it("shows the server's 422 on its field, then says the other sessions were signed out", async () => {
    const user = userEvent.setup();
    const answers = [
      errorResponse(422, 'invalid_input', 'current password is wrong'),
      errorResponse(422, 'invalid_input', 'password must be at least 12 characters'),
      { body: { ok: true, sessions_ended: 2 } },
    ];
    const fields = ['current_password', 'password'];
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'POST /api/v1/auth/change-password': async () => {
        const field = fields.shift();
        const answer = answers.shift()!;
        if (!(answer instanceof Response) || !field) return answer;
        const body = (await answer.json()) as { error: Record<string, string> };
        return { status: 422, body: { error: { ...body.error, field } } };
      },
    });
    renderApp('/settings');
    await user.click(await screen.findByRole('button', { name: 'Change password' }));
    const dialog = screen.getByRole('dialog', { name: 'Change password' });
    await user.type(within(dialog).getByLabelText('Current password'), 'wrong-one');
    await user.type(within(dialog).getByLabelText('New password'), 'short');
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));

    const current = within(dialog).getByLabelText('Current password');
    await waitFor(() => expect(current).toHaveAccessibleDescription('Current password is wrong.'));
    expect(current).toHaveAttribute('aria-invalid', 'true');
    const request = calls.find((c) => c.method === 'POST')!;
    expect(request.url.origin).toBe('http://127.0.0.1:3001');
    expect(request.headers.get('Authorization')).toBe('Bearer tok');
    expect(request.body).toEqual({ current_password: 'wrong-one', new_password: 'short' });

    await user.clear(current);
    await user.type(current, 'right-one');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    const next = within(dialog).getByLabelText('New password');
    await waitFor(() => expect(next).toHaveAccessibleDescription(/Password must be at least 12 characters\./));
    expect(current).not.toHaveAttribute('aria-invalid');

    for (const label of ['New password', 'Confirm new password']) {
      await user.clear(within(dialog).getByLabelText(label));
      await user.type(within(dialog).getByLabelText(label), 'a-much-longer-secret');
    }
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    const notice = (await screen.findByText('Password changed')).closest('[role="status"]');
    expect(notice).toHaveTextContent('Your 2 other sessions were signed out; this one stays signed in.');
    expect(screen.queryByRole('dialog', { name: 'Change password' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      current_password: 'right-one',
      new_password: 'a-much-longer-secret',
    });
  });

  it('asks for the new password twice and sends nothing when they differ', async () => {
    const user = userEvent.setup();
    const { calls } = installFakeFetch({ 'GET /api/v1/auth/me': { body: meResponse() } });
    renderApp('/settings');
    await user.click(await screen.findByRole('button', { name: 'Change password' }));
    const dialog = screen.getByRole('dialog', { name: 'Change password' });
    await user.type(within(dialog).getByLabelText('Current password'), 'old-secret');
    await user.type(within(dialog).getByLabelText('New password'), 'new-secret-1');
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'new-secret-2');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(within(dialog).getByLabelText('Confirm new password')).toHaveAccessibleDescription('The two new passwords differ.');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
