import { useId, useState } from 'react';

import { DataTable, type Column } from '@/components/ui/data-table';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { Pagination } from '@/components/ui/pagination';
import { QueryState } from '@/components/ui/query-state';
import { usePermissionMatrix } from '@/features/admin/api/permissions';
import {
  useCreateUser,
  useDeactivateUser,
  useTerminateUserSessions,
  useUpdateUser,
  useUsers,
} from '@/features/admin/api/users';
import { UserForm, roleLabel } from '@/features/admin/components/user-form';
import { UserPermissionsEditor } from '@/features/admin/components/user-permissions-editor';
import type { AdminUser } from '@/features/admin/types/admin';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { useAuth } from '@/lib/auth';
import { useAuthorization } from '@/lib/authorization';
import { formatDateTime, personName } from '@/utils/format';

const DEFAULT_ROLES = ['admin', 'user', 'view'];
const PAGE_SIZE = 20;

type Dialogs =
  | { kind: 'create' }
  | { kind: 'edit'; user: AdminUser }
  | { kind: 'permissions'; user: AdminUser }
  | { kind: 'deactivate'; user: AdminUser }
  | { kind: 'terminate'; user: AdminUser }
  | null;

/** Users of the tenant: search, create, edit names and role, permission overrides, sign out everywhere, deactivate. */
export function UsersPanel() {
  const id = useId();
  const { can } = useAuthorization();
  const { user: me } = useAuth();
  const canAdmin = can('users:admin');
  const canTerminate = can('sessions:delete');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const debounced = useDebouncedValue(search.trim());
  const users = useUsers({ search: debounced || undefined, limit: PAGE_SIZE, offset: page * PAGE_SIZE });
  const matrix = usePermissionMatrix();
  const roles = matrix.data?.roles?.length ? matrix.data.roles : DEFAULT_ROLES;
  const [dialog, setDialog] = useState<Dialogs>(null);
  const create = useCreateUser();
  const update = useUpdateUser();
  const deactivate = useDeactivateUser();
  const terminate = useTerminateUserSessions();
  const { notify } = useNotifications();
  const close = () => setDialog(null);

  const columns: Column<AdminUser>[] = [
    { key: 'name', header: 'Name', cell: (user) => personName(user) },
    { key: 'email', header: 'Email', cell: (user) => user.email },
    { key: 'role', header: 'Role', cell: (user) => <span className="badge badge--neutral">{roleLabel(user.role)}</span> },
    {
      key: 'active',
      header: 'Status',
      cell: (user) =>
        user.active ? <span className="badge badge--success">Active</span> : <span className="badge badge--neutral">Inactive</span>,
    },
    { key: 'last_login_at', header: 'Last sign-in', cell: (user) => formatDateTime(user.last_login_at) },
  ];
  if (canAdmin || canTerminate) {
    columns.push({
      key: 'actions',
      header: 'Actions',
      cell: (user) => {
        const self = me && String(me.id) === String(user.id);
        return (
          <div className="btn-group">
            {canAdmin ? (
              <>
                <button
                  type="button"
                  className="btn btn--sm"
                  onClick={() => setDialog({ kind: 'edit', user })}
                  aria-label={`Edit ${user.email}`}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="btn btn--sm"
                  onClick={() => setDialog({ kind: 'permissions', user })}
                  aria-label={`Permissions of ${user.email}`}
                >
                  Permissions
                </button>
              </>
            ) : null}
            {canTerminate && user.active && !self ? (
              <button
                type="button"
                className="btn btn--sm"
                onClick={() => setDialog({ kind: 'terminate', user })}
                aria-label={`Sign out everywhere: ${user.email}`}
              >
                Sign out everywhere
              </button>
            ) : null}
            {canAdmin && user.active && !self ? (
              <button
                type="button"
                className="btn btn--sm btn--danger"
                onClick={() => setDialog({ kind: 'deactivate', user })}
                aria-label={`Deactivate ${user.email}`}
              >
                Deactivate
              </button>
            ) : null}
          </div>
        );
      },
    });
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <h2 id={`${id}-title`}>Users</h2>
        <div className="toolbar">
          <div className="field">
            <label htmlFor={`${id}-search`}>Search users</label>
            <input
              id={`${id}-search`}
              type="search"
              value={search}
              placeholder="Name or email"
              onChange={(event) => {
                setSearch(event.target.value);
                setPage(0);
              }}
            />
          </div>
          {canAdmin ? (
            <button type="button" className="btn btn--primary" onClick={() => setDialog({ kind: 'create' })}>
              New user
            </button>
          ) : null}
        </div>
      </div>
      <QueryState query={users} label="users">
        {(data) => (
          <>
            <DataTable caption="Users" columns={columns} rows={data.items} rowKey={(user) => user.id} emptyText="No users match." />
            <Pagination label="User pages" page={page} pageSize={PAGE_SIZE} total={data.total} onPageChange={setPage} />
          </>
        )}
      </QueryState>

      <Dialog open={dialog?.kind === 'create'} title="New user" onClose={close}>
        <UserForm
          roles={roles}
          busy={create.isPending}
          submitLabel="Create user"
          onCancel={close}
          onSubmit={(body) =>
            create.mutate(body, {
              onSuccess: (user) => {
                close();
                notify({ tone: 'success', title: `User ${user?.email ?? body.email} created` });
              },
            })
          }
        />
      </Dialog>
      {dialog?.kind === 'edit' ? (
        <Dialog open title={`Edit ${personName(dialog.user)}`} onClose={close}>
          <UserForm
            user={dialog.user}
            roles={roles}
            busy={update.isPending}
            submitLabel="Save changes"
            onCancel={close}
            onSubmit={(body) =>
              update.mutate(
                { id: dialog.user.id, body: { first_name: body.first_name, last_name: body.last_name, role: body.role } },
                {
                  onSuccess: () => {
                    close();
                    notify({ tone: 'success', title: 'User saved' });
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {dialog?.kind === 'permissions' ? (
        <Dialog open wide title={`Permissions of ${personName(dialog.user)}`} onClose={close}>
          <UserPermissionsEditor user={dialog.user} onDone={close} />
        </Dialog>
      ) : null}
      <ConfirmDialog
        open={dialog?.kind === 'deactivate'}
        title={dialog?.kind === 'deactivate' ? `Deactivate ${dialog.user.email}?` : ''}
        message="The user can no longer sign in and their sessions end now. Their history is kept."
        confirmLabel="Deactivate user"
        busy={deactivate.isPending}
        onClose={close}
        onConfirm={() => {
          if (dialog?.kind !== 'deactivate') return;
          deactivate.mutate(dialog.user.id, {
            onSuccess: () => {
              close();
              notify({ tone: 'success', title: 'User deactivated' });
            },
          });
        }}
      />
      <ConfirmDialog
        open={dialog?.kind === 'terminate'}
        title={dialog?.kind === 'terminate' ? `Sign ${dialog.user.email} out everywhere?` : ''}
        message="Every session of this user ends now, in every browser; they stay active and can sign in again."
        confirmLabel="Sign out everywhere"
        busy={terminate.isPending}
        onClose={close}
        onConfirm={() => {
          if (dialog?.kind !== 'terminate') return;
          const { email } = dialog.user;
          terminate.mutate(dialog.user.id, {
            onSuccess: (result) => {
              close();
              const count = result?.sessions_ended ?? 0;
              notify({
                tone: 'success',
                title: `${email} signed out everywhere`,
                message: count === 1 ? '1 session ended.' : `${count} sessions ended.`,
              });
            },
          });
        }}
      />
    </section>
  );
}
