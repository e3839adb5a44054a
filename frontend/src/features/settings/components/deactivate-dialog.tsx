import { useId, useState } from 'react';

import { Dialog } from '@/components/ui/dialog';
import type { DeactivateBody, DeactivateStrategy, KindDef, SettingsItem } from '@/features/settings/types/settings';

type DeactivateDialogProps = {
  def: KindDef;
  item: SettingsItem;
  candidates: SettingsItem[];
  busy?: boolean;
  onConfirm: (body: DeactivateBody) => void;
  onClose: () => void;
};

/** Deactivation with its three choices: keep dependents, reassign them to another row, or cascade. */
export function DeactivateDialog({ def, item, candidates, busy, onConfirm, onClose }: DeactivateDialogProps) {
  const id = useId();
  const [strategy, setStrategy] = useState<DeactivateStrategy>('keep');
  const others = candidates.filter((candidate) => candidate.id !== item.id && candidate.active !== false);
  const [target, setTarget] = useState<string>(others[0] ? String(others[0].id) : '');

  const dependents = def.dependents ?? 'the rows that refer to it (none for this kind)';
  const choices: { value: DeactivateStrategy; title: string; text: string }[] = [
    { value: 'keep', title: 'Keep', text: `Deactivate only this ${def.singular}; ${dependents} stay as they are and drop out of metrics.` },
    { value: 'reassign', title: 'Reassign', text: `Move ${dependents} to another ${def.singular}, then deactivate.` },
    { value: 'cascade', title: 'Cascade', text: `Deactivate this ${def.singular} and ${dependents} too.` },
  ];

  return (
    <Dialog open title={`Deactivate ${def.label(item)}?`} onClose={onClose}>
      <p className="muted">Nothing is deleted; deactivated rows are left out of every metric.</p>
      <fieldset className="form">
        <legend className="field-label">What happens to {dependents}?</legend>
        {choices.map((choice) => (
          <label key={choice.value} className="checkbox" style={{ alignItems: 'flex-start' }}>
            <input
              type="radio"
              name={`${id}-strategy`}
              value={choice.value}
              checked={strategy === choice.value}
              onChange={() => setStrategy(choice.value)}
              disabled={choice.value === 'reassign' && others.length === 0}
            />
            <span>
              <strong>{choice.title}</strong> — {choice.text}
            </span>
          </label>
        ))}
        {strategy === 'reassign' ? (
          <div className="field">
            <label htmlFor={`${id}-target`}>Reassign to</label>
            <select id={`${id}-target`} value={target} onChange={(event) => setTarget(event.target.value)}>
              {others.map((other) => (
                <option key={other.id} value={String(other.id)}>
                  {def.label(other)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </fieldset>
      <div className="form-actions" style={{ marginTop: '1rem' }}>
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--danger"
          disabled={busy || (strategy === 'reassign' && !target)}
          onClick={() =>
            onConfirm(
              strategy === 'reassign'
                ? { strategy, reassign_to_id: /^\d+$/.test(target) ? Number(target) : target }
                : { strategy },
            )
          }
        >
          Deactivate
        </button>
      </div>
    </Dialog>
  );
}
