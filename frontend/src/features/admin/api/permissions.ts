import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { PermissionMatrix, PermissionOverride, UserPermissions } from '@/features/admin/types/admin';
import { backendApi } from '@/lib/api-client';

export const permissionKeys = {
  matrix: ['admin', 'permissions', 'matrix'] as const,
  user: (id: string | number) => ['admin', 'permissions', 'user', String(id)] as const,
};

/** GET /admin/permissions/matrix: the default role matrix. */
export function getPermissionMatrix(signal?: AbortSignal): Promise<PermissionMatrix> {
  return backendApi.get<PermissionMatrix>('/admin/permissions/matrix', { signal });
}

export function getPermissionMatrixQueryOptions() {
  return queryOptions({
    queryKey: permissionKeys.matrix,
    queryFn: ({ signal }) => getPermissionMatrix(signal),
    staleTime: 5 * 60_000,
  });
}

export function usePermissionMatrix() {
  return useQuery(getPermissionMatrixQueryOptions());
}

/** GET /admin/users/{id}/permissions: role, overrides and effective permissions. */
export function getUserPermissions(id: string | number, signal?: AbortSignal): Promise<UserPermissions> {
  return backendApi.get<UserPermissions>(`/admin/users/${id}/permissions`, { signal });
}

export function getUserPermissionsQueryOptions(id: string | number) {
  return queryOptions({ queryKey: permissionKeys.user(id), queryFn: ({ signal }) => getUserPermissions(id, signal) });
}

export function useUserPermissions(id: string | number) {
  return useQuery(getUserPermissionsQueryOptions(id));
}

/** PUT /admin/users/{id}/permissions with the full list of overrides. */
export function putUserPermissions({
  id,
  overrides,
}: {
  id: string | number;
  overrides: PermissionOverride[];
}): Promise<UserPermissions> {
  return backendApi.put<UserPermissions>(`/admin/users/${id}/permissions`, { overrides });
}

export function useUpdateUserPermissions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: putUserPermissions,
    onSuccess: (data, { id }) => {
      if (data && typeof data === 'object') queryClient.setQueryData(permissionKeys.user(id), data);
      void queryClient.invalidateQueries({ queryKey: permissionKeys.user(id) });
    },
  });
}
