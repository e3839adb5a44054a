import type { KindDef } from '@/features/settings/types/settings';

const STEP_CATEGORIES = [
  { value: 'todo', label: 'To do' },
  { value: 'active', label: 'Active' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'done', label: 'Done' },
];

const WORK_TYPES = ['Epic', 'Story', 'Task', 'Bug', 'Sub-task', 'Incident'].map((value) => ({ value, label: value }));

/** Every settings kind the page manages, with its fields. Adjust here when the API's fields change. */
export const KINDS: KindDef[] = [
  {
    kind: 'flow-steps',
    title: 'Flow steps',
    singular: 'flow step',
    description: 'The ordered steps work goes through. Categories decide what counts as active or waiting time.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'category', label: 'Category', type: 'select', options: STEP_CATEGORIES, required: true },
      { name: 'position', label: 'Position', type: 'number', hint: 'Order in the flow, from 1.' },
    ],
    dependents: 'status mappings pointing at it',
  },
  {
    kind: 'status-mappings',
    title: 'Status mappings',
    singular: 'status mapping',
    description: 'Which flow step each Jira status belongs to.',
    fields: [
      { name: 'status_name', label: 'Jira status', type: 'text', required: true },
      { name: 'flow_step_id', label: 'Flow step', type: 'ref', refKind: 'flow-steps', required: true },
      { name: 'project', label: 'Project (optional)', type: 'text', hint: 'Empty: every project.' },
    ],
    dependents: 'nothing',
  },
  {
    kind: 'issue-type-mappings',
    title: 'Issue type mappings',
    singular: 'issue type mapping',
    description: 'What each Jira issue type means to Pulse (an Incident type feeds recovery time).',
    fields: [
      { name: 'issue_type', label: 'Jira issue type', type: 'text', required: true },
      { name: 'mapped_type', label: 'Maps to', type: 'select', options: WORK_TYPES, required: true },
      { name: 'hierarchy_level_id', label: 'Hierarchy level', type: 'ref', refKind: 'hierarchy-levels' },
    ],
    dependents: 'nothing',
  },
  {
    kind: 'hierarchy-levels',
    title: 'Hierarchy levels',
    singular: 'hierarchy level',
    description: 'Levels of the work hierarchy, from the largest (e.g. Initiative) to the smallest (Sub-task).',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'level', label: 'Level', type: 'number', required: true, hint: '0 is the top.' },
    ],
    dependents: 'issue type mappings using it',
  },
  {
    kind: 'teams',
    title: 'Teams',
    singular: 'team',
    description: 'Teams own repositories and Jira projects; dashboards filter by team.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'repositories', label: 'Repositories', type: 'list', hint: 'org/repo, one per line.' },
      { name: 'projects', label: 'Jira projects', type: 'list', hint: 'Project keys, one per line.' },
    ],
    dependents: 'rules scoped to it',
  },
  {
    kind: 'deployment-rules',
    title: 'Deployment rules',
    singular: 'deployment rule',
    description: 'What counts as a production deployment. Default: GitHub deployments to an environment named prod or production.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      {
        name: 'source',
        label: 'Source',
        type: 'select',
        required: true,
        options: [
          { value: 'deployments', label: 'GitHub deployments' },
          { value: 'workflow_runs', label: 'GitHub Actions workflow runs' },
          { value: 'releases', label: 'GitHub releases' },
        ],
      },
      { name: 'environment_pattern', label: 'Environment pattern', type: 'text', hint: 'Regular expression, case-insensitive.' },
      { name: 'workflow_pattern', label: 'Workflow name pattern', type: 'text', formOnly: true },
      { name: 'team_id', label: 'Team (optional)', type: 'ref', refKind: 'teams' },
    ],
    dependents: 'nothing',
  },
  {
    kind: 'incident-rules',
    title: 'Incident rules',
    singular: 'incident rule',
    description: 'What counts as an incident. Default: Jira items typed Incident, GitHub issues labelled incident.',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      {
        name: 'source',
        label: 'Source',
        type: 'select',
        required: true,
        options: [
          { value: 'jira', label: 'Jira' },
          { value: 'github', label: 'GitHub issues' },
        ],
      },
      { name: 'issue_types', label: 'Jira issue types', type: 'list' },
      { name: 'labels', label: 'GitHub labels', type: 'list' },
      { name: 'team_id', label: 'Team (optional)', type: 'ref', refKind: 'teams' },
    ],
    dependents: 'nothing',
  },
];

export function kindDef(kind: string | undefined): KindDef | undefined {
  return KINDS.find((item) => item.kind === kind);
}
