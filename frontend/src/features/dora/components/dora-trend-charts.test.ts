import { withChartDefaults } from '@/components/charts/chart-defaults';
import { metricByKey } from '@/features/dora/components/dora-metric-config';
import { trendOption } from '@/features/dora/components/dora-trend-charts';
import type { DoraTrend } from '@/features/dora/types/dora';

const TREND = {
  granularity: 'week',
  points: [
    { period_start: '2026-03-02', lead_time_for_changes: { median_hours: 20 }, change_failure_rate: { rate: 0 } },
    { period_start: '2026-03-09', lead_time_for_changes: { median_hours: 60 }, change_failure_rate: { rate: 0.5 } },
    { period_start: '2026-03-16', lead_time_for_changes: { median_hours: 5 }, change_failure_rate: { rate: 0 } },
  ],
} as unknown as DoraTrend;

type Axis = { max: number; interval: number; axisLabel: { formatter: (value: number) => string } };

describe('DORA trend options', () => {
  it('draws the change failure rate as straight segments (a spike does not overshoot)', () => {
    const option = withChartDefaults(trendOption(metricByKey('change-failure-rate')!, TREND));
    const [series] = option.series as { type: string; smooth: boolean; data: number[] }[];
    expect(series).toMatchObject({ type: 'line', smooth: false, data: [0, 0.5, 0] });
  });

  it('puts lead time on round hour ticks up to the largest median', () => {
    const axis = trendOption(metricByKey('lead-time')!, TREND).yAxis as Axis;
    expect(axis.max).toBe(60);
    expect(axis.interval).toBe(12);
    expect([0, 12, 24, 36, 48, 60].map(axis.axisLabel.formatter)).toEqual(['0', '12 h', '24 h', '36 h', '48 h', '60 h']);
  });
});
