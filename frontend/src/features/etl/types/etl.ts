export type IntegrationType = 'github' | 'jira' | 'gitlab' | 'pagerduty' | 'opsgenie' | 'push';

/** Incident tools: their integrations map services to repositories and teams instead of listing scopes. */
export const INCIDENT_TOOL_TYPES: readonly IntegrationType[] = ['pagerduty', 'opsgenie'];

/** One entry of `settings.service_mappings`. */
export type ServiceMapping = { service: string; repository_ids?: number[]; team_ids?: number[] };

export type Schedule = { interval_minutes: number } | { cron: string; timezone?: string };

export type IntegrationSettings = {
  repositories?: string[];
  projects?: string[];
  schedule?: Schedule | null;
  sync_since?: string | null;
  pull_request_details?: boolean;
  service_mappings?: ServiceMapping[];
  [key: string]: unknown;
};

export type JobStatus = 'PENDING' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED' | 'CANCELLED';

export type Integration = {
  id: number | string;
  type: IntegrationType;
  name: string;
  base_url: string;
  settings: IntegrationSettings;
  active: boolean;
  has_credentials: boolean;
  created_at: string;
  last_updated_at: string;
  last_sync: { job_run_id: number | string; status: JobStatus; finished_at: string | null } | null;
};

export type GithubCredentials = { token: string };
export type JiraCredentials = { email: string; api_token: string };
export type OpsgenieCredentials = { api_key: string };

/** Body of POST /integrations and POST /integrations/test. */
export type IntegrationCreate = {
  type: IntegrationType;
  name: string;
  base_url: string;
  credentials: GithubCredentials | JiraCredentials | OpsgenieCredentials;
  settings: IntegrationSettings;
};

/** Body of PATCH /integrations/{id}; credentials only when replaced (they are write-only). */
export type IntegrationUpdate = Partial<Omit<IntegrationCreate, 'type' | 'credentials'>> & {
  credentials?: GithubCredentials | JiraCredentials | OpsgenieCredentials;
};

export type TestResult = { ok: boolean; message: string };

/** The source's rate limit as a run used it (`requests_left`/`points_left`: null until the source said). */
export type JobBudget = {
  requests_spent: number;
  points_spent: number | null;
  requests_left: number | null;
  points_left: number | null;
};

export type Job = {
  id: number | string;
  integration_id: number | string;
  status: JobStatus;
  step: string | null;
  percent: number | null;
  counts: Record<string, number> | null;
  budget?: JobBudget | null;
  attempt: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

export type LogEvent = { type: 'log'; level: string; message: string; at: string };

export type JobEventMessage = { type: 'state'; job: Job } | LogEvent | { type: 'ping' } | { type: string };

export const TERMINAL_STATUSES: readonly JobStatus[] = ['FINISHED', 'FAILED', 'CANCELLED'];

export function isTerminal(status: JobStatus | null | undefined): boolean {
  return !!status && TERMINAL_STATUSES.includes(status);
}
