import type { Level } from '@/types/api';

/** Filters of every DORA call; kept in the URL. */
export type DoraFilters = {
  from: string;
  to: string;
  team_id?: string;
  repository_id?: string;
  environment?: string;
};

export type Granularity = 'week' | 'month';

export type DeploymentFrequency = {
  deployments: number;
  deployment_days?: number;
  per_week: number | null;
  level: Level | null;
};

export type LeadTime = {
  median_hours: number | null;
  p75_hours?: number | null;
  p90_hours?: number | null;
  changes?: number;
  level: Level | null;
};

export type ChangeFailureRate = {
  rate: number | null;
  failed_deployments?: number;
  deployments?: number;
  level: Level | null;
};

export type RecoveryTime = {
  median_hours: number | null;
  p75_hours?: number | null;
  p90_hours?: number | null;
  incidents?: number;
  level: Level | null;
};

export type DoraMetrics = {
  period?: { from: string; to: string };
  deployment_frequency?: DeploymentFrequency;
  lead_time_for_changes?: LeadTime;
  change_failure_rate?: ChangeFailureRate;
  failed_deployment_recovery_time?: RecoveryTime;
  time_to_restore?: RecoveryTime;
};

export type DoraTrendPoint = {
  period_start: string;
  deployment_frequency?: Partial<DeploymentFrequency>;
  lead_time_for_changes?: Partial<LeadTime>;
  change_failure_rate?: Partial<ChangeFailureRate>;
  failed_deployment_recovery_time?: Partial<RecoveryTime>;
};

export type DoraTrend = {
  granularity: Granularity;
  points: DoraTrendPoint[];
};

/** The four keys, in the URL as `metric=`. */
export type DoraMetricKey = 'deployment-frequency' | 'lead-time' | 'change-failure-rate' | 'recovery-time';

/** Which drill-down route lists the rows behind a metric. */
export type DrilldownKind = 'deployments' | 'changes' | 'incidents';

export type DeploymentRow = {
  id: number | string;
  /** The integration type it came from: github, gitlab, push. */
  source: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  finished_at: string | null;
  changes: number;
  incidents: number;
  failed: boolean;
};

export type ChangeRow = {
  pull_request_id: number | string;
  source: string;
  repository: string;
  number: number;
  title: string;
  author: string;
  first_commit_at: string | null;
  opened_at: string | null;
  first_review_at: string | null;
  merged_at: string | null;
  deployed_at: string | null;
  deployment_id: number | string | null;
  coding_hours: number | null;
  pickup_hours: number | null;
  review_hours: number | null;
  deploy_hours: number | null;
  lead_time_hours: number | null;
};

export type IncidentRow = {
  id: number | string;
  source: string;
  key: string;
  title: string;
  opened_at: string | null;
  resolved_at: string | null;
  deployment_id: number | string | null;
  recovery_hours: number | null;
  time_to_restore_hours: number | null;
};

export type DrilldownParams = DoraFilters & {
  limit: number;
  offset: number;
  sort?: string;
  order?: 'asc' | 'desc';
};
