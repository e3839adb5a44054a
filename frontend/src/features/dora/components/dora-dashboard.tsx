import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';

import { PeriodFilters } from '@/components/filters/period-filters';
import { QueryState } from '@/components/ui/query-state';
import { RecomputingIndicator } from '@/components/ui/recomputing-indicator';
import { Segmented } from '@/components/ui/segmented';
import { getDoraMetricsQueryOptions, useDoraMetrics } from '@/features/dora/api/get-dora-metrics';
import { useDoraTrend } from '@/features/dora/api/get-dora-trend';
import { DoraDrilldown } from '@/features/dora/components/dora-drilldown';
import { EnvironmentFilter } from '@/features/dora/components/environment-filter';
import { DoraKpiCards } from '@/features/dora/components/dora-kpi-cards';
import { metricByKey } from '@/features/dora/components/dora-metric-config';
import { DoraTrendCharts } from '@/features/dora/components/dora-trend-charts';
import { useDoraFilters } from '@/features/dora/hooks/use-dora-filters';
import type { Granularity } from '@/features/dora/types/dora';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { previousPeriod } from '@/utils/dates';

const GRANULARITIES = [
  { value: 'week', label: 'Weekly' },
  { value: 'month', label: 'Monthly' },
] as const satisfies readonly { value: Granularity; label: string }[];

/** The DORA page: four cards, trends, and the drill-down of the selected card. */
export function DoraDashboard() {
  useDocumentTitle('DORA metrics');
  const drilldownId = useId();
  const { filters, granularity, metric, setFilters, setGranularity, setMetric } = useDoraFilters();
  const current = useDoraMetrics(filters);
  const previous = useQuery({ ...getDoraMetricsQueryOptions({ ...filters, ...previousPeriod(filters.from, filters.to) }) });
  const trend = useDoraTrend(filters, granularity);
  const selected = metricByKey(metric);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>DORA metrics</h1>
          <p className="muted">Production deployments, lead time, failures and recovery — with the rows behind each number.</p>
        </div>
        <RecomputingIndicator />
      </div>
      <div className="card">
        <PeriodFilters value={filters} onChange={setFilters}>
          <EnvironmentFilter value={filters.environment} onChange={(environment) => setFilters({ environment })} />
        </PeriodFilters>
      </div>
      <section className="section" aria-label="Key metrics">
        <QueryState query={current} label="DORA metrics">
          {(data) => (
            <DoraKpiCards
              current={data}
              previous={previous.data}
              selected={metric}
              onSelect={setMetric}
              drilldownId={drilldownId}
            />
          )}
        </QueryState>
      </section>
      {selected ? <DoraDrilldown metric={selected} filters={filters} id={drilldownId} /> : <div id={drilldownId} />}
      <section className="section" aria-labelledby={`${drilldownId}-trend`}>
        <div className="page-header">
          <h2 id={`${drilldownId}-trend`}>Trends</h2>
          <Segmented legend="Granularity" value={granularity} options={GRANULARITIES} onChange={setGranularity} />
        </div>
        <QueryState query={trend} label="trends">
          {(data) => <DoraTrendCharts trend={data} />}
        </QueryState>
      </section>
    </>
  );
}
