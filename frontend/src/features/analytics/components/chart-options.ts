import type { ChartOption } from '@/components/charts/chart';
import type {
  CycleTime,
  FlowItem,
  FlowMetrics,
  FlowTrend,
  PullRequestTrend,
} from '@/features/analytics/types/analytics';
import { durationAxis, maxOf } from '@/components/charts/duration-axis';
import { formatHours } from '@/utils/format';

export const STAGES: { key: keyof CycleTime; label: string }[] = [
  { key: 'coding_hours', label: 'Coding' },
  { key: 'pickup_hours', label: 'Pickup' },
  { key: 'review_hours', label: 'Review' },
  { key: 'deploy_hours', label: 'Deploy' },
];

const hoursTooltip = {
  trigger: 'axis' as const,
  valueFormatter: (value: unknown) => (typeof value === 'number' ? formatHours(value) : '—'),
};

/** One horizontal bar, stacked by stage: where a pull request's time goes. */
export function cycleBreakdownOption(cycle: CycleTime): ChartOption {
  return {
    tooltip: { ...hoursTooltip, axisPointer: { type: 'shadow' } },
    legend: { bottom: 0 },
    grid: { left: 16, right: 24, top: 8, bottom: 48, containLabel: true },
    xAxis: durationAxis(STAGES.reduce((sum, stage) => sum + (cycle[stage.key] ?? 0), 0)),
    yAxis: { type: 'category', data: ['Median PR'] },
    series: STAGES.map((stage) => ({
      name: stage.label,
      type: 'bar',
      stack: 'cycle',
      barWidth: 36,
      data: [cycle[stage.key] ?? 0],
    })),
  };
}

/** Cycle time by stage per period, stacked. */
export function cycleTrendOption(trend: PullRequestTrend): ChartOption {
  return {
    tooltip: hoursTooltip,
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: trend.points.map((point) => point.period_start) },
    yAxis: durationAxis(
      maxOf(trend.points.map((point) => STAGES.reduce((sum, stage) => sum + (point.cycle_time?.[stage.key] ?? 0), 0))),
    ),
    series: STAGES.map((stage) => ({
      name: stage.label,
      type: 'bar',
      stack: 'cycle',
      data: trend.points.map((point) => point.cycle_time?.[stage.key] ?? null),
    })),
  };
}

/** Merged pull requests per period, with median review count. */
export function throughputTrendOption(trend: PullRequestTrend): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: trend.points.map((point) => point.period_start) },
    yAxis: [
      { type: 'value', name: 'merged', minInterval: 1 },
      { type: 'value', name: 'lines', splitLine: { show: false } },
    ],
    series: [
      { name: 'Merged PRs', type: 'bar', data: trend.points.map((point) => point.throughput?.merged ?? null) },
      {
        name: 'Median PR size (lines)',
        type: 'line',
        yAxisIndex: 1,
        data: trend.points.map((point) => point.size?.median_lines ?? null),
      },
    ],
  };
}

/** Reviews and comments per period. */
export function reviewTrendOption(trend: PullRequestTrend): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: trend.points.map((point) => point.period_start) },
    yAxis: { type: 'value' },
    series: [
      { name: 'Median reviews', type: 'line', data: trend.points.map((p) => p.review?.median_reviews ?? null) },
      { name: 'Median comments', type: 'line', data: trend.points.map((p) => p.review?.median_comments ?? null) },
      { name: 'Review cycles', type: 'line', data: trend.points.map((p) => p.review?.review_cycles ?? null) },
    ],
  };
}

/** Median, p75 and p90 of cycle and lead time side by side. */
export function percentileOption(flow: FlowMetrics): ChartOption {
  const rows = [
    { name: 'Median', key: 'median_hours' as const },
    { name: 'p75', key: 'p75_hours' as const },
    { name: 'p90', key: 'p90_hours' as const },
  ];
  return {
    tooltip: { ...hoursTooltip, axisPointer: { type: 'shadow' } },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: ['Cycle time', 'Lead time'] },
    yAxis: durationAxis(maxOf(rows.flatMap((row) => [flow.cycle_time?.[row.key], flow.lead_time?.[row.key]]))),
    series: rows.map((row) => ({
      name: row.name,
      type: 'bar',
      data: [flow.cycle_time?.[row.key] ?? null, flow.lead_time?.[row.key] ?? null],
    })),
  };
}

export const BUCKETS = [
  { label: '< 1 d', max: 24 },
  { label: '1–2 d', max: 48 },
  { label: '2–4 d', max: 96 },
  { label: '4–7 d', max: 168 },
  { label: '1–2 w', max: 336 },
  { label: '2–4 w', max: 672 },
  { label: '> 4 w', max: Infinity },
];

/** Counts of values (hours) per bucket. */
export function histogram(values: (number | null | undefined)[]): number[] {
  const counts = BUCKETS.map(() => 0);
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const index = BUCKETS.findIndex((bucket) => value < bucket.max);
    counts[index === -1 ? BUCKETS.length - 1 : index] += 1;
  }
  return counts;
}

/** Distribution of cycle and lead time over finished items. */
export function distributionOption(items: FlowItem[]): ChartOption {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: BUCKETS.map((bucket) => bucket.label) },
    yAxis: { type: 'value', name: 'items', minInterval: 1 },
    series: [
      { name: 'Cycle time', type: 'bar', data: histogram(items.map((item) => item.cycle_time_hours)) },
      { name: 'Lead time', type: 'bar', data: histogram(items.map((item) => item.lead_time_hours)) },
    ],
  };
}

const CATEGORY_LABELS: Record<string, string> = {
  to_do: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  discarded: 'Discarded',
};

/** Median time in each flow step, coloured by category. */
export function timeInStepOption(flow: FlowMetrics): ChartOption {
  const steps = flow.time_in_step ?? [];
  const categories = Array.from(new Set(steps.map((step) => step.category)));
  return {
    tooltip: { ...hoursTooltip, axisPointer: { type: 'shadow' } },
    legend: { bottom: 0 },
    grid: { left: 16, right: 24, top: 8, bottom: 48, containLabel: true },
    xAxis: durationAxis(maxOf(steps.map((step) => step.median_hours))),
    yAxis: { type: 'category', data: steps.map((step) => step.step), inverse: true },
    series: categories.map((category) => ({
      name: CATEGORY_LABELS[category] ?? category,
      type: 'bar',
      stack: 'steps',
      data: steps.map((step) => (step.category === category ? step.median_hours : null)),
    })),
  };
}

/** Throughput and median cycle time per period. */
export function flowTrendOption(trend: FlowTrend): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 16, right: 16, top: 32, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: trend.points.map((point) => point.period_start) },
    yAxis: [
      { type: 'value', name: 'items', minInterval: 1 },
      durationAxis(maxOf(trend.points.map((point) => point.cycle_time?.median_hours)), {
        name: 'cycle time',
        splitLine: { show: false },
      }),
    ],
    series: [
      { name: 'Throughput', type: 'bar', data: trend.points.map((point) => point.throughput?.items ?? null) },
      {
        name: 'Median cycle time',
        type: 'line',
        yAxisIndex: 1,
        data: trend.points.map((point) => point.cycle_time?.median_hours ?? null),
      },
    ],
  };
}
