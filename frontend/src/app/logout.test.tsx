import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { logoutSequence } from '@/lib/auth';
import { setToken } from '@/lib/token-storage';
import { installFakeFetch, jsonResponse } from '@/testing/fake-fetch';
import { meResponse } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

/** Records storage reads/removals and the logout request in one timeline. */
function recordTimeline() {
  const events: string[] = [];
  const getItem = Storage.prototype.getItem;
  const removeItem = Storage.prototype.removeItem;
  vi.spyOn(Storage.prototype, 'getItem').mockImplementation(function (this: Storage, key: string) {
    if (key === 'pulse_token') events.push('read-token');
    return getItem.call(this, key);
  });
  vi.spyOn(Storage.prototype, 'removeItem').mockImplementation(function (this: Storage, key: string) {
    if (key === 'pulse_token') events.push('clear-storage');
    return removeItem.call(this, key);
  });
  return events;
}

describe('logout order', () => {
  it('reads the token, calls the Backend with it as bearer, and only then clears storage', async () => {
    setToken('tok-logout');
    const events = recordTimeline();
    let storageAtCall: string | null = 'unset';
    const { calls } = installFakeFetch({
      'POST /api/v1/auth/logout': () => {
        events.push('backend-logout');
        storageAtCall = window.localStorage.getItem('pulse_token');
        return jsonResponse(null, 204);
      },
    });

    await logoutSequence();

    const logoutCall = calls.find((call) => call.url.pathname === '/api/v1/auth/logout');
    expect(logoutCall?.url.origin).toBe('http://127.0.0.1:3001');
    expect(logoutCall?.headers.get('Authorization')).toBe('Bearer tok-logout');
    expect(storageAtCall).toBe('tok-logout');
    const order = events.filter((event, index) => event !== 'read-token' || index === 0);
    expect(order.slice(0, 3)).toEqual(['read-token', 'backend-logout', 'clear-storage']);
    expect(window.localStorage.getItem('pulse_token')).toBeNull();
    expect(document.cookie).not.toContain('tok-logout');
  });

  it('still clears storage when the Backend call fails', async () => {
    setToken('tok-x');
    installFakeFetch({ 'POST /api/v1/auth/logout': jsonResponse({ error: { code: 'x' } }, 503) });
    await logoutSequence();
    expect(window.localStorage.getItem('pulse_token')).toBeNull();
  });

  it('signs out from the header: Backend first, then storage, then the login page', async () => {
    const user = userEvent.setup();
    setToken('tok-ui');
    const events: string[] = [];
    const { calls } = installFakeFetch({
      'GET /api/v1/auth/me': { body: meResponse() },
      'GET /api/v1/metrics/dora': { body: {} },
      'GET /api/v1/metrics/dora/trend': { body: { granularity: 'week', points: [] } },
      'POST /api/v1/auth/logout': (request) => {
        events.push(`logout with ${request.headers.get('Authorization')}; stored=${window.localStorage.getItem('pulse_token')}`);
        return jsonResponse(null, 204);
      },
    });
    renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login'));
    expect(events).toEqual(['logout with Bearer tok-ui; stored=tok-ui']);
    expect(window.localStorage.getItem('pulse_token')).toBeNull();
    expect(screen.getByTestId('login-notice')).toHaveTextContent(/signed out/i);
    expect(calls.filter((call) => call.url.pathname === '/api/v1/auth/logout')).toHaveLength(1);
  });
});
