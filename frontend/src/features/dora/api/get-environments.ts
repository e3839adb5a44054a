import { queryOptions, useQuery } from '@tanstack/react-query';

import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

/** A deployment as `GET /deployments` lists it (only what the environment menu needs). */
export type DeploymentSummary = { id: number | string; environment: string };

/**
 * The environments deployed to, from the latest 500 deployments (`GET /deployments`, newest first):
 * distinct case-insensitively, as the `environment` filter compares them, sorted.
 */
export async function getEnvironments(signal?: AbortSignal): Promise<string[]> {
  const page = await etlApi.get<Page<DeploymentSummary>>('/deployments', { params: { limit: 500, offset: 0 }, signal });
  const seen = new Map<string, string>();
  for (const item of page.items) {
    const name = item.environment?.trim();
    if (name && !seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  }
  return Array.from(seen.values()).sort((a, b) => a.localeCompare(b));
}

export function getEnvironmentsQueryOptions() {
  return queryOptions({
    queryKey: ['deployments', 'environments'],
    queryFn: ({ signal }) => getEnvironments(signal),
    staleTime: 5 * 60_000,
  });
}

/** Environments for the DORA filter; an error leaves the menu with the production default only. */
export function useEnvironments() {
  return useQuery(getEnvironmentsQueryOptions());
}
