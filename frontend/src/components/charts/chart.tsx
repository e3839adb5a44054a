import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

import { withChartDefaults } from '@/components/charts/chart-defaults';
import { useTheme } from '@/lib/theme';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  SVGRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

type ChartProps = {
  option: ChartOption;
  /** What the chart shows, for screen readers (the chart is one image to them). */
  label: string;
  height?: number;
  testId?: string;
};

/** A thin ECharts wrapper: SVG renderer, light/dark theme, resizes with its container, lines never smoothed. */
export function Chart({ option, label, height = 280, testId }: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const { theme } = useTheme();

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const chart = echarts.init(element, theme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chartRef.current = chart;
    const observer = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => chart.resize()) : null;
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [theme]);

  useEffect(() => {
    chartRef.current?.setOption(withChartDefaults(option), { notMerge: true });
  }, [option, theme]);

  return <div ref={ref} className="chart" role="img" aria-label={label} style={{ height }} data-testid={testId} />;
}
