import { useId, useMemo } from 'react';

import { PeriodFilters } from '@/components/filters/period-filters';
import { RecomputingIndicator } from '@/components/ui/recomputing-indicator';
import { Segmented } from '@/components/ui/segmented';
import { FlowSection } from '@/features/analytics/components/flow-section';
import { PullRequestSection } from '@/features/analytics/components/pull-request-section';
import type { AnalyticsFilters, FlowFilters } from '@/features/analytics/types/analytics';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { useSearchState } from '@/hooks/use-search-state';
import { defaultRange, parseIsoDate } from '@/utils/dates';

type View = 'pull-requests' | 'flow';

const VIEWS = [
  { value: 'pull-requests', label: 'Pull requests' },
  { value: 'flow', label: 'Jira flow' },
] as const satisfies readonly { value: View; label: string }[];

const GRANULARITIES = [
  { value: 'week', label: 'Weekly' },
  { value: 'month', label: 'Monthly' },
] as const;

/** Engineering analytics: pull requests (GitHub) and flow (Jira), filters in the URL. */
export function AnalyticsPage() {
  useDocumentTitle('Engineering analytics');
  const id = useId();
  const { get, set } = useSearchState();
  const fallback = useMemo(() => defaultRange(90), []);
  const view: View = get('view') === 'flow' ? 'flow' : 'pull-requests';
  const granularity = get('granularity') === 'month' ? 'month' : 'week';
  const from = parseIsoDate(get('from')) ? get('from') : fallback.from;
  const to = parseIsoDate(get('to')) ? get('to') : fallback.to;
  const team = get('team_id') || undefined;
  const repository = get('repository_id') || undefined;
  const project = get('project') || undefined;

  const prFilters = useMemo<AnalyticsFilters>(
    () => ({ from, to, team_id: team, repository_id: repository }),
    [from, to, team, repository],
  );
  const flowFilters = useMemo<FlowFilters>(() => ({ from, to, team_id: team, project }), [from, to, team, project]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Engineering analytics</h1>
          <p className="muted">Where time goes between first commit and done.</p>
        </div>
        <div className="toolbar">
          <RecomputingIndicator />
          <Segmented legend="View" value={view} options={VIEWS} onChange={(next) => set({ view: next === 'pull-requests' ? null : next })} />
          <Segmented
            legend="Granularity"
            value={granularity}
            options={GRANULARITIES}
            onChange={(next) => set({ granularity: next === 'week' ? null : next }, { replace: true })}
          />
        </div>
      </div>
      <div className="card">
        <div className="toolbar">
          <PeriodFilters value={prFilters} onChange={(next) => set(next)} showRepository={view === 'pull-requests'} />
          {view === 'flow' ? (
            <div className="field">
              <label htmlFor={`${id}-project`}>Jira project</label>
              <input
                id={`${id}-project`}
                defaultValue={project ?? ''}
                placeholder="KEY"
                onBlur={(event) => set({ project: event.target.value.trim().toUpperCase() || null })}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') set({ project: event.currentTarget.value.trim().toUpperCase() || null });
                }}
              />
            </div>
          ) : null}
        </div>
      </div>
      <div className="section">
        {view === 'pull-requests' ? (
          <PullRequestSection filters={prFilters} granularity={granularity} />
        ) : (
          <FlowSection filters={flowFilters} granularity={granularity} />
        )}
      </div>
    </>
  );
}
