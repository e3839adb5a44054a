import { formatNumber } from '@/utils/format';

/** The unit a duration axis is labelled in. */
export type DurationUnit = 'min' | 'h' | 'd';

export type DurationScale = {
  unit: DurationUnit;
  /** Distance between ticks, in hours. */
  step: number;
  /** Top of the axis, in hours: a whole number of steps. */
  max: number;
};

const HOURS_PER_UNIT: Record<DurationUnit, number> = { min: 1 / 60, h: 1, d: 24 };
// Steps that read well in each unit (minutes by the clock, hours dividing a day, days 1-2-5).
const STEPS: Record<Exclude<DurationUnit, 'd'>, number[]> = {
  min: [1, 2, 5, 10, 15, 20, 30, 60],
  h: [1, 2, 3, 4, 6, 8, 12, 24],
};
const MAX_TICKS = 6;
/** Below this many hours an axis is labelled in hours, from it on in days. */
export const DAYS_FROM_HOURS = 72;

function dayStep(maxDays: number): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const base of [1, 2, 5]) {
      if (maxDays / (base * magnitude) <= MAX_TICKS) return base * magnitude;
    }
  }
}

/**
 * The ticks of a duration axis from 0 to `maxHours`: one unit for the whole axis (minutes under an hour,
 * hours under three days, days from there), at most six steps, each a round number in that unit.
 */
export function durationScale(maxHours: number): DurationScale {
  if (!Number.isFinite(maxHours) || maxHours <= 0) return { unit: 'h', step: 1, max: 1 };
  const unit: DurationUnit = maxHours < 1 ? 'min' : maxHours < DAYS_FROM_HOURS ? 'h' : 'd';
  const inUnit = maxHours / HOURS_PER_UNIT[unit];
  const stepInUnit =
    unit === 'd' ? dayStep(inUnit) : (STEPS[unit].find((step) => inUnit / step <= MAX_TICKS) ?? STEPS[unit].at(-1)!);
  const step = stepInUnit * HOURS_PER_UNIT[unit];
  return { unit, step, max: Math.ceil(inUnit / stepInUnit - 1e-9) * step };
}

/** A tick value (hours) in the scale's unit: "0", "45 min", "12 h", "5 d". */
export function formatDurationTick(hours: number, unit: DurationUnit): string {
  if (hours === 0) return '0';
  return `${formatNumber(hours / HOURS_PER_UNIT[unit], 1)} ${unit}`;
}

/** The largest finite number, or 0. */
export function maxOf(values: Iterable<number | null | undefined>): number {
  let max = 0;
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value) && value > max) max = value;
  return max;
}

/** An ECharts value axis for durations in hours whose largest value (or stack) is `maxHours`. */
export function durationAxis(maxHours: number, extra: Record<string, unknown> = {}) {
  const scale = durationScale(maxHours);
  return {
    type: 'value' as const,
    min: 0,
    max: scale.max,
    interval: scale.step,
    ...extra,
    axisLabel: { formatter: (value: number) => formatDurationTick(value, scale.unit) },
  };
}
