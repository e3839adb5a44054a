export type AnalyticsFilters = {
  from: string;
  to: string;
  team_id?: string;
  repository_id?: string;
};

export type FlowFilters = {
  from: string;
  to: string;
  team_id?: string;
  project?: string;
};

export type CycleTime = {
  coding_hours: number | null;
  pickup_hours: number | null;
  review_hours: number | null;
  deploy_hours: number | null;
  total_hours: number | null;
};

export type PullRequestMetrics = {
  cycle_time: CycleTime;
  throughput: { merged: number; per_week: number | null };
  size: { median_lines: number | null; median_files: number | null };
  review: { median_reviews: number | null; median_comments: number | null; review_cycles: number | null };
  rework: { rate: number | null };
};

export type PullRequestTrendPoint = {
  period_start: string;
  cycle_time?: Partial<CycleTime>;
  throughput?: { merged?: number; per_week?: number | null };
  size?: { median_lines?: number | null; median_files?: number | null };
  review?: { median_reviews?: number | null; median_comments?: number | null; review_cycles?: number | null };
  rework?: { rate?: number | null };
};

export type PullRequestTrend = { granularity: string; points: PullRequestTrendPoint[] };

export type PullRequestItem = {
  pull_request_id: number | string;
  repository: string;
  number: number;
  title: string;
  author: string | null;
  first_commit_at: string | null;
  opened_at: string;
  first_review_at: string | null;
  merged_at: string;
  deployed_at: string | null;
  deployment_id: number | string | null;
  coding_hours: number | null;
  pickup_hours: number | null;
  review_hours: number | null;
  deploy_hours: number | null;
  total_hours: number | null;
  lines: number | null;
  files: number | null;
  reviews: number;
  comments: number;
  review_cycles: number;
  rework_commits: number;
};

export type Percentiles = { median_hours: number | null; p75_hours?: number | null; p90_hours?: number | null };

export type FlowMetrics = {
  cycle_time: Percentiles;
  lead_time: Percentiles;
  throughput: { items: number; per_week: number | null };
  wip: { items: number };
  time_in_step: { step: string; category: string; median_hours: number | null }[];
  flow_efficiency: number | null;
  reopen_rate: number | null;
};

export type FlowTrendPoint = {
  period_start: string;
  cycle_time?: Partial<Percentiles>;
  lead_time?: Partial<Percentiles>;
  throughput?: { items?: number; per_week?: number | null };
  flow_efficiency?: number | null;
  reopen_rate?: number | null;
};

export type FlowTrend = { granularity: string; points: FlowTrendPoint[] };

export type FlowItem = {
  id: number | string;
  key: string;
  summary: string;
  issue_type: string;
  project: string;
  status: string;
  opened_at: string;
  cycle_started_at: string | null;
  completed_at: string;
  cycle_time_hours: number | null;
  lead_time_hours: number;
  active_hours: number;
  reopened: boolean;
};
