import { useState } from 'react';

import { ConfirmDialog } from '@/components/ui/dialog';
import { useNotifications } from '@/components/ui/notifications';
import { QueryState } from '@/components/ui/query-state';
import { usePushToken, useRotatePushToken, type PushTokenIssued } from '@/features/etl/api/push-token';
import { PushTokenDialog } from '@/features/etl/components/push-token-dialog';
import type { Integration } from '@/features/etl/types/etl';
import { pushUrl } from '@/features/etl/utils/push-url';
import { Authorization } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';

/** A push integration's endpoint and token (prefix and use only), with "Rotate token" for admins. */
export function PushTokenPanel({ integration }: { integration: Integration }) {
  const token = usePushToken(integration.id);
  const rotate = useRotatePushToken();
  const { notify } = useNotifications();
  const [confirming, setConfirming] = useState(false);
  const [issued, setIssued] = useState<PushTokenIssued | null>(null);

  return (
    <div data-testid="push-token-panel">
      <dl className="stat-list">
        <div>
          <dt>Push URL</dt>
          <dd style={{ fontSize: '0.95rem' }}>
            <code>{pushUrl(integration.id)}</code>
          </dd>
        </div>
        <QueryState query={token} label="push token" compact>
          {(info) => (
            <>
              <div>
                <dt>Token</dt>
                <dd style={{ fontSize: '0.95rem' }}>
                  <code>{info.prefix}…</code>
                </dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd style={{ fontSize: '0.95rem' }}>{formatDateTime(info.created_at)}</dd>
              </div>
              <div>
                <dt>Last push</dt>
                <dd style={{ fontSize: '0.95rem' }}>{info.last_used_at ? formatDateTime(info.last_used_at) : 'Never'}</dd>
              </div>
            </>
          )}
        </QueryState>
      </dl>
      {integration.active ? (
        <Authorization policy="integrations:admin">
          <button type="button" className="btn" onClick={() => setConfirming(true)}>
            Rotate token
          </button>
        </Authorization>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Rotate the push token?"
        message="The current token stops working at once: every CI system that uses it needs the new one."
        confirmLabel="Rotate token"
        busy={rotate.isPending}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          rotate.mutate(integration.id, {
            onSuccess: (answer) => {
              setConfirming(false);
              setIssued(answer);
              notify({ tone: 'success', title: 'Push token rotated' });
            },
          })
        }
      />
      <PushTokenDialog integrationId={integration.id} issued={issued} onClose={() => setIssued(null)} />
    </div>
  );
}
