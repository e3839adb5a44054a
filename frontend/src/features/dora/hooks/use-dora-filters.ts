import { useMemo } from 'react';

import type { DoraFilters, DoraMetricKey, Granularity } from '@/features/dora/types/dora';
import { useSearchState } from '@/hooks/use-search-state';
import { defaultRange, parseIsoDate } from '@/utils/dates';

const METRIC_KEYS: readonly DoraMetricKey[] = ['deployment-frequency', 'lead-time', 'change-failure-rate', 'recovery-time'];

/** Dashboard state from the URL: `from`, `to`, `team_id`, `repository_id`, `environment`, `granularity`, `metric`. */
export function useDoraFilters() {
  const { get, set } = useSearchState();
  const fallback = useMemo(() => defaultRange(90), []);

  const fromParam = get('from');
  const toParam = get('to');
  const team = get('team_id');
  const repository = get('repository_id');
  const environment = get('environment');

  const filters = useMemo<DoraFilters>(() => {
    const from = parseIsoDate(fromParam) ? fromParam : fallback.from;
    const to = parseIsoDate(toParam) ? toParam : fallback.to;
    return {
      from,
      to,
      team_id: team || undefined,
      repository_id: repository || undefined,
      environment: environment || undefined,
    };
  }, [fromParam, toParam, team, repository, environment, fallback]);

  const granularity: Granularity = get('granularity') === 'month' ? 'month' : 'week';
  const metricParam = get('metric') as DoraMetricKey;
  const metric = METRIC_KEYS.includes(metricParam) ? metricParam : null;

  return {
    filters,
    granularity,
    metric,
    setFilters: (next: Partial<DoraFilters>) => set(next),
    setGranularity: (value: Granularity) => set({ granularity: value === 'week' ? null : value }, { replace: true }),
    setMetric: (value: DoraMetricKey | null) => set({ metric: value }),
  };
}
