import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { integrationKeys } from '@/features/etl/api/integrations';
import type { Integration } from '@/features/etl/types/etl';
import { etlApi } from '@/lib/api-client';

/** A new push token: `token` is in this answer only; the server keeps its hash. */
export type PushTokenIssued = { token: string; prefix: string; created_at: string };

/** The live push token without its secret. */
export type PushTokenInfo = { prefix: string; created_at: string; last_used_at: string | null };

/** The answer to creating a push integration: the integration and, this once, its token. */
export type PushIntegrationCreated = Integration & { push_token: PushTokenIssued };

export const pushTokenKeys = {
  one: (integrationId: string | number) => [...integrationKeys.all, String(integrationId), 'push-token'] as const,
};

/** POST /integrations with type push (needs integrations:admin): no URL, no credentials, no schedule. */
export function createPushIntegration(name: string): Promise<PushIntegrationCreated> {
  return etlApi.post<PushIntegrationCreated>('/integrations', { type: 'push', name });
}

export function useCreatePushIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPushIntegration,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: integrationKeys.all }),
  });
}

/** GET /integrations/{id}/push-token. */
export function getPushToken(integrationId: string | number, signal?: AbortSignal): Promise<PushTokenInfo> {
  return etlApi.get<PushTokenInfo>(`/integrations/${integrationId}/push-token`, { signal });
}

export function getPushTokenQueryOptions(integrationId: string | number) {
  return queryOptions({
    queryKey: pushTokenKeys.one(integrationId),
    queryFn: ({ signal }) => getPushToken(integrationId, signal),
  });
}

export function usePushToken(integrationId: string | number) {
  return useQuery(getPushTokenQueryOptions(integrationId));
}

/** POST /integrations/{id}/push-token: a new token; the old one stops working at once. */
export function rotatePushToken(integrationId: string | number): Promise<PushTokenIssued> {
  return etlApi.post<PushTokenIssued>(`/integrations/${integrationId}/push-token`);
}

export function useRotatePushToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: rotatePushToken,
    onSuccess: (_answer, integrationId) =>
      queryClient.invalidateQueries({ queryKey: pushTokenKeys.one(integrationId) }),
  });
}
