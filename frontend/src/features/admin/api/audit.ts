import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import type { AuditEvent } from '@/features/admin/types/admin';
import { backendApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export type AuditParams = { limit: number; offset: number };

/** GET /admin/audit: newest first. */
export function getAuditEvents(params: AuditParams, signal?: AbortSignal): Promise<Page<AuditEvent>> {
  return backendApi.get<Page<AuditEvent>>('/admin/audit', { params, signal });
}

export function getAuditEventsQueryOptions(params: AuditParams) {
  return queryOptions({
    queryKey: ['admin', 'audit', params],
    queryFn: ({ signal }) => getAuditEvents(params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useAuditEvents(params: AuditParams) {
  return useQuery(getAuditEventsQueryOptions(params));
}
