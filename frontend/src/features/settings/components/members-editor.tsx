import { useId, useRef } from 'react';

import type { MemberRow, TeamMember } from '@/features/settings/types/settings';

const IDENTITIES = [
  { name: 'github_login', label: 'GitHub login' },
  { name: 'jira_account', label: 'Jira account' },
  { name: 'email', label: 'Email' },
] as const;

let nextKey = 0;

/** A blank editor row with a key unique for this page's lifetime. */
export function emptyMemberRow(): MemberRow {
  nextKey += 1;
  return { key: `member-${nextKey}`, github_login: '', jira_account: '', email: '' };
}

/** API members → editor rows. */
export function toMemberRows(value: unknown): MemberRow[] {
  if (!Array.isArray(value)) return [];
  return value.map((member: TeamMember) => ({
    ...emptyMemberRow(),
    github_login: member?.github_login ?? '',
    jira_account: member?.jira_account ?? '',
    email: member?.email ?? '',
  }));
}

/** Editor rows → API members: values trimmed, empty identities left out, empty rows dropped. */
export function toMembers(rows: MemberRow[]): TeamMember[] {
  const members: TeamMember[] = [];
  for (const row of rows) {
    const member: TeamMember = {};
    for (const { name } of IDENTITIES) {
      const text = row[name].trim();
      if (text) member[name] = text;
    }
    if (Object.keys(member).length > 0) members.push(member);
  }
  return members;
}

/** How a member is named in the teams table. */
export function memberLabel(member: TeamMember): string {
  return member.github_login || member.email || member.jira_account || '?';
}

type MembersEditorProps = {
  label: string;
  rows: MemberRow[];
  onChange: (rows: MemberRow[]) => void;
  hint?: string;
};

/**
 * Team members as rows of three labelled inputs; "Add member" appends a row and focuses it, each row has
 * its own "Remove" button naming the row (the focus then returns to "Add member").
 */
export function MembersEditor({ label, rows, onChange, hint }: MembersEditorProps) {
  const id = useId();
  const pendingFocus = useRef<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  const update = (key: string, name: (typeof IDENTITIES)[number]['name'], value: string) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, [name]: value } : row)));

  return (
    <fieldset className="field members-editor" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{label}</legend>
      {hint ? (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      {rows.length === 0 ? <p className="muted">No members.</p> : null}
      <ol className="members-editor__rows">
        {rows.map((row, index) => (
          <li key={row.key} className="members-editor__row">
            {IDENTITIES.map((identity, position) => {
              const inputId = `${id}-${row.key}-${identity.name}`;
              return (
                <div key={identity.name} className="field">
                  <label htmlFor={inputId}>
                    {identity.label}
                    <span className="visually-hidden">, member {index + 1}</span>
                  </label>
                  <input
                    id={inputId}
                    type={identity.name === 'email' ? 'email' : 'text'}
                    autoComplete="off"
                    value={row[identity.name]}
                    onChange={(event) => update(row.key, identity.name, event.target.value)}
                    ref={
                      position === 0
                        ? (element) => {
                            // A row just added gets the focus, so keyboard users land in it.
                            if (element && pendingFocus.current === row.key) {
                              pendingFocus.current = null;
                              element.focus();
                            }
                          }
                        : undefined
                    }
                  />
                </div>
              );
            })}
            <button
              type="button"
              className="btn btn--sm btn--danger"
              aria-label={`Remove member ${index + 1}`}
              onClick={() => {
                onChange(rows.filter((other) => other.key !== row.key));
                // The removed button takes the focus with it; keep keyboard users inside the editor.
                addButton.current?.focus();
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div>
        <button
          ref={addButton}
          type="button"
          className="btn btn--sm"
          onClick={() => {
            const row = emptyMemberRow();
            pendingFocus.current = row.key;
            onChange([...rows, row]);
          }}
        >
          Add member
        </button>
      </div>
    </fieldset>
  );
}
