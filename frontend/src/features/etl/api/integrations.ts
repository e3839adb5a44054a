import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type {
  Integration,
  IntegrationCreate,
  IntegrationUpdate,
  TestResult,
} from '@/features/etl/types/etl';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export const integrationKeys = {
  all: ['etl', 'integrations'] as const,
  list: () => [...integrationKeys.all, 'list'] as const,
};

/** Lists answer `{items, total}`; a bare array is accepted too. */
function asPage<T>(data: Page<T> | T[]): Page<T> {
  return Array.isArray(data) ? { items: data, total: data.length } : data;
}

/** GET /integrations. */
export async function getIntegrations(signal?: AbortSignal): Promise<Page<Integration>> {
  return asPage(await etlApi.get<Page<Integration> | Integration[]>('/integrations', { params: { limit: 200 }, signal }));
}

export function getIntegrationsQueryOptions() {
  return queryOptions({ queryKey: integrationKeys.list(), queryFn: ({ signal }) => getIntegrations(signal) });
}

export function useIntegrations() {
  return useQuery(getIntegrationsQueryOptions());
}

/** POST /integrations (needs integrations:admin). */
export function createIntegration(body: IntegrationCreate): Promise<Integration> {
  return etlApi.post<Integration>('/integrations', body);
}

export function useCreateIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createIntegration,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: integrationKeys.all }),
  });
}

/** PATCH /integrations/{id}. */
export function updateIntegration({ id, body }: { id: string | number; body: IntegrationUpdate }): Promise<Integration> {
  return etlApi.patch<Integration>(`/integrations/${id}`, body);
}

export function useUpdateIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateIntegration,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: integrationKeys.all }),
  });
}

/** POST /integrations/{id}/deactivate. */
export function deactivateIntegration(id: string | number): Promise<Integration> {
  return etlApi.post<Integration>(`/integrations/${id}/deactivate`);
}

export function useDeactivateIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deactivateIntegration,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: integrationKeys.all }),
  });
}

/** POST /integrations/test: checks credentials before saving. Its errors are shown inline, not as a banner. */
export function testIntegration(body: IntegrationCreate): Promise<TestResult> {
  return etlApi.post<TestResult>('/integrations/test', body);
}

export function useTestIntegration() {
  return useMutation({ mutationFn: testIntegration, meta: { silent: true } });
}
