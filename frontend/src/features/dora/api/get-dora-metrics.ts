import { queryOptions, useQuery } from '@tanstack/react-query';

import type { DoraFilters, DoraMetrics } from '@/features/dora/types/dora';
import { etlApi } from '@/lib/api-client';

/** GET /metrics/dora for a period and filters. */
export function getDoraMetrics(filters: DoraFilters, signal?: AbortSignal): Promise<DoraMetrics> {
  return etlApi.get<DoraMetrics>('/metrics/dora', { params: { ...filters }, signal });
}

export function getDoraMetricsQueryOptions(filters: DoraFilters) {
  return queryOptions({
    queryKey: ['dora', 'metrics', filters],
    queryFn: ({ signal }) => getDoraMetrics(filters, signal),
  });
}

/** The four keys for a period. */
export function useDoraMetrics(filters: DoraFilters) {
  return useQuery(getDoraMetricsQueryOptions(filters));
}
