import { Navigate, NavLink, Route, Routes, useParams } from 'react-router-dom';

import { NotFoundRoute } from '@/app/routes/not-found';
import { RecomputingIndicator } from '@/components/ui/recomputing-indicator';
import { SettingsPanel } from '@/features/settings/components/settings-panel';
import { KINDS, kindDef } from '@/features/settings/components/settings-kinds';
import { useDocumentTitle } from '@/hooks/use-document-title';

function KindRoute() {
  const { kind } = useParams();
  const def = kindDef(kind);
  if (!def) return <NotFoundRoute />;
  return <SettingsPanel key={def.kind} def={def} />;
}

/** `/settings/:kind`: flow steps, mappings, hierarchy, teams and rules. */
export default function SettingsRoute() {
  useDocumentTitle('Settings');
  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
        <RecomputingIndicator />
      </div>
      <nav aria-label="Settings sections" className="tabs">
        {KINDS.map((def) => (
          <NavLink key={def.kind} to={`/settings/${def.kind}`} className={({ isActive }) => (isActive ? 'active' : undefined)}>
            {def.title}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to={`/settings/${KINDS[0].kind}`} replace />} />
        <Route path=":kind" element={<KindRoute />} />
      </Routes>
    </>
  );
}
