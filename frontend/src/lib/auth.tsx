import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { ApiError, backendApi, setApiInterceptors } from '@/lib/api-client';
import { clearToken, getToken, setToken, TOKEN_KEY } from '@/lib/token-storage';
import type { LoginResponse, Permission, User } from '@/types/api';

/** Why the login page is shown, when it is not a plain visit. */
export type LoginNotice = 'session-ended' | 'signed-out';

export type LoginLocationState = { notice?: LoginNotice; from?: string };

type AuthStatus = 'loading' | 'authenticated' | 'anonymous' | 'error';

type AuthState = {
  status: AuthStatus;
  user: User | null;
  permissions: Permission[];
  sessionId: string | null;
  error: ApiError | null;
  /** Why the user is anonymous now, for the login page. */
  notice: LoginNotice | null;
};

export type AuthContextValue = AuthState & {
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Called on a 401 from either service: forget the token and show login with a notice. */
  expireSession: () => void;
  retry: () => void;
};

type MeResponse = Partial<User> & {
  user?: User;
  permissions?: Array<Permission | string>;
  session_id?: string | number;
};

/** Accepts `{resource, action}` objects or `"resource:action"` strings. */
export function normalisePermissions(raw: Array<Permission | string> | undefined | null): Permission[] {
  if (!raw) return [];
  return raw.map((item) => {
    if (typeof item === 'string') {
      const [resource, action = ''] = item.split(':');
      return { resource, action };
    }
    return { resource: item.resource, action: item.action };
  });
}

/** `GET /auth/me` may answer `{user, permissions}` or the user's fields with `permissions` beside them. */
export function normaliseMe(data: MeResponse): { user: User; permissions: Permission[]; sessionId: string | null } {
  const { permissions, session_id, user: nested, ...rest } = data;
  const user = (nested ?? rest) as User;
  return {
    user,
    permissions: normalisePermissions(permissions),
    sessionId: session_id !== undefined && session_id !== null ? String(session_id) : null,
  };
}

/** POST /auth/login. Its 401 and 429 are shown on the form, so no global redirect. */
export function loginWithEmailAndPassword(email: string, password: string): Promise<LoginResponse> {
  return backendApi.post<LoginResponse>('/auth/login', { email, password }, { token: null, skipInterceptors: true });
}

/** GET /auth/me: validates the stored token and returns the user and effective permissions. */
export function getMe(signal?: AbortSignal): Promise<MeResponse> {
  return backendApi.get<MeResponse>('/auth/me', { signal, skipInterceptors: true });
}

/** POST /auth/logout with the token read before anything is cleared. */
export function invalidateSession(token: string): Promise<unknown> {
  return backendApi.post('/auth/logout', undefined, { token, skipInterceptors: true });
}

/**
 * Logout in the spec's order: read the token, ask the Backend to invalidate it, then clear storage.
 * A failed Backend call still clears the browser: the user asked to leave.
 */
export async function logoutSequence(): Promise<void> {
  const token = getToken();
  if (token) {
    try {
      await invalidateSession(token);
    } catch {
      // The session may already be gone (401) or the Backend down; the browser forgets the token anyway.
    }
  }
  clearToken();
}

const AuthContext = createContext<AuthContextValue | null>(null);

const ANONYMOUS: AuthState = {
  status: 'anonymous',
  user: null,
  permissions: [],
  sessionId: null,
  error: null,
  notice: null,
};

/** Holds the signed-in user; validates a stored token on load; installs the 401 interceptor. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();

  const [state, setState] = useState<AuthState>(() =>
    getToken() ? { ...ANONYMOUS, status: 'loading' } : ANONYMOUS,
  );
  const [attempt, setAttempt] = useState(0);

  // The protected layout redirects anonymous users to login, carrying `notice` (see app/router.tsx).
  const expireSession = useCallback(() => {
    clearToken();
    setState({ ...ANONYMOUS, notice: 'session-ended' });
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => setApiInterceptors({ onUnauthorized: expireSession }), [expireSession]);

  // Signing out in another tab removes the token from localStorage; this tab follows.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== TOKEN_KEY || event.newValue) return;
      setState((previous) => (previous.status === 'authenticated' ? { ...ANONYMOUS, notice: 'signed-out' } : previous));
      queryClient.clear();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [queryClient]);

  useEffect(() => {
    if (!getToken()) return;
    const controller = new AbortController();
    getMe(controller.signal)
      .then((data) => {
        const me = normaliseMe(data);
        setState({ status: 'authenticated', error: null, notice: null, ...me });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          expireSession();
        } else {
          setState({
            ...ANONYMOUS,
            status: 'error',
            error: error instanceof ApiError ? error : null,
          });
        }
      });
    return () => controller.abort();
    // expireSession is stable for a mounted provider; `attempt` re-runs validation on retry.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);

  const login = useCallback(
    async (email: string, password: string) => {
      const answer = await loginWithEmailAndPassword(email, password);
      setToken(answer.token, answer.expires_at);
      queryClient.clear();
      setState({
        status: 'authenticated',
        user: answer.user,
        permissions: normalisePermissions(answer.permissions),
        sessionId: String(answer.session_id),
        error: null,
        notice: null,
      });
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    await logoutSequence();
    setState({ ...ANONYMOUS, notice: 'signed-out' });
    queryClient.clear();
  }, [queryClient]);

  const retry = useCallback(() => {
    setState((previous) => ({ ...previous, status: 'loading', error: null }));
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({ ...state, login, logout, expireSession, retry }),
    [state, login, logout, expireSession, retry],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The auth context; throws outside `AuthProvider`. */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

/** Display name of a user: first and last name, else the email. */
export function displayName(user: Pick<User, 'first_name' | 'last_name' | 'email'> | null): string {
  if (!user) return '';
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim();
  return name || user.email;
}
