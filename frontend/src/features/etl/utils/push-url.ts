import { getConfig } from '@/config/env';

/** Where a CI system pushes for an integration: `<ETL Service>/api/v1/push/{id}` (routes are under it). */
export function pushUrl(integrationId: string | number): string {
  return `${getConfig().etlUrl}/api/v1/push/${integrationId}`;
}
