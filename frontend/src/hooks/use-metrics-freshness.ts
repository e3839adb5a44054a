import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { etlApi } from '@/lib/api-client';

/** When the tenant's metric facts were built, and whether a rebuild (after a settings write or a sync) is due. */
export type MetricsFreshness = { as_of: string | null; pending: boolean };

export const freshnessKeys = { all: ['metrics-freshness'] as const };

/** How often the app asks again while a rebuild is pending. */
export const FRESHNESS_POLL_MS = 2000;

/** The query keys of every metrics answer, refetched when a rebuild ends. */
const METRICS_KEYS = [['dora'], ['analytics']] as const;

/** GET /metrics/freshness. */
export function getMetricsFreshness(signal?: AbortSignal): Promise<MetricsFreshness> {
  return etlApi.get<MetricsFreshness>('/metrics/freshness', { signal });
}

export function getMetricsFreshnessQueryOptions() {
  return queryOptions({
    queryKey: freshnessKeys.all,
    queryFn: ({ signal }) => getMetricsFreshness(signal),
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.pending ? FRESHNESS_POLL_MS : false),
  });
}

/** The facts' freshness, polled while pending; when a rebuild ends, the metrics queries load the new figures. */
export function useMetricsFreshness(enabled = true) {
  const queryClient = useQueryClient();
  const query = useQuery({ ...getMetricsFreshnessQueryOptions(), enabled });
  const pending = query.data?.pending;
  const wasPending = useRef(false);
  useEffect(() => {
    if (pending === undefined) return;
    if (wasPending.current && !pending) {
      for (const queryKey of METRICS_KEYS) void queryClient.invalidateQueries({ queryKey });
    }
    wasPending.current = pending;
  }, [pending, queryClient]);
  return query;
}
