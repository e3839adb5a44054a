import { useId } from 'react';

import type { ServiceMapping } from '@/features/etl/types/etl';
import { useRepositoryOptions, useTeamOptions } from '@/hooks/use-filter-options';

type ServiceMappingsEditorProps = {
  value: ServiceMapping[];
  onChange: (next: ServiceMapping[]) => void;
};

/** The first problem of a mapping list, or null: every row names a service once and a repository or team. */
export function mappingProblem(mappings: ServiceMapping[]): string | null {
  const seen = new Set<string>();
  for (const [index, mapping] of mappings.entries()) {
    const service = mapping.service.trim().toLowerCase();
    if (!service) return `Service mapping ${index + 1}: enter the service id or name.`;
    if (seen.has(service)) return `Service mapping ${index + 1}: "${mapping.service.trim()}" is mapped twice.`;
    seen.add(service);
    if (!mapping.repository_ids?.length && !mapping.team_ids?.length) {
      return `Service mapping ${index + 1}: choose at least one repository or team.`;
    }
  }
  return null;
}

function selectedIds(select: HTMLSelectElement): number[] {
  return Array.from(select.selectedOptions, (option) => Number(option.value));
}

/** Edit which repositories and teams each incident-tool service's incidents are attributed to. */
export function ServiceMappingsEditor({ value, onChange }: ServiceMappingsEditorProps) {
  const id = useId();
  const repositories = useRepositoryOptions();
  const teams = useTeamOptions();
  const update = (index: number, change: Partial<ServiceMapping>) =>
    onChange(value.map((mapping, at) => (at === index ? { ...mapping, ...change } : mapping)));

  return (
    <fieldset aria-describedby={`${id}-hint`}>
      <legend className="field-label">Service mappings</legend>
      <p className="hint muted" id={`${id}-hint`}>
        Incidents of a mapped service count against the latest production deployment of its repositories (or of
        its teams&apos; repositories) before they opened. Unmapped services count in time to restore only.
      </p>
      {value.map((mapping, index) => (
        <div className="form-row" key={index} role="group" aria-label={`Service mapping ${index + 1}`}>
          <div className="field">
            <label htmlFor={`${id}-service-${index}`}>Service id or name</label>
            <input
              id={`${id}-service-${index}`}
              value={mapping.service}
              onChange={(event) => update(index, { service: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-repos-${index}`}>Repositories</label>
            <select
              id={`${id}-repos-${index}`}
              multiple
              value={(mapping.repository_ids ?? []).map(String)}
              onChange={(event) => update(index, { repository_ids: selectedIds(event.target) })}
            >
              {(repositories.data?.items ?? []).map((repo) => (
                <option key={repo.id} value={String(repo.id)}>
                  {repo.full_name ?? repo.name ?? `#${repo.id}`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-teams-${index}`}>Teams</label>
            <select
              id={`${id}-teams-${index}`}
              multiple
              value={(mapping.team_ids ?? []).map(String)}
              onChange={(event) => update(index, { team_ids: selectedIds(event.target) })}
            >
              {(teams.data?.items ?? []).map((team) => (
                <option key={team.id} value={String(team.id)}>
                  {team.name}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="btn" onClick={() => onChange(value.filter((_, at) => at !== index))}>
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn"
        onClick={() => onChange([...value, { service: '', repository_ids: [], team_ids: [] }])}
      >
        Add service mapping
      </button>
    </fieldset>
  );
}
