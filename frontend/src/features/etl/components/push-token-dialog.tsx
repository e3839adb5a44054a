import { useId, useState } from 'react';

import { Dialog } from '@/components/ui/dialog';
import type { PushTokenIssued } from '@/features/etl/api/push-token';
import { pushUrl } from '@/features/etl/utils/push-url';

type PushTokenDialogProps = {
  integrationId: string | number;
  /** The token just issued; the dialog is open while there is one. */
  issued: PushTokenIssued | null;
  onClose: () => void;
};

/** Shows a new push token once, with a copy button: Pulse keeps only its hash and cannot show it again. */
export function PushTokenDialog({ integrationId, issued, onClose }: PushTokenDialogProps) {
  const id = useId();
  const [copied, setCopied] = useState<'token' | 'url' | null>(null);
  const [copyFailed, setCopyFailed] = useState(false);

  function copy(what: 'token' | 'url', text: string) {
    // The Clipboard API needs a secure context; where it is missing the fields stay selectable by hand.
    if (!navigator.clipboard) {
      setCopyFailed(true);
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied(what);
        setCopyFailed(false);
      },
      () => setCopyFailed(true),
    );
  }

  return (
    <Dialog open={issued !== null} title="Push token" onClose={onClose}>
      {issued ? (
        <div className="form">
          <p className="notice" role="status">
            Copy this token now and store it in your CI system&apos;s secrets. It is shown only this once: Pulse keeps
            only its hash.
          </p>
          <div className="field">
            <label htmlFor={`${id}-token`}>Token</label>
            <div className="btn-group">
              <input
                id={`${id}-token`}
                data-testid="push-token-value"
                readOnly
                value={issued.token}
                onFocus={(event) => event.target.select()}
                style={{ fontFamily: 'monospace', flex: 1 }}
              />
              <button type="button" className="btn" onClick={() => copy('token', issued.token)}>
                {copied === 'token' ? 'Copied' : 'Copy token'}
              </button>
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-url`}>Push URL</label>
            <div className="btn-group">
              <input
                id={`${id}-url`}
                readOnly
                value={pushUrl(integrationId)}
                onFocus={(event) => event.target.select()}
                style={{ fontFamily: 'monospace', flex: 1 }}
              />
              <button type="button" className="btn" onClick={() => copy('url', pushUrl(integrationId))}>
                {copied === 'url' ? 'Copied' : 'Copy URL'}
              </button>
            </div>
            <span className="hint">
              POST …/deployments, …/incidents and …/incidents/KEY/resolve with the header Authorization: Bearer
              TOKEN. See docs/push-api.md for the fields and CI examples.
            </span>
          </div>
          {copyFailed ? (
            <p className="form-error" role="alert">
              Copying is not available here; select the token and copy it by hand.
            </p>
          ) : null}
          <div className="form-actions">
            <button type="button" className="btn btn--primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
