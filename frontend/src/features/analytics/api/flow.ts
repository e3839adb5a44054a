import { queryOptions, useQuery } from '@tanstack/react-query';

import type { FlowFilters, FlowItem, FlowMetrics, FlowTrend } from '@/features/analytics/types/analytics';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

/** GET /metrics/flow: Jira cycle/lead time, throughput, WIP, time in step. */
export function getFlowMetrics(filters: FlowFilters, signal?: AbortSignal): Promise<FlowMetrics> {
  return etlApi.get<FlowMetrics>('/metrics/flow', { params: { ...filters }, signal });
}

export function getFlowMetricsQueryOptions(filters: FlowFilters) {
  return queryOptions({
    queryKey: ['analytics', 'flow', 'summary', filters],
    queryFn: ({ signal }) => getFlowMetrics(filters, signal),
  });
}

export function useFlowMetrics(filters: FlowFilters) {
  return useQuery(getFlowMetricsQueryOptions(filters));
}

/** GET /metrics/flow/trend. */
export function getFlowTrend(filters: FlowFilters, granularity: string, signal?: AbortSignal): Promise<FlowTrend> {
  return etlApi.get<FlowTrend>('/metrics/flow/trend', { params: { ...filters, granularity }, signal });
}

export function getFlowTrendQueryOptions(filters: FlowFilters, granularity: string) {
  return queryOptions({
    queryKey: ['analytics', 'flow', 'trend', filters, granularity],
    queryFn: ({ signal }) => getFlowTrend(filters, granularity, signal),
  });
}

export function useFlowTrend(filters: FlowFilters, granularity: string) {
  return useQuery(getFlowTrendQueryOptions(filters, granularity));
}

/** GET /metrics/flow/items: finished work items, for the cycle/lead time distribution. */
export function getFlowItems(filters: FlowFilters, signal?: AbortSignal): Promise<Page<FlowItem>> {
  return etlApi.get<Page<FlowItem>>('/metrics/flow/items', { params: { ...filters, limit: 500, offset: 0 }, signal });
}

export function getFlowItemsQueryOptions(filters: FlowFilters) {
  return queryOptions({
    queryKey: ['analytics', 'flow', 'items', filters],
    queryFn: ({ signal }) => getFlowItems(filters, signal),
  });
}

export function useFlowItems(filters: FlowFilters) {
  return useQuery(getFlowItemsQueryOptions(filters));
}
