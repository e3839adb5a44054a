import { useId, useState } from 'react';

import { DataTable, type Column } from '@/components/ui/data-table';
import { Pagination } from '@/components/ui/pagination';
import { QueryState } from '@/components/ui/query-state';
import { useAuditEvents } from '@/features/admin/api/audit';
import type { AuditEvent } from '@/features/admin/types/admin';
import { formatDateTime } from '@/utils/format';

const PAGE_SIZE = 25;

function describeDetails(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details === 'string') return details;
  try {
    return JSON.stringify(details);
  } catch {
    return String(details);
  }
}

const COLUMNS: Column<AuditEvent>[] = [
  { key: 'created_at', header: 'When', cell: (event) => formatDateTime(event.created_at) },
  { key: 'event_type', header: 'Event', cell: (event) => <code>{event.event_type}</code> },
  { key: 'actor_email', header: 'Actor', cell: (event) => event.actor_email ?? '—' },
  { key: 'ip_address', header: 'IP address', cell: (event) => event.ip_address ?? '—' },
  {
    key: 'details',
    header: 'Details',
    cell: (event) => (
      <span className="muted" style={{ overflowWrap: 'anywhere' }}>
        {describeDetails(event.details)}
      </span>
    ),
  },
];

/** The tenant's audit log, newest first. */
export function AuditPanel() {
  const id = useId();
  const [page, setPage] = useState(0);
  const events = useAuditEvents({ limit: PAGE_SIZE, offset: page * PAGE_SIZE });
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Audit log</h2>
      <QueryState query={events} label="audit log">
        {(data) => (
          <>
            <DataTable caption="Audit log" columns={COLUMNS} rows={data.items} rowKey={(event) => event.id} emptyText="No events yet." />
            <Pagination label="Audit log pages" page={page} pageSize={PAGE_SIZE} total={data.total} onPageChange={setPage} />
          </>
        )}
      </QueryState>
    </section>
  );
}
