import { clearToken, getToken, setToken } from '@/lib/token-storage';

describe('token storage', () => {
  it('stores the token in localStorage and a SameSite=Strict cookie, and clears both', () => {
    setToken('abc.def.ghi');
    expect(window.localStorage.getItem('pulse_token')).toBe('abc.def.ghi');
    expect(document.cookie).toContain('pulse_token=abc.def.ghi');
    expect(getToken()).toBe('abc.def.ghi');

    clearToken();
    expect(window.localStorage.getItem('pulse_token')).toBeNull();
    expect(document.cookie).not.toContain('pulse_token=abc');
    expect(getToken()).toBeNull();
  });

  it('falls back to the cookie when localStorage is empty', () => {
    document.cookie = 'pulse_token=from-cookie; Path=/';
    expect(getToken()).toBe('from-cookie');
  });
});
