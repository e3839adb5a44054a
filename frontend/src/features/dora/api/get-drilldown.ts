import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import type { DrilldownKind, DrilldownParams } from '@/features/dora/types/dora';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

function toParams(params: DrilldownParams) {
  return { ...params };
}

/** GET /metrics/dora/{deployments|changes|incidents}: the rows behind a number. */
export function getDrilldown<T>(kind: DrilldownKind, params: DrilldownParams, signal?: AbortSignal): Promise<Page<T>> {
  return etlApi.get<Page<T>>(`/metrics/dora/${kind}`, { params: toParams(params), signal });
}

/** The same rows as CSV text, produced by the server (`format=csv`) over the whole filter, not one page. */
export function getDrilldownCsv(kind: DrilldownKind, params: Omit<DrilldownParams, 'limit' | 'offset'>): Promise<string> {
  return etlApi.get<string>(`/metrics/dora/${kind}`, {
    params: { ...toParams({ ...params, limit: 0, offset: 0 }), limit: undefined, offset: undefined, format: 'csv' },
    responseType: 'text',
  });
}

export function getDrilldownQueryOptions<T>(kind: DrilldownKind, params: DrilldownParams) {
  return queryOptions({
    queryKey: ['dora', 'drilldown', kind, params],
    queryFn: ({ signal }) => getDrilldown<T>(kind, params, signal),
    placeholderData: keepPreviousData,
  });
}

/** One page of a drill-down, keeping the previous page on screen while the next loads. */
export function useDrilldown<T>(kind: DrilldownKind, params: DrilldownParams) {
  return useQuery(getDrilldownQueryOptions<T>(kind, params));
}
