import { useMemo } from 'react';

import { Chart } from '@/components/charts/chart';
import { QueryState } from '@/components/ui/query-state';
import { useFlowItems, useFlowMetrics, useFlowTrend } from '@/features/analytics/api/flow';
import {
  distributionOption,
  flowTrendOption,
  percentileOption,
  timeInStepOption,
} from '@/features/analytics/components/chart-options';
import { StatGrid } from '@/features/analytics/components/stat-grid';
import type { FlowFilters } from '@/features/analytics/types/analytics';
import { formatHours, formatNumber, formatPercent } from '@/utils/format';

/** Jira flow: cycle/lead time distribution, time in each step, WIP and throughput. */
export function FlowSection({ filters, granularity }: { filters: FlowFilters; granularity: string }) {
  const summary = useFlowMetrics(filters);
  const trend = useFlowTrend(filters, granularity);
  const items = useFlowItems(filters);
  const trendOption = useMemo(() => (trend.data ? flowTrendOption(trend.data) : null), [trend.data]);
  const distribution = useMemo(() => (items.data ? distributionOption(items.data.items) : null), [items.data]);

  return (
    <>
      <QueryState query={summary} label="flow metrics">
        {(data) => (
          <>
            <section className="card" aria-labelledby="flow-summary-title">
              <h2 id="flow-summary-title">Flow summary</h2>
              <StatGrid
                label="Flow summary"
                stats={[
                  { term: 'Median cycle time', value: formatHours(data.cycle_time?.median_hours), testId: 'flow-cycle-time' },
                  { term: 'Median lead time', value: formatHours(data.lead_time?.median_hours) },
                  { term: 'Throughput', value: formatNumber(data.throughput?.items, 0), testId: 'flow-throughput' },
                  { term: 'Per week', value: formatNumber(data.throughput?.per_week) },
                  { term: 'Work in progress', value: formatNumber(data.wip?.items, 0), testId: 'flow-wip' },
                  { term: 'Flow efficiency', value: formatPercent(data.flow_efficiency) },
                  { term: 'Reopen rate', value: formatPercent(data.reopen_rate) },
                ]}
              />
            </section>
            <div className="grid grid--2 section">
              <figure className="card" style={{ margin: 0 }}>
                <figcaption>
                  <h3>Cycle and lead time percentiles</h3>
                </figcaption>
                <Chart option={percentileOption(data)} label="Median, p75 and p90 of cycle time and lead time" />
              </figure>
              <figure className="card" style={{ margin: 0 }}>
                <figcaption>
                  <h3>Time in each step</h3>
                </figcaption>
                {data.time_in_step?.length ? (
                  <Chart
                    option={timeInStepOption(data)}
                    label="Median time work items spend in each flow step"
                    height={Math.max(200, data.time_in_step.length * 36 + 80)}
                  />
                ) : (
                  <p className="muted">No flow steps configured yet (Settings → Flow steps).</p>
                )}
              </figure>
            </div>
          </>
        )}
      </QueryState>
      <div className="grid grid--2 section">
        <figure className="card" style={{ margin: 0 }}>
          <figcaption>
            <h3>Cycle and lead time distribution</h3>
          </figcaption>
          <QueryState query={items} label="work items" compact>
            {(data) =>
              distribution && data.items.length ? (
                <Chart option={distribution} label={`Distribution of cycle and lead time over ${data.items.length} work items`} />
              ) : (
                <p className="muted">No finished work items in this period.</p>
              )
            }
          </QueryState>
        </figure>
        <figure className="card" style={{ margin: 0 }}>
          <figcaption>
            <h3>Throughput and cycle time</h3>
          </figcaption>
          <QueryState query={trend} label="flow trend" compact>
            {() => (trendOption ? <Chart option={trendOption} label={`Completed items and median cycle time per ${granularity}`} /> : null)}
          </QueryState>
        </figure>
      </div>
    </>
  );
}
