import type { Column } from '@/components/ui/data-table';
import type { ChangeRow, DeploymentRow, DrilldownKind, IncidentRow } from '@/features/dora/types/dora';
import { sourceLabel } from '@/features/dora/utils/source-label';
import type { CsvColumn } from '@/utils/csv';
import { formatDateTime, formatHours } from '@/utils/format';

function statusTone(status: string): string {
  const value = status.toLowerCase();
  if (value === 'success') return 'badge--success';
  if (value === 'failure' || value === 'error' || value === 'failed') return 'badge--danger';
  return 'badge--neutral';
}

export const DEPLOYMENT_COLUMNS: Column<DeploymentRow>[] = [
  { key: 'repository', header: 'Repository', cell: (row) => row.repository, sortable: true },
  { key: 'environment', header: 'Environment', cell: (row) => row.environment, sortable: true },
  { key: 'source', header: 'Source', cell: (row) => sourceLabel(row.source), sortable: true },
  { key: 'sha', header: 'Commit', cell: (row) => <code title={row.sha}>{row.sha?.slice(0, 7)}</code> },
  {
    key: 'status',
    header: 'Status',
    cell: (row) => <span className={`badge ${statusTone(row.status ?? '')}`}>{row.status}</span>,
  },
  { key: 'finished_at', header: 'Finished', cell: (row) => formatDateTime(row.finished_at), sortable: true },
  { key: 'changes', header: 'Changes', cell: (row) => row.changes, sortable: true, numeric: true },
  { key: 'incidents', header: 'Incidents', cell: (row) => row.incidents, sortable: true, numeric: true },
  {
    key: 'failed',
    header: 'Failed',
    cell: (row) =>
      row.failed ? <span className="badge badge--danger">Failed</span> : <span className="badge badge--success">OK</span>,
  },
];

export const CHANGE_COLUMNS: Column<ChangeRow>[] = [
  {
    key: 'number',
    header: 'Pull request',
    cell: (row) => (
      <span>
        <strong>
          {row.repository}#{row.number}
        </strong>{' '}
        {row.title}
      </span>
    ),
    sortable: true,
  },
  { key: 'source', header: 'Source', cell: (row) => sourceLabel(row.source), sortable: true },
  { key: 'author', header: 'Author', cell: (row) => row.author ?? '—' },
  { key: 'coding_hours', header: 'Coding', cell: (row) => formatHours(row.coding_hours), numeric: true },
  { key: 'pickup_hours', header: 'Pickup', cell: (row) => formatHours(row.pickup_hours), numeric: true },
  { key: 'review_hours', header: 'Review', cell: (row) => formatHours(row.review_hours), numeric: true },
  { key: 'deploy_hours', header: 'Deploy', cell: (row) => formatHours(row.deploy_hours), numeric: true },
  {
    key: 'lead_time_hours',
    header: 'Lead time',
    cell: (row) => <strong>{formatHours(row.lead_time_hours)}</strong>,
    sortable: true,
    numeric: true,
  },
  { key: 'deployed_at', header: 'Deployed', cell: (row) => formatDateTime(row.deployed_at), sortable: true },
];

export const INCIDENT_COLUMNS: Column<IncidentRow>[] = [
  {
    key: 'key',
    header: 'Incident',
    cell: (row) => (
      <span>
        <strong>{row.key}</strong> {row.title}
      </span>
    ),
    sortable: true,
  },
  { key: 'source', header: 'Source', cell: (row) => sourceLabel(row.source), sortable: true },
  { key: 'opened_at', header: 'Opened', cell: (row) => formatDateTime(row.opened_at), sortable: true },
  { key: 'resolved_at', header: 'Resolved', cell: (row) => formatDateTime(row.resolved_at), sortable: true },
  { key: 'deployment_id', header: 'Deployment', cell: (row) => row.deployment_id ?? '—' },
  {
    key: 'recovery_hours',
    header: 'Recovery time',
    cell: (row) => formatHours(row.recovery_hours ?? row.time_to_restore_hours),
    sortable: true,
    numeric: true,
  },
];

export const DEPLOYMENT_CSV: CsvColumn<DeploymentRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'repository', value: (r) => r.repository },
  { header: 'environment', value: (r) => r.environment },
  { header: 'sha', value: (r) => r.sha },
  { header: 'status', value: (r) => r.status },
  { header: 'finished_at', value: (r) => r.finished_at },
  { header: 'changes', value: (r) => r.changes },
  { header: 'incidents', value: (r) => r.incidents },
  { header: 'failed', value: (r) => r.failed },
  { header: 'source', value: (r) => r.source },
];

export const CHANGE_CSV: CsvColumn<ChangeRow>[] = (
  [
    'pull_request_id',
    'repository',
    'number',
    'title',
    'author',
    'first_commit_at',
    'opened_at',
    'first_review_at',
    'merged_at',
    'deployed_at',
    'deployment_id',
    'coding_hours',
    'pickup_hours',
    'review_hours',
    'deploy_hours',
    'lead_time_hours',
    'source',
  ] as const
).map((key) => ({ header: key, value: (row: ChangeRow) => row[key] }));

export const INCIDENT_CSV: CsvColumn<IncidentRow>[] = (
  [
    'id',
    'source',
    'key',
    'title',
    'opened_at',
    'resolved_at',
    'deployment_id',
    'recovery_hours',
    'time_to_restore_hours',
  ] as const
).map((key) => ({ header: key, value: (row: IncidentRow) => row[key] }));

/**
 * Columns, CSV columns, row key and default sort of each drill-down. Only columns the server can sort by
 * (its whitelist in analytics/dora/service.py) are marked sortable.
 */
export const DRILLDOWNS = {
  deployments: {
    columns: DEPLOYMENT_COLUMNS,
    csvColumns: DEPLOYMENT_CSV,
    rowKey: (row: DeploymentRow) => row.id,
    defaultSort: { key: 'finished_at', order: 'desc' as const } as { key: string; order: 'asc' | 'desc' },
  },
  changes: {
    columns: CHANGE_COLUMNS,
    csvColumns: CHANGE_CSV,
    rowKey: (row: ChangeRow) => row.pull_request_id,
    defaultSort: { key: 'lead_time_hours', order: 'desc' as const },
  },
  incidents: {
    columns: INCIDENT_COLUMNS,
    csvColumns: INCIDENT_CSV,
    rowKey: (row: IncidentRow) => row.id,
    defaultSort: { key: 'opened_at', order: 'desc' as const },
  },
} satisfies Record<DrilldownKind, unknown>;
