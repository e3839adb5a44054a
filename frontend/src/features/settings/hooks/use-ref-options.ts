import { useSettings } from '@/features/settings/api/settings';
import type { RefSource, SettingsItem, SettingsKind } from '@/features/settings/types/settings';
import { useIntegrationOptions, useRepositoryOptions } from '@/hooks/use-filter-options';

export type RefOption = { value: string; label: string; active: boolean };

function labelOf(item: Record<string, unknown>): string {
  return String(item.full_name ?? item.name ?? item.status_name ?? item.issue_type_name ?? `#${String(item.id)}`);
}

/** Choices for a `ref`/`multiref` field, from a settings kind, the integrations or the repositories. */
export function useRefOptions(source: RefSource): { options: RefOption[]; isPending: boolean } {
  const isSettings = source !== 'integrations' && source !== 'repositories';
  const settings = useSettings((isSettings ? source : 'teams') as SettingsKind, isSettings);
  const integrations = useIntegrationOptions(source === 'integrations');
  const repositories = useRepositoryOptions(source === 'repositories');
  const query = source === 'integrations' ? integrations : source === 'repositories' ? repositories : settings;
  const items = (query.data?.items ?? []) as (SettingsItem | Record<string, unknown>)[];
  return {
    options: items.map((item) => ({
      value: String(item.id),
      label: labelOf(item as Record<string, unknown>),
      active: (item as { active?: boolean }).active !== false,
    })),
    isPending: query.isPending,
  };
}
