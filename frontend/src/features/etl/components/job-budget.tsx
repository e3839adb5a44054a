import type { JobBudget as Budget } from '@/features/etl/types/etl';
import { formatNumber } from '@/utils/format';

/** What a run spent of the source's rate limit (REST requests, GraphQL points) and what the source says is left. */
export function JobBudget({ budget }: { budget: Budget | null | undefined }) {
  if (!budget) return null;
  const left = (value: number | null) => (value === null ? 'not reported' : `${formatNumber(value, 0)} left`);
  return (
    <dl className="stat-list" aria-label="Rate limit" data-testid="job-budget">
      <div>
        <dt>API requests</dt>
        <dd>
          {formatNumber(budget.requests_spent, 0)} spent · {left(budget.requests_left)}
        </dd>
      </div>
      {budget.points_spent !== null ? (
        <div>
          <dt>GraphQL points</dt>
          <dd>
            {formatNumber(budget.points_spent, 0)} spent · {left(budget.points_left)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
