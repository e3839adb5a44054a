import type { IntegrationSettings } from '@/features/etl/types/etl';

export type GitlabDeploymentSource = 'deployment' | 'pipeline';

/** The GitLab-only part of the integration form, as typed. */
export type GitlabSettingsValue = {
  groups: string;
  projects: string;
  deploymentSource: GitlabDeploymentSource;
  mergeRequestDetails: boolean;
};

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The form's starting values from stored settings (or the defaults for a new integration). */
export function gitlabSettingsFrom(settings: IntegrationSettings | undefined): GitlabSettingsValue {
  return {
    groups: listOf(settings?.groups).join('\n'),
    projects: listOf(settings?.projects).join('\n'),
    deploymentSource: settings?.deployment_source === 'pipeline' ? 'pipeline' : 'deployment',
    mergeRequestDetails: settings?.merge_request_details === true,
  };
}

/** The groups, then the projects, a GitLab integration syncs. */
export function gitlabScopes(settings: IntegrationSettings | undefined): string[] {
  return [...listOf(settings?.groups), ...listOf(settings?.projects)];
}

/** The settings a GitLab integration stores, from the typed values. */
export function gitlabSettingsBody(value: GitlabSettingsValue, split: (text: string) => string[]): IntegrationSettings {
  return {
    groups: split(value.groups),
    projects: split(value.projects),
    deployment_source: value.deploymentSource,
    merge_request_details: value.mergeRequestDetails,
  };
}

type GitlabSettingsProps = {
  id: string;
  value: GitlabSettingsValue;
  onChange: (value: GitlabSettingsValue) => void;
};

/** Groups and projects to sync, where deployments come from, and whether to fetch merge request sizes. */
export function GitlabSettings({ id, value, onChange }: GitlabSettingsProps) {
  const set = (patch: Partial<GitlabSettingsValue>) => onChange({ ...value, ...patch });
  return (
    <>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-gl-groups`}>Groups</label>
          <textarea
            id={`${id}-gl-groups`}
            value={value.groups}
            placeholder="my-group or my-group/subgroup"
            onChange={(event) => set({ groups: event.target.value })}
            aria-describedby={`${id}-gl-groups-hint`}
          />
          <span id={`${id}-gl-groups-hint`} className="hint">
            Every project of these groups is synced, subgroups included.
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-gl-projects`}>Projects</label>
          <textarea
            id={`${id}-gl-projects`}
            value={value.projects}
            placeholder="my-group/sub/project"
            onChange={(event) => set({ projects: event.target.value })}
            aria-describedby={`${id}-gl-projects-hint`}
          />
          <span id={`${id}-gl-projects-hint`} className="hint">
            Single projects by path, one per line or comma-separated.
          </span>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-gl-source`}>Deployments come from</label>
        <select
          id={`${id}-gl-source`}
          value={value.deploymentSource}
          onChange={(event) => set({ deploymentSource: event.target.value as GitlabDeploymentSource })}
          aria-describedby={`${id}-gl-source-hint`}
        >
          <option value="deployment">GitLab deployments (environments)</option>
          <option value="pipeline">Default-branch pipelines</option>
        </select>
        <span id={`${id}-gl-source-hint`} className="hint">
          Pipelines suit projects that deploy from CI without GitLab environments; a deployment rule can still override
          this.
        </span>
      </div>
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={value.mergeRequestDetails}
            onChange={(event) => set({ mergeRequestDetails: event.target.checked })}
            aria-describedby={`${id}-gl-details-hint`}
          />
          Fetch merge request sizes
        </label>
        <span id={`${id}-gl-details-hint`} className="hint">
          Lines and files changed per merge request. Costs one more API request per merge request synced.
        </span>
      </div>
    </>
  );
}
