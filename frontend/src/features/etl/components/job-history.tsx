import { useState } from 'react';

import { DataTable, type Column } from '@/components/ui/data-table';
import { Pagination } from '@/components/ui/pagination';
import { QueryState } from '@/components/ui/query-state';
import { useJobs } from '@/features/etl/api/jobs';
import { JobStatusBadge } from '@/features/etl/components/job-status-badge';
import type { Job } from '@/features/etl/types/etl';
import { formatDateTime } from '@/utils/format';

type JobHistoryProps = {
  integrationId: string | number;
  selectedJobId: string | number | null;
  onSelect: (job: Job) => void;
};

/** Run history of one integration; refreshes while a run is in flight. */
export function JobHistory({ integrationId, selectedJobId, onSelect }: JobHistoryProps) {
  const [page, setPage] = useState(0);
  const pageSize = 10;
  const query = useJobs(
    { integration_id: integrationId, limit: pageSize, offset: page * pageSize },
    { pollWhileActive: true },
  );

  const columns: Column<Job>[] = [
    { key: 'id', header: 'Run', cell: (job) => `#${job.id}` },
    { key: 'status', header: 'State', cell: (job) => <JobStatusBadge status={job.status} /> },
    { key: 'created_at', header: 'Created', cell: (job) => formatDateTime(job.created_at) },
    { key: 'finished_at', header: 'Finished', cell: (job) => formatDateTime(job.finished_at) },
    {
      key: 'open',
      header: 'Details',
      cell: (job) => (
        <button
          type="button"
          className="btn btn--sm"
          aria-pressed={String(job.id) === String(selectedJobId)}
          onClick={() => onSelect(job)}
        >
          Show run #{job.id}
        </button>
      ),
    },
  ];

  return (
    <section className="card" aria-labelledby="job-history-title">
      <h3 id="job-history-title">Run history</h3>
      <QueryState query={query} label="run history" compact>
        {(data) => (
          <>
            <DataTable
              caption="Run history"
              columns={columns}
              rows={data.items}
              rowKey={(job) => job.id}
              emptyText="No runs yet."
            />
            <Pagination label="Run history pages" page={page} pageSize={pageSize} total={data.total} onPageChange={setPage} />
          </>
        )}
      </QueryState>
    </section>
  );
}
