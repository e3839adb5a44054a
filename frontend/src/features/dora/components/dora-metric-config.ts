import type {
  ChangeRow,
  DeploymentRow,
  DoraMetricKey,
  DoraMetrics,
  DoraTrendPoint,
  DrilldownKind,
  IncidentRow,
} from '@/features/dora/types/dora';
import type { Level } from '@/types/api';
import type { Direction } from '@/components/ui/kpi-card';

/** What the dashboard needs to know about each key metric, in one table. */
export type MetricConfig = {
  key: DoraMetricKey;
  title: string;
  testId: string;
  direction: Direction;
  drilldown: DrilldownKind;
  /** Change failure rate: list deployments with the most incidents first (failed ones). */
  failuresFirst?: boolean;
  /** The headline number from `/metrics/dora` (null when there is no data). */
  value: (metrics: DoraMetrics) => number | null;
  level: (metrics: DoraMetrics) => Level | null;
  /** The same number from one trend point. */
  trendValue: (point: DoraTrendPoint) => number | null;
  kind: 'per-week' | 'hours' | 'ratio';
};

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function recovery(metrics: DoraMetrics) {
  return metrics.failed_deployment_recovery_time ?? metrics.time_to_restore;
}

export const METRICS: readonly MetricConfig[] = [
  {
    key: 'deployment-frequency',
    title: 'Deployment frequency',
    testId: 'kpi-deployment-frequency',
    direction: 'higher-is-better',
    drilldown: 'deployments',
    value: (m) => num(m.deployment_frequency?.per_week),
    level: (m) => m.deployment_frequency?.level ?? null,
    trendValue: (p) => num(p.deployment_frequency?.per_week ?? p.deployment_frequency?.deployments),
    kind: 'per-week',
  },
  {
    key: 'lead-time',
    title: 'Lead time for changes',
    testId: 'kpi-lead-time',
    direction: 'lower-is-better',
    drilldown: 'changes',
    value: (m) => num(m.lead_time_for_changes?.median_hours),
    level: (m) => m.lead_time_for_changes?.level ?? null,
    trendValue: (p) => num(p.lead_time_for_changes?.median_hours),
    kind: 'hours',
  },
  {
    key: 'change-failure-rate',
    title: 'Change failure rate',
    testId: 'kpi-change-failure-rate',
    direction: 'lower-is-better',
    drilldown: 'deployments',
    failuresFirst: true,
    value: (m) => num(m.change_failure_rate?.rate),
    level: (m) => m.change_failure_rate?.level ?? null,
    trendValue: (p) => num(p.change_failure_rate?.rate),
    kind: 'ratio',
  },
  {
    key: 'recovery-time',
    title: 'Failed deployment recovery time',
    testId: 'kpi-recovery-time',
    direction: 'lower-is-better',
    drilldown: 'incidents',
    value: (m) => num(recovery(m)?.median_hours),
    level: (m) => recovery(m)?.level ?? null,
    trendValue: (p) => num(p.failed_deployment_recovery_time?.median_hours),
    kind: 'hours',
  },
];

export function metricByKey(key: string | null | undefined): MetricConfig | undefined {
  return METRICS.find((metric) => metric.key === key);
}

export type DrilldownRow = DeploymentRow | ChangeRow | IncidentRow;
