import { DRILLDOWNS } from '@/features/dora/components/drilldown-columns';
import { DrilldownTable } from '@/features/dora/components/drilldown-table';
import type { MetricConfig } from '@/features/dora/components/dora-metric-config';
import type { DoraFilters } from '@/features/dora/types/dora';

const TITLES: Record<MetricConfig['key'], string> = {
  'deployment-frequency': 'Production deployments',
  'lead-time': 'Changes and their lead time by stage',
  'change-failure-rate': 'Deployments and their failures',
  'recovery-time': 'Incidents and their recovery time',
};

/** The drill-down of one metric; remounts (page 1) whenever the filters change. */
export function DoraDrilldown({ metric, filters, id }: { metric: MetricConfig; filters: DoraFilters; id: string }) {
  const key = `${metric.key}:${JSON.stringify(filters)}`;
  const title = TITLES[metric.key];
  return (
    <div id={id}>
      {metric.drilldown === 'deployments' ? (
        <DrilldownTable key={key} kind="deployments" title={title} filters={filters} {...DRILLDOWNS.deployments} defaultSort={metric.failuresFirst ? { key: 'incidents', order: 'desc' } : DRILLDOWNS.deployments.defaultSort} />
      ) : metric.drilldown === 'changes' ? (
        <DrilldownTable key={key} kind="changes" title={title} filters={filters} {...DRILLDOWNS.changes} />
      ) : (
        <DrilldownTable key={key} kind="incidents" title={title} filters={filters} {...DRILLDOWNS.incidents} />
      )}
    </div>
  );
}
