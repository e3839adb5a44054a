import type { EChartsCoreOption } from 'echarts/core';

/**
 * Options every chart gets: transparent background, the page's font, and straight line segments.
 * Smoothing is forced off because a smoothed curve overshoots between points (a spike in the change
 * failure rate would be drawn above its real value, a rate below 0); the metrics are exact per period.
 */
export function withChartDefaults(option: EChartsCoreOption): EChartsCoreOption {
  const series = option.series;
  const straighten = (item: unknown) =>
    item && typeof item === 'object' && (item as { type?: unknown }).type === 'line' ? { ...item, smooth: false } : item;
  return {
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'inherit' },
    ...option,
    ...(series === undefined ? {} : { series: Array.isArray(series) ? series.map(straighten) : straighten(series) }),
  };
}
