import { useState } from 'react';

import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { useDeactivateIntegration, useUpdateIntegration } from '@/features/etl/api/integrations';
import { useSyncIntegration } from '@/features/etl/api/jobs';
import { gitlabScopes } from '@/features/etl/components/gitlab-settings';
import { IntegrationForm } from '@/features/etl/components/integration-form';
import { JobHistory } from '@/features/etl/components/job-history';
import { JobPanel } from '@/features/etl/components/job-panel';
import { JobStatusBadge } from '@/features/etl/components/job-status-badge';
import { PushTokenPanel } from '@/features/etl/components/push-token-panel';
import type { Integration, IntegrationType, Schedule } from '@/features/etl/types/etl';
import { INCIDENT_TOOL_TYPES } from '@/features/etl/types/etl';
import { Authorization } from '@/lib/authorization';
import { formatDate, formatDateTime } from '@/utils/format';

const TYPE_LABEL: Partial<Record<IntegrationType, string>> = {
  github: 'GitHub',
  jira: 'Jira',
  gitlab: 'GitLab',
  pagerduty: 'PagerDuty',
  opsgenie: 'Opsgenie',
};

const SCOPE_LABEL: Partial<Record<IntegrationType, string>> = {
  github: 'Repositories',
  jira: 'Projects',
  gitlab: 'Groups and projects',
  pagerduty: 'Mapped services',
  opsgenie: 'Mapped services',
};

/** "Every 60 minutes", "cron 0 * * * * (UTC)" or "Manual only". */
export function describeSchedule(schedule: Schedule | null | undefined): string {
  if (schedule && 'interval_minutes' in schedule) return `Every ${schedule.interval_minutes} minutes`;
  if (schedule && 'cron' in schedule) return `Cron ${schedule.cron} (${schedule.timezone ?? 'UTC'})`;
  return 'Manual only';
}

type IntegrationDetailProps = {
  integration: Integration;
  jobId: string | number | null;
  onJobChange: (jobId: string | number | null) => void;
};

/** An integration: its settings, schedule, sync controls, the selected run and the run history. */
export function IntegrationDetail({ integration, jobId, onJobChange }: IntegrationDetailProps) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const update = useUpdateIntegration();
  const deactivate = useDeactivateIntegration();
  const sync = useSyncIntegration();
  const { notify } = useNotifications();
  // A push integration never syncs and has nothing to edit but its token: its runs are the pushes.
  const isPush = integration.type === 'push';
  const scopes =
    integration.type === 'gitlab'
      ? gitlabScopes(integration.settings)
      : (integration.settings?.repositories ?? integration.settings?.projects ?? []);
  const mappings = INCIDENT_TOOL_TYPES.includes(integration.type) ? (integration.settings?.service_mappings ?? []) : null;
  const shownJob = jobId ?? integration.last_sync?.job_run_id ?? null;

  return (
    <div className="grid" style={{ gap: '1rem' }}>
      <section className="card" aria-labelledby="integration-title">
        <div className="page-header">
          <div>
            <h2 id="integration-title">
              {integration.name}{' '}
              {integration.active ? null : <span className="badge badge--neutral">Inactive</span>}
            </h2>
            <p className="muted">
              {isPush
                ? 'Push (any CI/CD)'
                : `${TYPE_LABEL[integration.type] ?? integration.type} · ${integration.base_url}`}
            </p>
          </div>
          <div className="btn-group">
            {isPush ? null : (
              <Authorization policy="etl_jobs:execute">
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={!integration.active || sync.isPending}
                  onClick={() =>
                    sync.mutate(integration.id, {
                      onSuccess: (answer) => {
                        onJobChange(answer.job_run_id);
                        notify({ tone: 'success', title: `Sync started (job #${answer.job_run_id})` });
                      },
                    })
                  }
                >
                  {sync.isPending ? 'Starting…' : 'Sync now'}
                </button>
              </Authorization>
            )}
            <Authorization policy="integrations:admin">
              {isPush ? null : (
                <button type="button" className="btn" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
              {integration.active ? (
                <button type="button" className="btn btn--danger" onClick={() => setConfirming(true)}>
                  Deactivate
                </button>
              ) : null}
            </Authorization>
          </div>
        </div>
        {isPush ? (
          <PushTokenPanel integration={integration} />
        ) : (
        <dl className="stat-list">
          <div>
            <dt>{SCOPE_LABEL[integration.type] ?? 'Projects'}</dt>
            <dd style={{ fontSize: '0.95rem' }}>
              {mappings
                ? mappings.length
                  ? mappings.map((m) => m.service).join(', ')
                  : 'None: incidents count in time to restore only'
                : scopes.length
                  ? scopes.join(', ')
                  : 'All'}
            </dd>
          </div>
          <div>
            <dt>Schedule</dt>
            <dd style={{ fontSize: '0.95rem' }} data-testid="integration-schedule">
              {describeSchedule(integration.settings?.schedule)}
            </dd>
          </div>
          <div>
            <dt>Last sync</dt>
            <dd style={{ fontSize: '0.95rem' }}>
              <JobStatusBadge status={integration.last_sync?.status} />{' '}
              {integration.last_sync?.finished_at ? formatDateTime(integration.last_sync.finished_at) : ''}
            </dd>
          </div>
          <div>
            <dt>Credentials</dt>
            <dd style={{ fontSize: '0.95rem' }}>{integration.has_credentials ? 'Stored' : 'Missing'}</dd>
          </div>
          {integration.settings?.sync_since ? (
            <div>
              <dt>History since</dt>
              <dd style={{ fontSize: '0.95rem' }}>{formatDate(integration.settings.sync_since)}</dd>
            </div>
          ) : null}
        </dl>
        )}
      </section>

      {shownJob !== null ? <JobPanel key={String(shownJob)} jobId={shownJob} /> : null}
      <JobHistory integrationId={integration.id} selectedJobId={shownJob} onSelect={(job) => onJobChange(job.id)} />

      <Dialog open={editing} title={`Edit ${integration.name}`} onClose={() => setEditing(false)}>
        <IntegrationForm
          integration={integration}
          submitLabel="Save changes"
          busy={update.isPending}
          onCancel={() => setEditing(false)}
          onSubmit={(body, credentialsChanged) =>
            update.mutate(
              {
                id: integration.id,
                body: {
                  name: body.name,
                  base_url: body.base_url,
                  settings: body.settings,
                  ...(credentialsChanged ? { credentials: body.credentials } : {}),
                },
              },
              {
                onSuccess: () => {
                  setEditing(false);
                  notify({ tone: 'success', title: 'Integration saved' });
                },
              },
            )
          }
        />
      </Dialog>
      <ConfirmDialog
        open={confirming}
        title={`Deactivate ${integration.name}?`}
        message="It stops syncing and its data is left out of every metric. Nothing is deleted."
        confirmLabel="Deactivate"
        busy={deactivate.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          deactivate.mutate(integration.id, {
            onSuccess: () => {
              setConfirming(false);
              notify({ tone: 'success', title: 'Integration deactivated' });
            },
          })
        }
      />
    </div>
  );
}
