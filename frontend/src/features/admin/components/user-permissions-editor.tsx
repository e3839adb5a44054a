import { useState } from 'react';

import { QueryState } from '@/components/ui/query-state';
import { useNotifications } from '@/components/ui/notifications';
import { usePermissionMatrix, useUpdateUserPermissions, useUserPermissions } from '@/features/admin/api/permissions';
import type { AdminUser, PermissionMatrix, PermissionOverride, UserPermissions } from '@/features/admin/types/admin';
import { personName } from '@/utils/format';

type Choice = 'default' | 'grant' | 'revoke';

function cellKey(resource: string, action: string): string {
  return `${resource}:${action}`;
}

function initialChoices(overrides: PermissionOverride[]): Record<string, Choice> {
  const choices: Record<string, Choice> = {};
  for (const override of overrides) choices[cellKey(override.resource, override.action)] = override.granted ? 'grant' : 'revoke';
  return choices;
}

function Editor({
  user,
  matrix,
  current,
  onDone,
}: {
  user: AdminUser;
  matrix: PermissionMatrix;
  current: UserPermissions;
  onDone: () => void;
}) {
  const [choices, setChoices] = useState<Record<string, Choice>>(() => initialChoices(current.overrides));
  const save = useUpdateUserPermissions();
  const { notify } = useNotifications();
  const role = current.role ?? user.role;
  const roleGrants = matrix.matrix[role] ?? {};
  const effective = new Set(current.effective.map((p) => cellKey(p.resource, p.action)));

  function submit() {
    const overrides: PermissionOverride[] = Object.entries(choices)
      .filter(([, choice]) => choice !== 'default')
      .map(([key, choice]) => {
        const [resource, action] = key.split(':');
        return { resource, action, granted: choice === 'grant' };
      });
    save.mutate(
      { id: user.id, overrides },
      {
        onSuccess: () => {
          notify({ tone: 'success', title: `Permissions of ${personName(user)} saved` });
          onDone();
        },
      },
    );
  }

  return (
    <>
      <p className="muted">
        Role <strong>{role}</strong> grants the ticked defaults. An override grants or revokes one permission for this user
        only. “Now” is what the server computes today.
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Permission overrides for {personName(user)}</caption>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              {matrix.actions.map((action) => (
                <th key={action} scope="col">
                  {action}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.resources.map((resource) => (
              <tr key={resource}>
                <th scope="row">{resource}</th>
                {matrix.actions.map((action) => {
                  const key = cellKey(resource, action);
                  const byRole = (roleGrants[resource] ?? []).includes(action);
                  const choice = choices[key] ?? 'default';
                  return (
                    <td key={action} className="matrix-cell">
                      <label className="visually-hidden" htmlFor={`perm-${key}`}>
                        {resource} {action}
                      </label>
                      <select
                        id={`perm-${key}`}
                        className={`select--sm${choice === 'grant' ? ' override--granted' : choice === 'revoke' ? ' override--revoked' : ''}`}
                        value={choice}
                        onChange={(event) => setChoices({ ...choices, [key]: event.target.value as Choice })}
                      >
                        <option value="default">Role: {byRole ? 'yes' : 'no'}</option>
                        <option value="grant">Grant</option>
                        <option value="revoke">Revoke</option>
                      </select>
                      <div className="muted" style={{ fontSize: '0.75rem' }}>
                        Now: {effective.has(key) ? 'yes' : 'no'}
                      </div>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-actions" style={{ marginTop: '1rem' }}>
        <button type="button" className="btn" onClick={() => setChoices({})}>
          Reset to role defaults
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" onClick={submit} disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save overrides'}
        </button>
      </div>
    </>
  );
}

/** Per-user permission overrides shown against the role matrix. */
export function UserPermissionsEditor({ user, onDone }: { user: AdminUser; onDone: () => void }) {
  const matrix = usePermissionMatrix();
  const current = useUserPermissions(user.id);
  return (
    <QueryState query={matrix} label="role matrix" compact>
      {(matrixData) => (
        <QueryState query={current} label="user permissions" compact>
          {(data) => <Editor user={user} matrix={matrixData} current={data} onDone={onDone} />}
        </QueryState>
      )}
    </QueryState>
  );
}
