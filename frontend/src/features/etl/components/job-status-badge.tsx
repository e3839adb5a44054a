import type { JobStatus } from '@/features/etl/types/etl';

const TONES: Record<JobStatus, string> = {
  PENDING: 'badge--neutral',
  RUNNING: 'badge--info',
  PAUSED: 'badge--warning',
  FINISHED: 'badge--success',
  FAILED: 'badge--danger',
  CANCELLED: 'badge--neutral',
};

/** A job state as a badge. */
export function JobStatusBadge({ status }: { status: JobStatus | string | null | undefined }) {
  const tone = status && status in TONES ? TONES[status as JobStatus] : 'badge--neutral';
  return (
    <span className={`badge ${tone}`} data-testid="job-status">
      {status ?? 'never run'}
    </span>
  );
}
