import { KpiCard } from '@/components/ui/kpi-card';
import { METRICS, type MetricConfig } from '@/features/dora/components/dora-metric-config';
import { LevelBadge } from '@/features/dora/components/level-badge';
import type { DoraMetricKey, DoraMetrics } from '@/features/dora/types/dora';
import { formatNumber, formatPercent, hoursParts, MISSING, relativeChange } from '@/utils/format';

/** The value and unit a card shows. */
export function metricDisplay(metric: MetricConfig, value: number | null): { value: string; unit: string } {
  if (value === null) return { value: MISSING, unit: '' };
  if (metric.kind === 'ratio') return { value: formatPercent(value), unit: '' };
  if (metric.kind === 'hours') return hoursParts(value);
  return { value: formatNumber(value, 2), unit: 'per week' };
}

function detail(metric: MetricConfig, metrics: DoraMetrics): string | null {
  switch (metric.key) {
    case 'deployment-frequency': {
      const df = metrics.deployment_frequency;
      if (!df) return null;
      const days = df.deployment_days !== undefined ? ` on ${df.deployment_days} days` : '';
      return `${df.deployments ?? 0} deployments${days}`;
    }
    case 'lead-time': {
      const lt = metrics.lead_time_for_changes;
      if (!lt) return null;
      const p75 = lt.p75_hours !== undefined && lt.p75_hours !== null ? `p75 ${hoursParts(lt.p75_hours).value} ${hoursParts(lt.p75_hours).unit} · ` : '';
      return `${p75}${lt.changes ?? 0} changes`;
    }
    case 'change-failure-rate': {
      const cfr = metrics.change_failure_rate;
      if (!cfr) return null;
      return `${cfr.failed_deployments ?? 0} of ${cfr.deployments ?? 0} deployments failed`;
    }
    case 'recovery-time': {
      const rt = metrics.failed_deployment_recovery_time ?? metrics.time_to_restore;
      if (!rt) return null;
      return `${rt.incidents ?? 0} incidents`;
    }
  }
}

type DoraKpiCardsProps = {
  current: DoraMetrics;
  previous?: DoraMetrics;
  selected: DoraMetricKey | null;
  onSelect: (key: DoraMetricKey | null) => void;
  drilldownId: string;
};

/** The four DORA keys as cards; activating a card opens (or closes) its drill-down. */
export function DoraKpiCards({ current, previous, selected, onSelect, drilldownId }: DoraKpiCardsProps) {
  return (
    <div className="grid grid--4">
      {METRICS.map((metric) => {
        const value = metric.value(current);
        const display = metricDisplay(metric, value);
        return (
          <KpiCard
            key={metric.key}
            title={metric.title}
            value={display.value}
            unit={display.unit}
            rawValue={value}
            badge={<LevelBadge level={metric.level(current)} />}
            detail={detail(metric, current)}
            change={previous ? relativeChange(value, metric.value(previous)) : null}
            direction={metric.direction}
            testId={metric.testId}
            selected={selected === metric.key}
            controls={drilldownId}
            onSelect={() => onSelect(selected === metric.key ? null : metric.key)}
          />
        );
      })}
    </div>
  );
}
