import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { DeactivateBody, SettingsItem, SettingsKind } from '@/features/settings/types/settings';
import { freshnessKeys } from '@/hooks/use-metrics-freshness';
import { etlApi } from '@/lib/api-client';
import type { Page } from '@/types/api';

export const settingsKeys = {
  all: ['settings'] as const,
  list: (kind: SettingsKind) => [...settingsKeys.all, kind, 'list'] as const,
};

/** GET /settings/{kind}, inactive rows included so they can be shown and told apart. */
export function getSettings(kind: SettingsKind, signal?: AbortSignal): Promise<Page<SettingsItem>> {
  return etlApi.get<Page<SettingsItem>>(`/settings/${kind}`, {
    params: { limit: 500, offset: 0, include_inactive: 'true' },
    signal,
  });
}

export function getSettingsQueryOptions(kind: SettingsKind) {
  return queryOptions({ queryKey: settingsKeys.list(kind), queryFn: ({ signal }) => getSettings(kind, signal) });
}

export function useSettings(kind: SettingsKind, enabled = true) {
  return useQuery({ ...getSettingsQueryOptions(kind), enabled });
}

/** POST /settings/{kind}. */
export function createSetting({ kind, body }: { kind: SettingsKind; body: Record<string, unknown> }): Promise<SettingsItem> {
  return etlApi.post<SettingsItem>(`/settings/${kind}`, body);
}

/** PATCH /settings/{kind}/{id}. */
export function updateSetting({
  kind,
  id,
  body,
}: {
  kind: SettingsKind;
  id: number | string;
  body: Record<string, unknown>;
}): Promise<SettingsItem> {
  return etlApi.patch<SettingsItem>(`/settings/${kind}/${id}`, body);
}

/** POST /settings/{kind}/{id}/deactivate with keep / reassign / cascade. */
export function deactivateSetting({
  kind,
  id,
  body,
}: {
  kind: SettingsKind;
  id: number | string;
  body: DeactivateBody;
}): Promise<SettingsItem> {
  return etlApi.post<SettingsItem>(`/settings/${kind}/${id}/deactivate`, body);
}

/**
 * Every settings mutation refreshes all settings lists (rows refer to each other: mappings → steps, …) and the
 * metrics' freshness: the write queued a rebuild of the facts, so "Recomputing…" shows until it is done.
 */
function useSettingsMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: settingsKeys.all }),
        queryClient.invalidateQueries({ queryKey: freshnessKeys.all }),
      ]),
  });
}

export function useCreateSetting() {
  return useSettingsMutation(createSetting);
}

export function useUpdateSetting() {
  return useSettingsMutation(updateSetting);
}

export function useDeactivateSetting() {
  return useSettingsMutation(deactivateSetting);
}
