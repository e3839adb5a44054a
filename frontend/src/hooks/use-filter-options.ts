import { queryOptions, useQuery } from '@tanstack/react-query';

import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export type TeamOption = { id: number | string; name: string; active?: boolean };
export type RepositoryOption = { id: number | string; full_name?: string; name?: string; active?: boolean };

/** Teams for filter menus (GET /settings/teams). */
export function getTeamOptions(signal?: AbortSignal): Promise<Page<TeamOption>> {
  return etlApi.get<Page<TeamOption>>('/settings/teams', { params: { limit: 500, offset: 0 }, signal });
}

export function getTeamOptionsQueryOptions() {
  return queryOptions({
    queryKey: ['settings', 'teams', 'options'],
    queryFn: ({ signal }) => getTeamOptions(signal),
    staleTime: 5 * 60_000,
  });
}

/** Teams for the filter bar; an error leaves the menu with "All teams" only. */
export function useTeamOptions() {
  return useQuery(getTeamOptionsQueryOptions());
}

/** Repositories for filter menus (GET /repositories). */
export function getRepositoryOptions(signal?: AbortSignal): Promise<Page<RepositoryOption>> {
  return etlApi.get<Page<RepositoryOption>>('/repositories', { params: { limit: 500, offset: 0 }, signal });
}

export function getRepositoryOptionsQueryOptions() {
  return queryOptions({
    queryKey: ['repositories', 'options'],
    queryFn: ({ signal }) => getRepositoryOptions(signal),
    staleTime: 5 * 60_000,
  });
}

/** Repositories for the filter bar. */
export function useRepositoryOptions() {
  return useQuery(getRepositoryOptionsQueryOptions());
}
