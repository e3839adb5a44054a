import type { FieldDef, KindDef, SettingsItem } from '@/features/settings/types/settings';

const STEP_CATEGORIES = [
  { value: 'to_do', label: 'To do' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
  { value: 'discarded', label: 'Discarded' },
];

const SCOPES = [
  { value: 'tenant', label: 'Whole organisation' },
  { value: 'integration', label: 'One integration' },
  { value: 'team', label: 'One team' },
];

const DEPLOYMENT_SOURCES = [
  { value: 'deployment', label: 'GitHub or GitLab deployments' },
  { value: 'workflow_run', label: 'GitHub Actions workflow runs' },
  { value: 'release', label: 'GitHub releases' },
  { value: 'pipeline', label: 'GitLab default-branch pipelines' },
  { value: 'push', label: 'Pushed by CI/CD (push API)' },
];

/** Scope, integration and team of a rule: fixed once created (the API does not change a rule's scope). */
const RULE_SCOPE_FIELDS: FieldDef[] = [
  { name: 'scope', label: 'Applies to', type: 'select', options: SCOPES, required: true, createOnly: true, defaultValue: 'tenant' },
  {
    name: 'integration_id',
    label: 'Integration',
    type: 'ref',
    ref: 'integrations',
    createOnly: true,
    showWhen: (values) => values.scope === 'integration',
  },
  { name: 'team_id', label: 'Team', type: 'ref', ref: 'teams', createOnly: true, showWhen: (values) => values.scope === 'team' },
];

function ruleLabel(item: SettingsItem): string {
  if (item.scope === 'team') return `team rule #${item.id}`;
  if (item.scope === 'integration') return `integration rule #${item.id}`;
  return `organisation rule #${item.id}`;
}

/**
 * Every settings kind the page manages, with its fields, as the ETL Service's `/settings/*` schemas define
 * them (analytics/config/schemas.py). Adjust here when those change.
 */
export const KINDS: KindDef[] = [
  {
    kind: 'flow-steps',
    title: 'Flow steps',
    singular: 'flow step',
    description: 'The ordered steps work goes through; the category decides what counts as active, done or discarded.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'position', label: 'Position', type: 'number', required: true, hint: 'Order in the flow (0 first).', defaultValue: '0' },
      { name: 'category', label: 'Category', type: 'select', options: STEP_CATEGORIES, required: true },
      { name: 'is_commitment_point', label: 'Commitment point (cycle time starts here)', type: 'checkbox' },
    ],
    dependents: 'the status mappings pointing at it',
    label: (item) => String(item.name ?? `#${item.id}`),
  },
  {
    kind: 'status-mappings',
    title: 'Status mappings',
    singular: 'status mapping',
    description: 'Which flow step each Jira status belongs to.',
    fields: [
      { name: 'status_name', label: 'Jira status', type: 'text', required: true },
      { name: 'flow_step_id', label: 'Flow step', type: 'ref', ref: 'flow-steps', required: true },
    ],
    dependents: null,
    label: (item) => String(item.status_name ?? `#${item.id}`),
  },
  {
    kind: 'issue-type-mappings',
    title: 'Issue type mappings',
    singular: 'issue type mapping',
    description: 'What each Jira issue type means to Pulse; items mapped to Incident feed the recovery time.',
    fields: [
      { name: 'issue_type_name', label: 'Jira issue type', type: 'text', required: true },
      { name: 'work_item_type', label: 'Work item type', type: 'text', required: true, hint: 'e.g. Story, Bug, Task, Epic, Incident.' },
      { name: 'hierarchy_level_id', label: 'Hierarchy level', type: 'ref', ref: 'hierarchy-levels', required: true },
    ],
    dependents: null,
    label: (item) => String(item.issue_type_name ?? `#${item.id}`),
  },
  {
    kind: 'hierarchy-levels',
    title: 'Hierarchy levels',
    singular: 'hierarchy level',
    description: 'Levels of the work hierarchy, e.g. Epic above Story above Sub-task.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'level', label: 'Level', type: 'number', required: true, hint: 'From -10 to 10; higher is larger work.', defaultValue: '0' },
    ],
    dependents: 'the issue type mappings using it',
    label: (item) => String(item.name ?? `#${item.id}`),
  },
  {
    kind: 'teams',
    title: 'Teams',
    singular: 'team',
    description: 'Teams own repositories and Jira projects; dashboards filter by team.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'description', label: 'Description', type: 'text', emptyAs: 'empty', formOnly: true },
      { name: 'repository_ids', label: 'Repositories', type: 'multiref', ref: 'repositories', hint: 'Ctrl/Cmd-click to pick several.' },
      { name: 'project_keys', label: 'Jira projects', type: 'list', hint: 'Project keys, one per line.' },
      {
        name: 'members',
        label: 'Members',
        type: 'members',
        hint: 'Each member by GitHub login, Jira account id or email (at least one); empty rows are left out.',
      },
    ],
    dependents: 'the rules scoped to it',
    label: (item) => String(item.name ?? `#${item.id}`),
  },
  {
    kind: 'deployment-rules',
    title: 'Deployment rules',
    singular: 'deployment rule',
    description: 'What counts as a production deployment. Default: GitHub deployments to an environment named prod or production.',
    fields: [
      ...RULE_SCOPE_FIELDS,
      { name: 'source', label: 'Source', type: 'select', options: DEPLOYMENT_SOURCES, required: true },
      {
        name: 'environment_pattern',
        label: 'Environment pattern',
        type: 'text',
        required: true,
        defaultValue: '^(prod|production)$',
        hint: 'Regular expression, case-insensitive.',
      },
      { name: 'workflow_name_pattern', label: 'Workflow name pattern', type: 'text', hint: 'For workflow runs only.' },
    ],
    dependents: null,
    label: ruleLabel,
  },
  {
    kind: 'incident-rules',
    title: 'Incident rules',
    singular: 'incident rule',
    description: 'What counts as an incident. Default: Jira items of type Incident, GitHub issues labelled incident.',
    fields: [
      ...RULE_SCOPE_FIELDS,
      { name: 'jira_issue_types', label: 'Jira issue types', type: 'list', defaultValue: 'Incident', hint: 'One per line.' },
      { name: 'github_labels', label: 'GitHub labels', type: 'list', defaultValue: 'incident', hint: 'One per line.' },
    ],
    dependents: null,
    label: ruleLabel,
  },
];

export function kindDef(kind: string | undefined): KindDef | undefined {
  return KINDS.find((item) => item.kind === kind);
}
