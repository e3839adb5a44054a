import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { CurrentSession, SessionRow } from '@/features/admin/types/admin';
import { backendApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export const sessionKeys = {
  all: ['admin', 'sessions'] as const,
  list: () => [...sessionKeys.all, 'list'] as const,
  current: () => [...sessionKeys.all, 'current'] as const,
};

/** GET /admin/sessions: the tenant's active sessions. */
export function getSessions(signal?: AbortSignal): Promise<Page<SessionRow>> {
  return backendApi.get<Page<SessionRow>>('/admin/sessions', { signal });
}

export function getSessionsQueryOptions() {
  return queryOptions({ queryKey: sessionKeys.list(), queryFn: ({ signal }) => getSessions(signal) });
}

export function useSessions() {
  return useQuery(getSessionsQueryOptions());
}

/** GET /admin/current-session: how this page knows which listed session is its own. */
export function getCurrentSession(signal?: AbortSignal): Promise<CurrentSession> {
  return backendApi.get<CurrentSession>('/admin/current-session', { signal });
}

export function getCurrentSessionQueryOptions() {
  return queryOptions({ queryKey: sessionKeys.current(), queryFn: ({ signal }) => getCurrentSession(signal) });
}

export function useCurrentSession() {
  return useQuery(getCurrentSessionQueryOptions());
}

/** DELETE /admin/sessions/{id}. */
export function terminateSession(id: string | number): Promise<void> {
  return backendApi.delete<void>(`/admin/sessions/${id}`);
}

export function useTerminateSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: terminateSession,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.list() }),
  });
}
