/** How each source of a drill-down row (the integration type it came from) is named on screen. */
export const SOURCE_LABELS: Record<string, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  jira: 'Jira',
  pagerduty: 'PagerDuty',
  opsgenie: 'Opsgenie',
  push: 'Push',
};

/** "github" → "GitHub"; an unknown source is shown as the server names it. */
export function sourceLabel(source: string | null | undefined): string {
  if (!source) return '—';
  return SOURCE_LABELS[source.toLowerCase()] ?? source;
}
