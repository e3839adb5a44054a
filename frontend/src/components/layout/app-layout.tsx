import { useState, type ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router-dom';

import { paths } from '@/config/paths';
import { displayName, useAuth } from '@/lib/auth';
import { useAuthorization, type Policy } from '@/lib/authorization';
import { useTheme, type ThemePreference } from '@/lib/theme';

type NavItem = { to: string; label: string; policies: Policy[]; end?: boolean };

const NAV: NavItem[] = [
  { to: paths.dora, label: 'DORA metrics', policies: ['dashboards:read'], end: true },
  { to: paths.analytics, label: 'Engineering analytics', policies: ['dashboards:read'] },
  { to: paths.etl, label: 'ETL', policies: ['integrations:read', 'etl_jobs:read'] },
  { to: paths.settings, label: 'Settings', policies: ['settings:read'] },
  { to: paths.admin, label: 'Administration', policies: ['admin_panel:read', 'users:read', 'sessions:read'] },
];

type AppLayoutProps = {
  /** Account actions of the user menu other than signing out (the app passes "Change password"). */
  accountActions?: ReactNode;
};

/** Header, navigation (only the pages the role may open), theme choice, user menu and the page outlet. */
export function AppLayout({ accountActions }: AppLayoutProps) {
  const { user, logout } = useAuth();
  const { canAny } = useAuthorization();
  const { preference, setPreference } = useTheme();
  const [signingOut, setSigningOut] = useState(false);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            ◆
          </span>{' '}
          Pulse
        </div>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {NAV.filter((item) => canAny(item.policies)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end} className={({ isActive }) => (isActive ? 'active' : undefined)}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar__right">
          <label className="visually-hidden" htmlFor="theme-select">
            Theme
          </label>
          <select
            id="theme-select"
            className="select--sm"
            value={preference}
            onChange={(event) => setPreference(event.target.value as ThemePreference)}
          >
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
          <span className="user-chip" data-testid="current-user">
            {displayName(user)} <span className="badge badge--neutral">{user?.role}</span>
          </span>
          {accountActions}
          <button
            type="button"
            className="btn btn--ghost"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              void logout();
            }}
          >
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
