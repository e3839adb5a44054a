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
export function useTeamOptions(enabled = true) {
  return useQuery({ ...getTeamOptionsQueryOptions(), enabled });
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
export function useRepositoryOptions(enabled = true) {
  return useQuery({ ...getRepositoryOptionsQueryOptions(), enabled });
}

export type IntegrationOption = { id: number | string; name: string; type?: string; active?: boolean };

/** Integrations for pickers (GET /integrations, needs integrations:read). */
export function getIntegrationOptions(signal?: AbortSignal): Promise<Page<IntegrationOption>> {
  return etlApi.get<Page<IntegrationOption>>('/integrations', { params: { limit: 500, offset: 0 }, signal });
}

export function getIntegrationOptionsQueryOptions() {
  return queryOptions({
    queryKey: ['etl', 'integrations', 'options'],
    queryFn: ({ signal }) => getIntegrationOptions(signal),
    staleTime: 60_000,
  });
}

export function useIntegrationOptions(enabled = true) {
  return useQuery({ ...getIntegrationOptionsQueryOptions(), enabled });
}
