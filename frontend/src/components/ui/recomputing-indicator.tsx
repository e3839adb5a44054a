import { useMetricsFreshness } from '@/hooks/use-metrics-freshness';
import { useAuthorization } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';

/** "Recomputing…" while the metrics wait for a rebuild of their facts (nothing otherwise). */
export function RecomputingIndicator() {
  const { can } = useAuthorization();
  const freshness = useMetricsFreshness(can('dashboards:read'));
  if (!freshness.data?.pending) return null;
  const asOf = freshness.data.as_of;
  return (
    <span
      role="status"
      className="badge badge--info"
      data-testid="recomputing"
      title={asOf ? `The figures shown were computed at ${formatDateTime(asOf)}; new ones are on their way.` : undefined}
    >
      Recomputing…
    </span>
  );
}
