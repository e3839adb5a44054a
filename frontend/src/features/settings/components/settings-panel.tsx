import { useId, useState } from 'react';

import { DataTable, type Column } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { QueryState } from '@/components/ui/query-state';
import { useCreateSetting, useDeactivateSetting, useSettings, useUpdateSetting } from '@/features/settings/api/settings';
import { DeactivateDialog } from '@/features/settings/components/deactivate-dialog';
import { memberLabel } from '@/features/settings/components/members-editor';
import { useRefOptions } from '@/features/settings/hooks/use-ref-options';
import { SettingsForm } from '@/features/settings/components/settings-form';
import type { FieldDef, KindDef, SettingsItem, TeamMember } from '@/features/settings/types/settings';
import { useAuthorization } from '@/lib/authorization';

function RefNames({ field, value }: { field: FieldDef; value: unknown }) {
  const { options } = useRefOptions(field.ref!);
  const ids = (Array.isArray(value) ? value : [value]).filter((id) => id !== null && id !== undefined && id !== '');
  if (ids.length === 0) return <>—</>;
  return <>{ids.map((id) => options.find((option) => option.value === String(id))?.label ?? `#${String(id)}`).join(', ')}</>;
}

function cellText(field: FieldDef, value: unknown) {
  if (field.type === 'members') {
    const members = Array.isArray(value) ? (value as TeamMember[]) : [];
    return members.length ? members.map(memberLabel).join(', ') : '—';
  }
  if (field.type === 'ref' || field.type === 'multiref') return <RefNames field={field} value={value} />;
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (field.type === 'select') return field.options?.find((option) => option.value === value)?.label ?? String(value ?? '—');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

type Dialogs = { kind: 'create' } | { kind: 'edit'; item: SettingsItem } | { kind: 'deactivate'; item: SettingsItem } | null;

/** One settings collection: table, create, edit and deactivate (keep / reassign / cascade). */
export function SettingsPanel({ def }: { def: KindDef }) {
  const id = useId();
  const { can } = useAuthorization();
  const canEdit = can('settings:admin');
  const list = useSettings(def.kind);
  const create = useCreateSetting();
  const update = useUpdateSetting();
  const deactivate = useDeactivateSetting();
  const { notify } = useNotifications();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [showInactive, setShowInactive] = useState(false);
  const close = () => setDialog(null);

  const columns: Column<SettingsItem>[] = def.fields
    .filter((field) => !field.formOnly)
    .map((field) => ({ key: field.name, header: field.label, cell: (item) => cellText(field, item[field.name]) }));
  columns.push({
    key: 'active',
    header: 'Status',
    cell: (item) =>
      item.active === false ? <span className="badge badge--neutral">Inactive</span> : <span className="badge badge--success">Active</span>,
  });
  if (canEdit) {
    columns.push({
      key: 'actions',
      header: 'Actions',
      cell: (item) =>
        item.active === false ? null : (
          <div className="btn-group">
            <button type="button" className="btn btn--sm" onClick={() => setDialog({ kind: 'edit', item })} aria-label={`Edit ${def.singular} ${def.label(item)}`}>
              Edit
            </button>
            <button
              type="button"
              className="btn btn--sm btn--danger"
              onClick={() => setDialog({ kind: 'deactivate', item })}
              aria-label={`Deactivate ${def.singular} ${def.label(item)}`}
            >
              Deactivate
            </button>
          </div>
        ),
    });
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-header">
        <div>
          <h2 id={`${id}-title`}>{def.title}</h2>
          <p className="muted">{def.description}</p>
        </div>
        <div className="toolbar">
          <label className="checkbox">
            <input type="checkbox" checked={showInactive} onChange={(event) => setShowInactive(event.target.checked)} />
            Show inactive
          </label>
          {canEdit ? (
            <button type="button" className="btn btn--primary" onClick={() => setDialog({ kind: 'create' })}>
              New {def.singular}
            </button>
          ) : null}
        </div>
      </div>
      <QueryState query={list} label={def.title.toLowerCase()}>
        {(data) => (
          <DataTable
            caption={def.title}
            columns={columns}
            rows={data.items.filter((item) => showInactive || item.active !== false)}
            rowKey={(item) => item.id}
            emptyText={`No ${def.title.toLowerCase()} yet.`}
          />
        )}
      </QueryState>
      {dialog?.kind === 'create' ? (
        <Dialog open title={`New ${def.singular}`} onClose={close}>
          <SettingsForm
            def={def}
            busy={create.isPending}
            onCancel={close}
            onSubmit={(body) =>
              create.mutate(
                { kind: def.kind, body },
                {
                  onSuccess: () => {
                    close();
                    notify({ tone: 'success', title: `${def.singular[0].toUpperCase()}${def.singular.slice(1)} created` });
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {dialog?.kind === 'edit' ? (
        <Dialog open title={`Edit ${def.singular}`} onClose={close}>
          <SettingsForm
            def={def}
            item={dialog.item}
            busy={update.isPending}
            onCancel={close}
            onSubmit={(body) =>
              update.mutate(
                { kind: def.kind, id: dialog.item.id, body },
                {
                  onSuccess: () => {
                    close();
                    notify({ tone: 'success', title: 'Saved' });
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {dialog?.kind === 'deactivate' ? (
        <DeactivateDialog
          def={def}
          item={dialog.item}
          candidates={list.data?.items ?? []}
          busy={deactivate.isPending}
          onClose={close}
          onConfirm={(body) =>
            deactivate.mutate(
              { kind: def.kind, id: dialog.item.id, body },
              {
                onSuccess: () => {
                  close();
                  notify({ tone: 'success', title: `${def.singular[0].toUpperCase()}${def.singular.slice(1)} deactivated` });
                },
              },
            )
          }
        />
      ) : null}
    </section>
  );
}
