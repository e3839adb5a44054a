import { useMemo } from 'react';

import { Chart, type ChartOption } from '@/components/charts/chart';
import { durationAxis, maxOf } from '@/components/charts/duration-axis';
import { METRICS, type MetricConfig } from '@/features/dora/components/dora-metric-config';
import type { DoraTrend } from '@/features/dora/types/dora';
import { formatHours, formatNumber, formatPercent } from '@/utils/format';

function axisFormatter(kind: MetricConfig['kind']) {
  if (kind === 'ratio') return (value: number) => formatPercent(value, 0);
  if (kind === 'hours') return (value: number) => (value === 0 ? '0' : formatHours(value));
  return (value: number) => formatNumber(value, 1);
}

function unitLabel(kind: MetricConfig['kind']): string {
  if (kind === 'ratio') return 'failure rate';
  if (kind === 'hours') return 'median';
  return 'deployments per week';
}

/** One metric's trend: bars for deployments per week, straight lines otherwise; durations on round ticks. */
export function trendOption(metric: MetricConfig, trend: DoraTrend): ChartOption {
  const format = axisFormatter(metric.kind);
  const values = trend.points.map((point) => metric.trendValue(point));
  const yAxis =
    metric.kind === 'hours' ? durationAxis(maxOf(values)) : { type: 'value', axisLabel: { formatter: format }, min: 0 };
  return {
    grid: { left: 56, right: 16, top: 24, bottom: 32 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value: unknown) => (typeof value === 'number' ? format(value) : '—'),
    },
    xAxis: { type: 'category', data: trend.points.map((point) => point.period_start) },
    yAxis,
    series: [
      {
        name: `${metric.title} (${unitLabel(metric.kind)})`,
        type: metric.key === 'deployment-frequency' ? 'bar' : 'line',
        connectNulls: true,
        data: values,
      },
    ],
  };
}

/** One trend chart per key metric. */
export function DoraTrendCharts({ trend }: { trend: DoraTrend }) {
  const options = useMemo(() => METRICS.map((metric) => ({ metric, option: trendOption(metric, trend) })), [trend]);
  if (trend.points.length === 0) return <p className="empty card">No data for a trend in this period.</p>;
  return (
    <div className="grid grid--2">
      {options.map(({ metric, option }) => (
        <figure key={metric.key} className="card" style={{ margin: 0 }}>
          <figcaption>
            <h3>{metric.title}</h3>
          </figcaption>
          <Chart
            option={option}
            label={`${metric.title} by ${trend.granularity}, ${trend.points.length} points`}
            testId={`trend-${metric.key}`}
          />
          <details>
            <summary>Data table</summary>
            <table>
              <caption className="visually-hidden">
                {metric.title} by {trend.granularity}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{trend.granularity === 'month' ? 'Month' : 'Week'} starting</th>
                  <th scope="col" className="num">
                    {metric.title}
                  </th>
                </tr>
              </thead>
              <tbody>
                {trend.points.map((point) => {
                  const value = metric.trendValue(point);
                  return (
                    <tr key={point.period_start}>
                      <td>{point.period_start}</td>
                      <td className="num">{value === null ? '—' : axisFormatter(metric.kind)(value)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </details>
        </figure>
      ))}
    </div>
  );
}
