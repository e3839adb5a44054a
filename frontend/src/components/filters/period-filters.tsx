import { useId, type ReactNode } from 'react';

import { useRepositoryOptions, useTeamOptions } from '@/hooks/use-filter-options';
import { useAuthorization } from '@/lib/authorization';

export type PeriodFilterValue = {
  from: string;
  to: string;
  team_id?: string;
  repository_id?: string;
};

type PeriodFiltersProps = {
  value: PeriodFilterValue;
  onChange: (next: Partial<PeriodFilterValue>) => void;
  showRepository?: boolean;
  showTeam?: boolean;
  /** Further controls of the page, shown in the same filter group. */
  children?: ReactNode;
};

const PRESETS = [
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 180, label: 'Last 6 months' },
  { days: 365, label: 'Last 12 months' },
];

/** Date range, team and repository: one labelled control each. */
export function PeriodFilters({ value, onChange, showRepository = true, showTeam = true, children }: PeriodFiltersProps) {
  const id = useId();
  const { can } = useAuthorization();
  // Teams are listed by the settings API; without settings:read the team filter is not offered.
  const teamsAllowed = showTeam && can('settings:read');
  const teams = useTeamOptions(teamsAllowed);
  const repositories = useRepositoryOptions();

  function applyPreset(days: number) {
    const to = new Date();
    const from = new Date(to.getTime() - (days - 1) * 86_400_000);
    onChange({ from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) });
  }

  return (
    <div className="toolbar" role="group" aria-label="Filters">
      <div className="field">
        <label htmlFor={`${id}-preset`}>Range</label>
        <select
          id={`${id}-preset`}
          value=""
          onChange={(event) => {
            if (event.target.value) applyPreset(Number(event.target.value));
          }}
        >
          <option value="">Custom…</option>
          {PRESETS.map((preset) => (
            <option key={preset.days} value={preset.days}>
              {preset.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input
          id={`${id}-from`}
          type="date"
          value={value.from}
          max={value.to}
          onChange={(event) => event.target.value && onChange({ from: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <input
          id={`${id}-to`}
          type="date"
          value={value.to}
          min={value.from}
          onChange={(event) => event.target.value && onChange({ to: event.target.value })}
        />
      </div>
      {teamsAllowed ? (
        <div className="field">
          <label htmlFor={`${id}-team`}>Team</label>
          <select
            id={`${id}-team`}
            value={value.team_id ?? ''}
            onChange={(event) => onChange({ team_id: event.target.value || undefined })}
          >
            <option value="">All teams</option>
            {(teams.data?.items ?? [])
              .filter((team) => team.active !== false)
              .map((team) => (
                <option key={team.id} value={String(team.id)}>
                  {team.name}
                </option>
              ))}
          </select>
        </div>
      ) : null}
      {showRepository ? (
        <div className="field">
          <label htmlFor={`${id}-repository`}>Repository</label>
          <select
            id={`${id}-repository`}
            value={value.repository_id ?? ''}
            onChange={(event) => onChange({ repository_id: event.target.value || undefined })}
          >
            <option value="">All repositories</option>
            {(repositories.data?.items ?? [])
              .filter((repository) => repository.active !== false)
              .map((repository) => (
                <option key={repository.id} value={String(repository.id)}>
                  {repository.full_name ?? repository.name ?? String(repository.id)}
                </option>
              ))}
          </select>
        </div>
      ) : null}
      {children}
    </div>
  );
}
