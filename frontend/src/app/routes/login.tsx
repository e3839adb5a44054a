import { Navigate, useLocation, useNavigate } from 'react-router-dom';

import { Spinner } from '@/components/ui/spinner';
import { paths } from '@/config/paths';
import { LoginForm } from '@/features/auth/components/login-form';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { useAuth, type LoginLocationState } from '@/lib/auth';

const NOTICES = {
  'session-ended': 'Your session ended. Please sign in again.',
  'signed-out': 'You have been signed out.',
} as const;

/** The login page, with the "session ended" notice after a 401. */
export function LoginRoute() {
  useDocumentTitle('Sign in');
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginLocationState;
  const target = state.from && state.from !== paths.login ? state.from : paths.dora;

  if (auth.status === 'loading') return <Spinner label="Checking your session…" />;
  if (auth.status === 'authenticated') return <Navigate to={target} replace />;

  return (
    <main className="login-page">
      <section className="login-card" aria-labelledby="login-title">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">◆</span> Pulse
        </div>
        <h1 id="login-title">Sign in to Pulse</h1>
        {state.notice ? (
          <p className={`notice notice--${state.notice}`} role="status" data-testid="login-notice">
            {NOTICES[state.notice]}
          </p>
        ) : null}
        <LoginForm onSuccess={() => navigate(target, { replace: true })} />
      </section>
    </main>
  );
}
