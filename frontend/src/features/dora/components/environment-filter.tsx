import { useId } from 'react';

import { useEnvironments } from '@/features/dora/api/get-environments';

export const PRODUCTION_RULES_LABEL = 'Production (rules)';

type EnvironmentFilterProps = {
  value?: string;
  onChange: (environment: string | undefined) => void;
};

/**
 * Which deployments count: by default the deployment rules decide (production); otherwise every
 * deployment to one named environment.
 */
export function EnvironmentFilter({ value, onChange }: EnvironmentFilterProps) {
  const id = useId();
  const environments = useEnvironments();
  const names = environments.data ?? [];
  // A value from a shared link stays selectable even when the recent deployments do not include it.
  const options = value && !names.some((name) => name.toLowerCase() === value.toLowerCase()) ? [...names, value] : names;
  const selected = options.find((name) => name.toLowerCase() === value?.toLowerCase()) ?? '';

  return (
    <div className="field">
      <label htmlFor={`${id}-environment`}>Environment</label>
      <select
        id={`${id}-environment`}
        value={selected}
        onChange={(event) => onChange(event.target.value || undefined)}
      >
        <option value="">{PRODUCTION_RULES_LABEL}</option>
        {options.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}
