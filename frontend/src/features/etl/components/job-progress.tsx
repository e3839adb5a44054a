/** The progress bar of a job: a real progressbar for assistive tech, `job-progress` for tests. */
export function JobProgress({ percent, label }: { percent: number | null | undefined; label: string }) {
  const value = typeof percent === 'number' && Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : null;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value ?? undefined}
      aria-valuetext={value === null ? 'Waiting to start' : `${Math.round(value)}%`}
      data-testid="job-progress"
      data-value={value ?? ''}
    >
      <div className="progress__bar" style={{ width: `${value ?? 0}%` }} />
    </div>
  );
}
