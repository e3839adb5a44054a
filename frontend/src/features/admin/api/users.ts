import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { AdminUser, SessionsEnded, UserCreate, UserUpdate } from '@/features/admin/types/admin';
import { backendApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export type UserListParams = { search?: string; limit: number; offset: number };

export const userKeys = {
  all: ['admin', 'users'] as const,
  lists: () => [...userKeys.all, 'list'] as const,
  list: (params: UserListParams) => [...userKeys.lists(), params] as const,
};

/** GET /admin/users?search=&limit=&offset=. */
export function getUsers(params: UserListParams, signal?: AbortSignal): Promise<Page<AdminUser>> {
  return backendApi.get<Page<AdminUser>>('/admin/users', { params, signal });
}

export function getUsersQueryOptions(params: UserListParams) {
  return queryOptions({
    queryKey: userKeys.list(params),
    queryFn: ({ signal }) => getUsers(params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useUsers(params: UserListParams) {
  return useQuery(getUsersQueryOptions(params));
}

/** POST /admin/users. */
export function createUser(body: UserCreate): Promise<AdminUser> {
  return backendApi.post<AdminUser>('/admin/users', body);
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.lists() }),
  });
}

/** PATCH /admin/users/{id}. */
export function updateUser({ id, body }: { id: string | number; body: UserUpdate }): Promise<AdminUser> {
  return backendApi.patch<AdminUser>(`/admin/users/${id}`, body);
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** POST /admin/users/{id}/deactivate. */
export function deactivateUser(id: string | number): Promise<AdminUser> {
  return backendApi.post<AdminUser>(`/admin/users/${id}/deactivate`);
}

export function useDeactivateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deactivateUser,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'sessions'] });
    },
  });
}

/** POST /admin/users/{id}/sessions/terminate: ends every session of one user (needs sessions:delete). */
export function terminateUserSessions(id: string | number): Promise<SessionsEnded> {
  return backendApi.post<SessionsEnded>(`/admin/users/${id}/sessions/terminate`);
}

export function useTerminateUserSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: terminateUserSessions,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'sessions'] }),
  });
}
