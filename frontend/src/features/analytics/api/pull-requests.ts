import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import type {
  AnalyticsFilters,
  PullRequestItem,
  PullRequestMetrics,
  PullRequestTrend,
} from '@/features/analytics/types/analytics';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

/** GET /metrics/pull-requests: cycle time by stage, throughput, size, review and rework. */
export function getPullRequestMetrics(filters: AnalyticsFilters, signal?: AbortSignal): Promise<PullRequestMetrics> {
  return etlApi.get<PullRequestMetrics>('/metrics/pull-requests', { params: { ...filters }, signal });
}

export function getPullRequestMetricsQueryOptions(filters: AnalyticsFilters) {
  return queryOptions({
    queryKey: ['analytics', 'pull-requests', 'summary', filters],
    queryFn: ({ signal }) => getPullRequestMetrics(filters, signal),
  });
}

export function usePullRequestMetrics(filters: AnalyticsFilters) {
  return useQuery(getPullRequestMetricsQueryOptions(filters));
}

/** GET /metrics/pull-requests/trend. */
export function getPullRequestTrend(
  filters: AnalyticsFilters,
  granularity: string,
  signal?: AbortSignal,
): Promise<PullRequestTrend> {
  return etlApi.get<PullRequestTrend>('/metrics/pull-requests/trend', { params: { ...filters, granularity }, signal });
}

export function getPullRequestTrendQueryOptions(filters: AnalyticsFilters, granularity: string) {
  return queryOptions({
    queryKey: ['analytics', 'pull-requests', 'trend', filters, granularity],
    queryFn: ({ signal }) => getPullRequestTrend(filters, granularity, signal),
  });
}

export function usePullRequestTrend(filters: AnalyticsFilters, granularity: string) {
  return useQuery(getPullRequestTrendQueryOptions(filters, granularity));
}

export type ItemParams = { limit: number; offset: number; sort?: string; order?: 'asc' | 'desc' };

/** GET /metrics/pull-requests/items: the pull requests behind the numbers. */
export function getPullRequestItems(
  filters: AnalyticsFilters,
  params: ItemParams,
  signal?: AbortSignal,
): Promise<Page<PullRequestItem>> {
  return etlApi.get<Page<PullRequestItem>>('/metrics/pull-requests/items', { params: { ...filters, ...params }, signal });
}

export function getPullRequestItemsQueryOptions(filters: AnalyticsFilters, params: ItemParams) {
  return queryOptions({
    queryKey: ['analytics', 'pull-requests', 'items', filters, params],
    queryFn: ({ signal }) => getPullRequestItems(filters, params, signal),
    placeholderData: keepPreviousData,
  });
}

export function usePullRequestItems(filters: AnalyticsFilters, params: ItemParams) {
  return useQuery(getPullRequestItemsQueryOptions(filters, params));
}
