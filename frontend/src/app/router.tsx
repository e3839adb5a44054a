import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';

import { ErrorView } from '@/components/errors/error-view';
import { AppLayout } from '@/components/layout/app-layout';
import { Spinner } from '@/components/ui/spinner';
import { paths } from '@/config/paths';
import { ChangePasswordButton } from '@/features/auth/components/change-password-dialog';
import { useAuth, type LoginLocationState } from '@/lib/auth';
import { RequirePolicy } from '@/lib/authorization';

import { LoginRoute } from '@/app/routes/login';
import { NotFoundRoute } from '@/app/routes/not-found';

const DoraRoute = lazy(() => import('@/app/routes/dora'));
const AnalyticsRoute = lazy(() => import('@/app/routes/analytics'));
const EtlRoute = lazy(() => import('@/app/routes/etl'));
const AdminRoute = lazy(() => import('@/app/routes/admin'));
const SettingsRoute = lazy(() => import('@/app/routes/settings'));

/** Sends anonymous visitors to login (remembering where they were going); waits while the token is checked. */
function RequireAuth({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const location = useLocation();
  if (auth.status === 'loading') return <Spinner label="Checking your session…" />;
  if (auth.status === 'error') {
    return (
      <main className="centered">
        <ErrorView error={auth.error ?? new Error('unreachable')} onRetry={auth.retry} />
      </main>
    );
  }
  if (auth.status === 'anonymous') {
    const state: LoginLocationState = {
      notice: auth.notice ?? undefined,
      from: auth.notice === 'signed-out' ? undefined : location.pathname + location.search,
    };
    return <Navigate to={paths.login} replace state={state} />;
  }
  return <>{children}</>;
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Spinner />}>{children}</Suspense>;
}

/** The route table. Each page is guarded by the policy it needs; no permission → access denied. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path={paths.login} element={<LoginRoute />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout accountActions={<ChangePasswordButton />} />
          </RequireAuth>
        }
      >
        <Route
          index
          element={
            <RequirePolicy policy="dashboards:read">
              <Lazy>
                <DoraRoute />
              </Lazy>
            </RequirePolicy>
          }
        />
        <Route
          path="analytics"
          element={
            <RequirePolicy policy="dashboards:read">
              <Lazy>
                <AnalyticsRoute />
              </Lazy>
            </RequirePolicy>
          }
        />
        <Route
          path="etl/*"
          element={
            <RequirePolicy policy={['integrations:read', 'etl_jobs:read']}>
              <Lazy>
                <EtlRoute />
              </Lazy>
            </RequirePolicy>
          }
        />
        <Route
          path="admin/*"
          element={
            <RequirePolicy policy={['admin_panel:read', 'users:read', 'sessions:read']}>
              <Lazy>
                <AdminRoute />
              </Lazy>
            </RequirePolicy>
          }
        />
        <Route
          path="settings/*"
          element={
            <RequirePolicy policy="settings:read">
              <Lazy>
                <SettingsRoute />
              </Lazy>
            </RequirePolicy>
          }
        />
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
    </Routes>
  );
}
