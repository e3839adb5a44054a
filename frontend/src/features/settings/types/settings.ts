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

export type FieldType = 'text' | 'number' | 'select' | 'checkbox' | 'list' | 'ref';

export type FieldDef = {
  name: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: { value: string; label: string }[];
  /** For `ref`: which kind's ids the field holds. */
  refKind?: SettingsKind;
  hint?: string;
  /** Hidden from the table (still in the form). */
  formOnly?: boolean;
};

export type KindDef = {
  kind: SettingsKind;
  title: string;
  singular: string;
  description: string;
  fields: FieldDef[];
  /** What each deactivation strategy does to the rows that depend on this one. */
  dependents: string;
};
