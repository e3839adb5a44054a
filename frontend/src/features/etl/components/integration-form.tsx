import { useId, useState, type FormEvent } from 'react';

import { errorMessage } from '@/components/errors/error-view';
import { useTestIntegration } from '@/features/etl/api/integrations';
import { mappingProblem, ServiceMappingsEditor } from '@/features/etl/components/service-mappings-editor';
import {
  GitlabSettings,
  gitlabSettingsBody,
  gitlabSettingsFrom,
} from '@/features/etl/components/gitlab-settings';
import type {
  Integration,
  IntegrationCreate,
  IntegrationSettings,
  IntegrationType,
  Schedule,
  ServiceMapping,
} from '@/features/etl/types/etl';
import { INCIDENT_TOOL_TYPES } from '@/features/etl/types/etl';

type ScheduleMode = 'manual' | 'interval' | 'cron';

const DEFAULT_BASE_URL: Record<IntegrationType, string> = {
  github: 'https://api.github.com',
  jira: '',
  gitlab: 'https://gitlab.com',
  pagerduty: 'https://api.pagerduty.com',
  opsgenie: 'https://api.opsgenie.com',
  // Created by its own dialog (push-integration-create.tsx): no URL.
  push: '',
};

const TOKEN_LABEL: Record<IntegrationType, string> = {
  github: 'Access token',
  jira: 'API token',
  gitlab: 'Access token',
  pagerduty: 'API token',
  opsgenie: 'API key',
  push: '',
};

const BASE_URL_HINT: Record<IntegrationType, string> = {
  github: 'GitHub API root, or https://host/api/v3 for Enterprise.',
  jira: 'Your Jira site root.',
  gitlab: 'https://gitlab.com or your self-managed GitLab root (the API is under /api/v4).',
  pagerduty: 'PagerDuty REST API root.',
  opsgenie: 'Opsgenie API root: https://api.opsgenie.com, or https://api.eu.opsgenie.com for the EU instance.',
  push: '',
};

/** "a, b\nc" → ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function scheduleMode(schedule: Schedule | null | undefined): ScheduleMode {
  if (schedule && 'interval_minutes' in schedule) return 'interval';
  if (schedule && 'cron' in schedule) return 'cron';
  return 'manual';
}

type IntegrationFormProps = {
  integration?: Integration;
  submitLabel: string;
  busy?: boolean;
  onSubmit: (body: IntegrationCreate, credentialsChanged: boolean) => void;
  onCancel: () => void;
};

/** Create or edit an integration. Credentials are write-only: never shown, sent only when typed. */
export function IntegrationForm({ integration, submitLabel, busy, onSubmit, onCancel }: IntegrationFormProps) {
  const id = useId();
  const editing = !!integration;
  const [type, setType] = useState<IntegrationType>(integration?.type ?? 'github');
  const [name, setName] = useState(integration?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(integration?.base_url ?? DEFAULT_BASE_URL.github);
  const [token, setTokenValue] = useState('');
  const [email, setEmail] = useState('');
  const [apiToken, setApiToken] = useState('');
  const initialScopes = integration?.settings?.repositories ?? integration?.settings?.projects ?? [];
  const [scopes, setScopes] = useState(initialScopes.join('\n'));
  const [organization, setOrganization] = useState(
    typeof integration?.settings?.organization === 'string' ? integration.settings.organization : '',
  );
  const schedule = integration?.settings?.schedule;
  const [mode, setMode] = useState<ScheduleMode>(scheduleMode(schedule));
  const [interval, setIntervalMinutes] = useState(
    schedule && 'interval_minutes' in schedule ? String(schedule.interval_minutes) : '60',
  );
  const [cron, setCron] = useState(schedule && 'cron' in schedule ? schedule.cron : '0 * * * *');
  const [timezone, setTimezone] = useState(
    schedule && 'cron' in schedule && schedule.timezone ? schedule.timezone : 'UTC',
  );
  const [syncSince, setSyncSince] = useState(integration?.settings?.sync_since ?? '');
  const [pullRequestDetails, setPullRequestDetails] = useState(integration?.settings?.pull_request_details === true);
  const [mappings, setMappings] = useState<ServiceMapping[]>(integration?.settings?.service_mappings ?? []);
  const incidentTool = INCIDENT_TOOL_TYPES.includes(type);
  const [gitlab, setGitlab] = useState(() => gitlabSettingsFrom(integration?.settings));
  const [formError, setFormError] = useState<string | null>(null);
  const test = useTestIntegration();

  // Every type but Jira takes one token (or key); Jira an e-mail and an API token.
  const usesToken = type !== 'jira';
  const credentialsTyped = usesToken ? token.trim() !== '' : email.trim() !== '' || apiToken.trim() !== '';
  const credentialsComplete = usesToken ? token.trim() !== '' : email.trim() !== '' && apiToken.trim() !== '';

  function buildBody(): IntegrationCreate {
    const list = splitList(scopes);
    const nextSchedule: Schedule | null =
      mode === 'interval'
        ? { interval_minutes: Math.max(1, Number(interval) || 60) }
        : mode === 'cron'
          ? { cron: cron.trim(), timezone: timezone.trim() || 'UTC' }
          : null;
    const { repositories: _r, projects: _p, organization: _o, ...otherSettings } = integration?.settings ?? {};
    const settings: IntegrationSettings = {
      ...otherSettings,
      ...(incidentTool
        ? { service_mappings: mappings.map((m) => ({ ...m, service: m.service.trim() })) }
        : type === 'github'
          ? {
              repositories: list,
              pull_request_details: pullRequestDetails,
              ...(organization.trim() ? { organization: organization.trim() } : {}),
            }
          : type === 'gitlab'
            ? gitlabSettingsBody(gitlab, splitList)
            : { projects: list }),
      schedule: nextSchedule,
      sync_since: syncSince || null,
    };
    return {
      type,
      name: name.trim(),
      base_url: baseUrl.trim(),
      credentials:
        type === 'jira'
          ? { email: email.trim(), api_token: apiToken.trim() }
          : type === 'opsgenie'
            ? { api_key: token.trim() }
            : { token: token.trim() },
      settings,
    };
  }

  function validate(): string | null {
    if (!name.trim()) return 'Enter a name.';
    if (!/^https?:\/\/\S+$/.test(baseUrl.trim())) return 'Enter the base URL, starting with https:// (or http:// on loopback).';
    if (!editing && !credentialsComplete) return 'Enter the credentials.';
    if (type === 'gitlab' && splitList(`${gitlab.groups}\n${gitlab.projects}`).length === 0)
      return 'Enter a group or a project.';
    if (editing && credentialsTyped && !credentialsComplete) return 'Enter every credential field, or none to keep the stored ones.';
    if (mode === 'cron' && cron.trim().split(/\s+/).length < 5) return 'A cron expression has five fields.';
    if (incidentTool) return mappingProblem(mappings);
    return null;
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem = validate();
    setFormError(problem);
    if (problem) return;
    onSubmit(buildBody(), credentialsTyped);
  }

  function runTest() {
    const problem = validate();
    if (problem) {
      setFormError(problem);
      return;
    }
    setFormError(null);
    test.mutate(buildBody());
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-label={editing ? 'Edit integration' : 'New integration'}>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            value={type}
            disabled={editing}
            onChange={(event) => {
              const next = event.target.value as IntegrationType;
              setType(next);
              if (!baseUrl || baseUrl === DEFAULT_BASE_URL[type]) setBaseUrl(DEFAULT_BASE_URL[next]);
            }}
          >
            <option value="github">GitHub</option>
            <option value="jira">Jira</option>
            <option value="gitlab">GitLab</option>
            <option value="pagerduty">PagerDuty</option>
            <option value="opsgenie">Opsgenie</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} required />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-base-url`}>Base URL</label>
        <input
          id={`${id}-base-url`}
          type="url"
          value={baseUrl}
          placeholder={DEFAULT_BASE_URL[type] || 'https://your-site.atlassian.net'}
          onChange={(event) => setBaseUrl(event.target.value)}
          aria-describedby={`${id}-base-url-hint`}
        />
        <span id={`${id}-base-url-hint`} className="hint">
          {BASE_URL_HINT[type]}
        </span>
      </div>
      <fieldset>
        <legend className="field-label">Credentials</legend>
        <p className="hint muted" id={`${id}-cred-hint`}>
          {editing
            ? integration?.has_credentials
              ? 'Credentials are stored and never shown. Leave these blank to keep them.'
              : 'No credentials stored yet.'
            : 'Stored encrypted; never shown again.'}
        </p>
        {usesToken ? (
          <div className="field">
            <label htmlFor={`${id}-token`}>{TOKEN_LABEL[type]}</label>
            <input
              id={`${id}-token`}
              type="password"
              autoComplete="new-password"
              value={token}
              onChange={(event) => setTokenValue(event.target.value)}
              aria-describedby={`${id}-cred-hint`}
            />
          </div>
        ) : (
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-email`}>Account email</label>
              <input
                id={`${id}-email`}
                type="email"
                autoComplete="off"
                value={email}
                onChange={(event) => setEmail(event.target.value)}
                aria-describedby={`${id}-cred-hint`}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-api-token`}>API token</label>
              <input
                id={`${id}-api-token`}
                type="password"
                autoComplete="new-password"
                value={apiToken}
                onChange={(event) => setApiToken(event.target.value)}
                aria-describedby={`${id}-cred-hint`}
              />
            </div>
          </div>
        )}
      </fieldset>
      {type === 'github' ? (
        <div className="field">
          <label htmlFor={`${id}-org`}>Organisation (optional)</label>
          <input
            id={`${id}-org`}
            value={organization}
            onChange={(event) => setOrganization(event.target.value)}
            aria-describedby={`${id}-org-hint`}
          />
          <span id={`${id}-org-hint`} className="hint">
            With no repositories listed, every repository of this organisation is synced.
          </span>
        </div>
      ) : null}
      {type === 'github' ? (
        <div className="field">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={pullRequestDetails}
              onChange={(event) => setPullRequestDetails(event.target.checked)}
              aria-describedby={`${id}-pr-details-hint`}
            />
            Fetch pull request sizes
          </label>
          <span id={`${id}-pr-details-hint`} className="hint">
            Lines and files changed per pull request, for the size analytics. Costs one more API request per pull
            request synced.
          </span>
        </div>
      ) : null}
      {incidentTool ? <ServiceMappingsEditor value={mappings} onChange={setMappings} /> : null}
      {type === 'gitlab' ? <GitlabSettings id={id} value={gitlab} onChange={setGitlab} /> : null}
      {incidentTool || type === 'gitlab' ? null : (
        <div className="field">
          <label htmlFor={`${id}-scopes`}>{type === 'github' ? 'Repositories' : 'Projects'}</label>
          <textarea
            id={`${id}-scopes`}
            value={scopes}
            onChange={(event) => setScopes(event.target.value)}
            aria-describedby={`${id}-scopes-hint`}
            placeholder={type === 'github' ? 'org/repo' : 'KEY'}
          />
          <span id={`${id}-scopes-hint`} className="hint">
            One per line or comma-separated. {type === 'github' ? 'Empty: every repository of the organisation.' : 'Empty: every project.'}
          </span>
        </div>
      )}
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-schedule`}>Schedule</label>
          <select id={`${id}-schedule`} value={mode} onChange={(event) => setMode(event.target.value as ScheduleMode)}>
            <option value="manual">Manual only</option>
            <option value="interval">Every N minutes</option>
            <option value="cron">Cron expression</option>
          </select>
        </div>
        {mode === 'interval' ? (
          <div className="field">
            <label htmlFor={`${id}-interval`}>Interval (minutes)</label>
            <input
              id={`${id}-interval`}
              type="number"
              min={1}
              value={interval}
              onChange={(event) => setIntervalMinutes(event.target.value)}
            />
          </div>
        ) : null}
        {mode === 'cron' ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-cron`}>Cron</label>
              <input id={`${id}-cron`} value={cron} onChange={(event) => setCron(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-tz`}>Time zone</label>
              <input id={`${id}-tz`} value={timezone} onChange={(event) => setTimezone(event.target.value)} />
            </div>
          </>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-since`}>Sync history since</label>
          <input id={`${id}-since`} type="date" value={syncSince} onChange={(event) => setSyncSince(event.target.value)} />
        </div>
      </div>
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      {test.isSuccess ? (
        <p className={test.data.ok ? 'notice' : 'form-error'} role="status" data-testid="test-connection-result">
          {test.data.ok ? 'Connection works' : 'Connection failed'}
          {test.data.message ? `: ${test.data.message}` : '.'}
        </p>
      ) : null}
      {test.isError ? (
        <p className="form-error" role="alert" data-testid="test-connection-result">
          Connection test failed: {errorMessage(test.error)}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="btn"
          onClick={runTest}
          disabled={test.isPending || !credentialsComplete}
          title={credentialsComplete ? undefined : 'Enter credentials to test them'}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
