import { queryOptions, useQuery } from '@tanstack/react-query';

import type { DoraFilters, DoraTrend, Granularity } from '@/features/dora/types/dora';
import { etlApi } from '@/lib/api-client';

/** GET /metrics/dora/trend by week or month. */
export function getDoraTrend(filters: DoraFilters, granularity: Granularity, signal?: AbortSignal): Promise<DoraTrend> {
  return etlApi.get<DoraTrend>('/metrics/dora/trend', { params: { ...filters, granularity }, signal });
}

export function getDoraTrendQueryOptions(filters: DoraFilters, granularity: Granularity) {
  return queryOptions({
    queryKey: ['dora', 'trend', filters, granularity],
    queryFn: ({ signal }) => getDoraTrend(filters, granularity, signal),
  });
}

/** The four keys per week or month. */
export function useDoraTrend(filters: DoraFilters, granularity: Granularity) {
  return useQuery(getDoraTrendQueryOptions(filters, granularity));
}
