/** The settings collections the ETL Service exposes under `/settings/{kind}`. */
export type SettingsKind =
  | 'flow-steps'
  | 'status-mappings'
  | 'issue-type-mappings'
  | 'hierarchy-levels'
  | 'teams'
  | 'deployment-rules'
  | 'incident-rules';

/** A settings row: an id, `active`, and fields that depend on the kind. */
export type SettingsItem = {
  id: number | string;
  active?: boolean;
  name?: string;
  [field: string]: unknown;
};

export type DeactivateStrategy = 'keep' | 'reassign' | 'cascade';

export type DeactivateBody = {
  strategy: DeactivateStrategy;
  reassign_to_id?: number | string;
};

export type FieldType = 'text' | 'number' | 'select' | 'checkbox' | 'list' | 'ref' | 'multiref' | 'members';

/** A team member as the API reads and writes it: any of the three identities, at least one set. */
export type TeamMember = { github_login?: string | null; jira_account?: string | null; email?: string | null };

/** One row of the members editor (`key` only tells rows apart while editing). */
export type MemberRow = { key: string; github_login: string; jira_account: string; email: string };

/** Where a `ref`/`multiref` field's choices come from. */
export type RefSource = SettingsKind | 'integrations' | 'repositories';

export type FormValues = Record<string, string | boolean | string[] | MemberRow[]>;

export type FieldDef = {
  name: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: { value: string; label: string }[];
  /** For `ref` and `multiref`: which collection's ids the field holds. */
  ref?: RefSource;
  hint?: string;
  /** Hidden from the table (still in the form). */
  formOnly?: boolean;
  /** Set when creating only; the API does not accept it in PATCH. */
  createOnly?: boolean;
  /** Value of a new row's field. */
  defaultValue?: string | boolean;
  /** How an empty text field is sent: null (default), "" or left out. */
  emptyAs?: 'null' | 'empty' | 'omit';
  /** Shown (and sent) only when this returns true for the current form values. */
  showWhen?: (values: FormValues) => boolean;
};

export type KindDef = {
  kind: SettingsKind;
  title: string;
  singular: string;
  description: string;
  fields: FieldDef[];
  /** The rows that depend on this kind, for the deactivation choices. */
  dependents: string | null;
  /** How a row is named in dialogs. */
  label: (item: SettingsItem) => string;
};
