import { Navigate, NavLink, Route, Routes } from 'react-router-dom';

import { AccessDenied } from '@/components/errors/access-denied';
import { AuditPanel } from '@/features/admin/components/audit-panel';
import { SessionsPanel } from '@/features/admin/components/sessions-panel';
import { UsersPanel } from '@/features/admin/components/users-panel';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { RequirePolicy, useAuthorization, type Policy } from '@/lib/authorization';

const TABS: { path: string; label: string; policy: Policy }[] = [
  { path: 'users', label: 'Users', policy: 'users:read' },
  { path: 'sessions', label: 'Sessions', policy: 'sessions:read' },
  { path: 'audit', label: 'Audit log', policy: 'admin_panel:read' },
];

/** `/admin/*`: users, sessions and the audit log, each tab shown only with its permission. */
export default function AdminRoute() {
  useDocumentTitle('Administration');
  const { can } = useAuthorization();
  const tabs = TABS.filter((tab) => can(tab.policy));
  if (tabs.length === 0) return <AccessDenied />;
  return (
    <>
      <div className="page-header">
        <h1>Administration</h1>
      </div>
      <nav aria-label="Administration" className="tabs">
        {tabs.map((tab) => (
          <NavLink key={tab.path} to={`/admin/${tab.path}`} className={({ isActive }) => (isActive ? 'active' : undefined)}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to={`/admin/${tabs[0].path}`} replace />} />
        <Route
          path="users"
          element={
            <RequirePolicy policy="users:read">
              <UsersPanel />
            </RequirePolicy>
          }
        />
        <Route
          path="sessions"
          element={
            <RequirePolicy policy="sessions:read">
              <SessionsPanel />
            </RequirePolicy>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePolicy policy="admin_panel:read">
              <AuditPanel />
            </RequirePolicy>
          }
        />
        <Route path="*" element={<Navigate to={`/admin/${tabs[0].path}`} replace />} />
      </Routes>
    </>
  );
}
