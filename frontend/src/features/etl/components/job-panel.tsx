import { useEffect, useRef } from 'react';

import { QueryState } from '@/components/ui/query-state';
import { useJob, useJobAction, useJobLog, type JobAction } from '@/features/etl/api/jobs';
import { JobBudget } from '@/features/etl/components/job-budget';
import { JobProgress } from '@/features/etl/components/job-progress';
import { JobStatusBadge } from '@/features/etl/components/job-status-badge';
import { useJobEvents, type StreamState } from '@/features/etl/hooks/use-job-events';
import { isTerminal, type Job } from '@/features/etl/types/etl';
import { Authorization, useAuthorization } from '@/lib/authorization';
import { formatDateTime, formatNumber } from '@/utils/format';

const POLL_MS = 2000;

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting to the live stream…',
  live: 'Live',
  reconnecting: 'Live stream lost; reconnecting and polling meanwhile',
  closed: 'Stream closed',
};

function actionsFor(job: Job): JobAction[] {
  switch (job.status) {
    case 'RUNNING':
      return ['pause', 'cancel'];
    case 'PAUSED':
      return ['resume', 'cancel'];
    case 'PENDING':
      return ['cancel'];
    default:
      return [];
  }
}

const ACTION_LABELS: Record<JobAction, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel' };

/** One job: live state, progress bar, counts, controls and its log stream. */
export function JobPanel({ jobId }: { jobId: string | number }) {
  const { can } = useAuthorization();
  const { logs: liveLogs, stream } = useJobEvents(jobId);
  const query = useJob(jobId, stream === 'live' ? false : POLL_MS);
  const action = useJobAction();
  const logRef = useRef<HTMLOListElement>(null);
  const job = query.data;
  const polling = !!job && !isTerminal(job.status) && stream !== 'live';
  const canReadLogs = can('logs:read');
  // Without a live stream the stored log is read instead (and polled while the run goes on).
  const storedLog = useJobLog(jobId, {
    enabled: canReadLogs && stream !== 'live' && stream !== 'connecting',
    poll: polling ? POLL_MS : false,
  });
  const logs = stream === 'live' || !storedLog.data ? liveLogs : storedLog.data.items;

  useEffect(() => {
    const list = logRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [logs.length]);

  return (
    <section className="card" aria-labelledby="job-panel-title" data-testid="job-panel">
      <QueryState query={query} label="job" compact>
        {(data) => (
          <>
            <div className="page-header">
              <div>
                <h3 id="job-panel-title">
                  Job #{data.id} <JobStatusBadge status={data.status} />
                </h3>
                <p className="muted">
                  {data.step ? `Step: ${data.step}` : 'No step yet'}
                  {data.attempt && data.attempt > 1 ? ` · attempt ${data.attempt}` : ''}
                </p>
              </div>
              <Authorization policy="etl_jobs:execute">
                <div className="btn-group">
                  {actionsFor(data).map((name) => (
                    <button
                      key={name}
                      type="button"
                      className={`btn btn--sm${name === 'cancel' ? ' btn--danger' : ''}`}
                      disabled={action.isPending}
                      onClick={() => action.mutate({ id: data.id, action: name })}
                    >
                      {ACTION_LABELS[name]}
                    </button>
                  ))}
                </div>
              </Authorization>
            </div>
            <JobProgress percent={data.percent} label={`Progress of job ${data.id}`} />
            <p className="muted" aria-live="polite">
              {typeof data.percent === 'number' ? `${Math.round(data.percent)}% complete` : 'Not started'} ·{' '}
              <span data-testid="job-stream-state">{polling ? 'Polling for updates' : STREAM_TEXT[stream]}</span>
            </p>
            {data.error ? (
              <p className="form-error" role="alert">
                {data.error}
              </p>
            ) : null}
            {data.counts && Object.keys(data.counts).length > 0 ? (
              <dl className="stat-list" aria-label="Counts">
                {Object.entries(data.counts).map(([name, value]) => (
                  <div key={name}>
                    <dt>{name.replace(/_/g, ' ')}</dt>
                    <dd>{formatNumber(value, 0)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
            <JobBudget budget={data.budget} />
            <p className="muted">
              Created {formatDateTime(data.created_at)} · started {formatDateTime(data.started_at)} · finished{' '}
              {formatDateTime(data.finished_at)}
            </p>
            <h4>Log</h4>
            {!canReadLogs ? (
              <p className="muted">Reading job logs needs the logs:read permission.</p>
            ) : logs.length === 0 ? (
              <p className="muted">No log lines yet.</p>
            ) : (
              <ol className="log-stream" ref={logRef} aria-label="Job log" aria-live="polite" data-testid="job-log">
                {logs.map((line, index) => (
                  <li key={index} className={`log--${line.level?.toLowerCase()}`}>
                    <time dateTime={line.at}>{line.at ? new Date(line.at).toLocaleTimeString() : ''}</time>{' '}
                    [{line.level}] {line.message}
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
