import type { ReactNode } from 'react';

import { formatNumber, MISSING } from '@/utils/format';

export type Direction = 'higher-is-better' | 'lower-is-better';

type KpiCardProps = {
  title: string;
  value: string;
  unit?: string;
  /** The unformatted number, exposed as `data-value` so tests can compare it with the API. */
  rawValue?: number | null;
  badge?: ReactNode;
  detail?: ReactNode;
  /** Relative change versus the previous period (0.12 = +12%), or null when unknown. */
  change?: number | null;
  direction?: Direction;
  testId: string;
  /** When given, the card is a toggle button that opens its drill-down. */
  onSelect?: () => void;
  selected?: boolean;
  controls?: string;
};

/** Describes a change for people: arrow, percentage and whether it is an improvement. */
export function describeChange(change: number | null | undefined, direction: Direction) {
  if (change === null || change === undefined || !Number.isFinite(change)) {
    return { text: `${MISSING} vs previous period`, tone: 'flat' as const, label: 'No comparison with the previous period' };
  }
  if (Math.abs(change) < 0.005) {
    return { text: '0% vs previous period', tone: 'flat' as const, label: 'Unchanged from the previous period' };
  }
  const up = change > 0;
  const better = direction === 'higher-is-better' ? up : !up;
  const percent = `${formatNumber(Math.abs(change) * 100, 0)}%`;
  return {
    text: `${up ? '▲' : '▼'} ${percent} vs previous period`,
    tone: better ? ('better' as const) : ('worse' as const),
    label: `${up ? 'Up' : 'Down'} ${percent} from the previous period (${better ? 'better' : 'worse'})`,
  };
}

/** A headline number with its level badge and the change versus the previous period. */
export function KpiCard({
  title,
  value,
  unit,
  rawValue,
  badge,
  detail,
  change = null,
  direction = 'higher-is-better',
  testId,
  onSelect,
  selected = false,
  controls,
}: KpiCardProps) {
  const delta = describeChange(change, direction);
  const body = (
    <>
      <span className="kpi__title">
        <span>{title}</span>
        {badge}
      </span>
      <span className="kpi__value">
        <span data-testid={testId} data-value={rawValue ?? ''}>
          {value}
        </span>
        {unit ? <span className="kpi__unit">{unit}</span> : null}
      </span>
      <span className={`delta delta--${delta.tone}`} aria-label={delta.label} data-testid={`${testId}-change`}>
        {delta.text}
      </span>
      {detail ? <span className="kpi__detail">{detail}</span> : null}
    </>
  );
  if (!onSelect) return <div className="card kpi">{body}</div>;
  return (
    <button
      type="button"
      className="card kpi"
      aria-pressed={selected}
      aria-controls={controls}
      onClick={onSelect}
    >
      {body}
    </button>
  );
}
