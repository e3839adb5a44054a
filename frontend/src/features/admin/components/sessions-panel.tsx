import { useId, useState } from 'react';

import { ConfirmDialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { QueryState } from '@/components/ui/query-state';
import { useCurrentSession, useSessions, useTerminateSession } from '@/features/admin/api/sessions';
import type { SessionRow } from '@/features/admin/types/admin';
import { useAuthorization } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';

/** True when a listed session is the one this browser uses: session ids compared, never emails. */
export function isCurrentSession(session: SessionRow, currentSessionId: string | number | null | undefined): boolean {
  return currentSessionId !== null && currentSessionId !== undefined && String(session.id) === String(currentSessionId);
}

/** Active sessions of the tenant, "this session" marked, others terminable. */
export function SessionsPanel() {
  const id = useId();
  const sessions = useSessions();
  const current = useCurrentSession();
  const terminate = useTerminateSession();
  const { can } = useAuthorization();
  const { notify } = useNotifications();
  const [target, setTarget] = useState<SessionRow | null>(null);
  const canDelete = can('sessions:delete');
  const currentId = current.data?.session_id;

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <h2 id={`${id}-title`}>Active sessions</h2>
        <button type="button" className="btn" onClick={() => void sessions.refetch()}>
          Refresh
        </button>
      </div>
      <QueryState query={sessions} label="sessions">
        {(data) => (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Active sessions</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Started</th>
                  <th scope="col">Last activity</th>
                  <th scope="col">Expires</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Browser</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="empty">
                      No active sessions.
                    </td>
                  </tr>
                ) : (
                  data.items.map((session) => {
                    const mine = isCurrentSession(session, currentId);
                    return (
                      <tr
                        key={session.id}
                        data-testid="session-row"
                        data-session-id={session.id}
                        data-current={mine ? 'true' : 'false'}
                        className={mine ? 'is-current' : undefined}
                      >
                        <td>
                          {session.user_email}{' '}
                          {mine ? (
                            <span className="badge badge--info" data-testid="session-current">
                              This session
                            </span>
                          ) : null}
                        </td>
                        <td>{formatDateTime(session.created_at)}</td>
                        <td>{formatDateTime(session.last_activity_at)}</td>
                        <td>{formatDateTime(session.expires_at)}</td>
                        <td>{session.ip_address ?? '—'}</td>
                        <td className="muted" style={{ maxWidth: '18rem', overflowWrap: 'anywhere' }}>
                          {session.user_agent ?? '—'}
                        </td>
                        <td>
                          {canDelete && !mine ? (
                            <button
                              type="button"
                              className="btn btn--sm btn--danger"
                              onClick={() => setTarget(session)}
                              aria-label={`Terminate session of ${session.user_email} started ${formatDateTime(session.created_at)}`}
                            >
                              Terminate
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })
                )}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      <ConfirmDialog
        open={target !== null}
        title="Terminate this session?"
        message={target ? `${target.user_email} is signed out of that browser on its next request.` : ''}
        confirmLabel="Terminate"
        busy={terminate.isPending}
        onClose={() => setTarget(null)}
        onConfirm={() => {
          if (!target) return;
          terminate.mutate(target.id, {
            onSuccess: () => {
              setTarget(null);
              notify({ tone: 'success', title: 'Session terminated' });
            },
          });
        }}
      />
    </section>
  );
}
