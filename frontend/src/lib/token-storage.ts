/** The session token lives in localStorage (primary) and a cookie (fallback), both named `pulse_token`. */
export const TOKEN_KEY = 'pulse_token';

function cookieAttributes(): string {
  const secure = typeof window !== 'undefined' && window.location.protocol === 'https:' ? '; Secure' : '';
  return `; Path=/; SameSite=Strict${secure}`;
}

function readCookie(): string | null {
  const prefix = `${TOKEN_KEY}=`;
  for (const part of document.cookie.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) {
      const value = decodeURIComponent(trimmed.slice(prefix.length));
      return value || null;
    }
  }
  return null;
}

/** Returns the stored token, or null. */
export function getToken(): string | null {
  try {
    const stored = window.localStorage.getItem(TOKEN_KEY);
    if (stored) return stored;
  } catch {
    // localStorage can be unavailable (privacy mode); the cookie is the fallback.
  }
  return readCookie();
}

/** Stores the token in localStorage and the cookie. */
export function setToken(token: string, expiresAt?: string | null): void {
  try {
    window.localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // ignore: the cookie still holds it
  }
  const expires = expiresAt ? `; Expires=${new Date(expiresAt).toUTCString()}` : '';
  document.cookie = `${TOKEN_KEY}=${encodeURIComponent(token)}${expires}${cookieAttributes()}`;
}

/** Removes the token from localStorage and the cookie. */
export function clearToken(): void {
  try {
    window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // ignore
  }
  document.cookie = `${TOKEN_KEY}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT${cookieAttributes()}`;
}
