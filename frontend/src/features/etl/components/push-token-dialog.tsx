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
          <CopyField
            id={`${id}-token`}
            label="Token"
            value={issued.token}
            copyLabel={copied === 'token' ? 'Copied' : 'Copy token'}
            onCopy={() => copy('token', issued.token)}
            testId="push-token-value"
          />
          <CopyField
            id={`${id}-url`}
            label="Push URL"
            value={pushUrl(integrationId)}
            copyLabel={copied === 'url' ? 'Copied' : 'Copy URL'}
            onCopy={() => copy('url', pushUrl(integrationId))}
            hint="POST …/deployments, …/incidents and …/incidents/KEY/resolve with the header Authorization: Bearer TOKEN. See docs/push-api.md for the fields and CI examples."
          />
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

type CopyFieldProps = {
  id: string;
  label: string;
  value: string;
  copyLabel: string;
  onCopy: () => void;
  hint?: string;
  testId?: string;
};

/** A read-only value that selects itself on focus, with a copy button beside it. */
function CopyField({ id, label, value, copyLabel, onCopy, hint, testId }: CopyFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="btn-group">
        <input
          id={id}
          data-testid={testId}
          readOnly
          value={value}
          onFocus={(event) => event.target.select()}
          style={{ fontFamily: 'monospace', flex: 1 }}
        />
        <button type="button" className="btn" onClick={onCopy}>
          {copyLabel}
        </button>
      </div>
      {hint ? <span className="hint">{hint}</span> : null}
    </div>
  );
}
