import { useState } from 'react';

import { QueryState } from '@/components/ui/query-state';
import { Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { useCreateIntegration, useIntegrations } from '@/features/etl/api/integrations';
import { IntegrationDetail } from '@/features/etl/components/integration-detail';
import { IntegrationForm } from '@/features/etl/components/integration-form';
import { JobStatusBadge } from '@/features/etl/components/job-status-badge';
import { NewPushIntegration } from '@/features/etl/components/push-integration-create';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { useSearchState } from '@/hooks/use-search-state';
import { Authorization, useAuthorization } from '@/lib/authorization';

/** ETL management: integrations on the left, the selected one with its jobs on the right. */
export function EtlPage() {
  useDocumentTitle('ETL');
  const { get, set } = useSearchState();
  const { can } = useAuthorization();
  const integrations = useIntegrations();
  const create = useCreateIntegration();
  const { notify } = useNotifications();
  const [creating, setCreating] = useState(false);
  const selectedParam = get('integration');
  const jobParam = get('job');
  const readOnly = !can('integrations:admin') && !can('etl_jobs:execute');

  return (
    <>
      <div className="page-header">
        <div>
          <h1>ETL</h1>
          <p className="muted">
            Integrations, sync jobs and their progress.{readOnly ? ' You have read-only access.' : ''}
          </p>
        </div>
        <div className="btn-group">
          <NewPushIntegration onCreated={(integrationId) => set({ integration: integrationId, job: null })} />
          <Authorization policy="integrations:admin">
            <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
              New integration
            </button>
          </Authorization>
        </div>
      </div>
      <QueryState query={integrations} label="integrations">
        {(page) => {
          const selected =
            page.items.find((item) => String(item.id) === selectedParam) ?? page.items.find((item) => item.active) ?? page.items[0];
          return (
            <div className="split">
              <nav aria-label="Integrations" className="card">
                <h2>Integrations</h2>
                {page.items.length === 0 ? (
                  <p className="muted">No integrations yet.</p>
                ) : (
                  <ul className="list-select">
                    {page.items.map((item) => (
                      <li key={item.id}>
                        <button
                          type="button"
                          className="btn"
                          aria-current={selected?.id === item.id ? 'true' : undefined}
                          onClick={() => set({ integration: item.id, job: null })}
                        >
                          <span>
                            {item.name}
                            <span className="muted"> · {item.type}</span>
                            {item.active ? null : <span className="muted"> (inactive)</span>}
                          </span>
                          <JobStatusBadge status={item.last_sync?.status} />
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </nav>
              <div>
                {selected ? (
                  <IntegrationDetail
                    key={String(selected.id)}
                    integration={selected}
                    jobId={jobParam || null}
                    onJobChange={(job) => set({ integration: selected.id, job })}
                  />
                ) : null}
              </div>
            </div>
          );
        }}
      </QueryState>
      <Dialog open={creating} title="New integration" onClose={() => setCreating(false)}>
        <IntegrationForm
          submitLabel="Create integration"
          busy={create.isPending}
          onCancel={() => setCreating(false)}
          onSubmit={(body) =>
            create.mutate(body, {
              onSuccess: (integration) => {
                setCreating(false);
                set({ integration: integration.id, job: null });
                notify({ tone: 'success', title: `Integration ${integration.name} created` });
              },
            })
          }
        />
      </Dialog>
    </>
  );
}
