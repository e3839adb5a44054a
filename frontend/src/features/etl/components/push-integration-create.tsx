import { useId, useState, type FormEvent } from 'react';

import { Dialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { useCreatePushIntegration, type PushIntegrationCreated } from '@/features/etl/api/push-token';
import { PushTokenDialog } from '@/features/etl/components/push-token-dialog';
import { Authorization } from '@/lib/authorization';

type NewPushIntegrationProps = {
  onCreated: (integrationId: string | number) => void;
};

/** "New push integration": asks for a name, creates it, then shows its push token once. */
export function NewPushIntegration({ onCreated }: NewPushIntegrationProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<PushIntegrationCreated | null>(null);
  const create = useCreatePushIntegration();
  const { notify } = useNotifications();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) {
      setFormError('Enter a name.');
      return;
    }
    setFormError(null);
    create.mutate(name.trim(), {
      onSuccess: (integration) => {
        setOpen(false);
        setName('');
        setCreated(integration);
        onCreated(integration.id);
        notify({ tone: 'success', title: `Integration ${integration.name} created` });
      },
    });
  }

  return (
    <Authorization policy="integrations:admin">
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        New push integration
      </button>
      <Dialog open={open} title="New push integration" onClose={() => setOpen(false)}>
        <form className="form" onSubmit={handleSubmit} noValidate aria-label="New push integration">
          <p className="hint muted">
            Any CI/CD system (GitHub Actions, GitLab CI, Jenkins…) pushes its deployments and incidents to Pulse with
            a push token. Nothing is fetched or synced.
          </p>
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} required />
          </div>
          {formError ? (
            <p className="form-error" role="alert">
              {formError}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="btn btn--primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create and show token'}
            </button>
          </div>
        </form>
      </Dialog>
      <PushTokenDialog
        integrationId={created?.id ?? 0}
        issued={created?.push_token ?? null}
        onClose={() => setCreated(null)}
      />
    </Authorization>
  );
}
