/** Display helpers. Every one returns "—" for a missing value so cards never show "NaN". */
export const MISSING = '—';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** 1234.5 → "1,234.5" (up to `digits` decimals). */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (!isNumber(value)) return MISSING;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Hours as the most readable unit: minutes under an hour, days from 48 hours. */
export function formatHours(hours: number | null | undefined): string {
  if (!isNumber(hours)) return MISSING;
  if (hours < 1) return `${formatNumber(hours * 60, 0)} min`;
  if (hours < 48) return `${formatNumber(hours, 1)} h`;
  return `${formatNumber(hours / 24, 1)} d`;
}

/** Splits hours into a value and unit, for cards that style them apart. */
export function hoursParts(hours: number | null | undefined): { value: string; unit: string } {
  const text = formatHours(hours);
  if (text === MISSING) return { value: MISSING, unit: '' };
  const [value, unit] = text.split(' ');
  return { value, unit };
}

/** A 0..1 ratio as a percentage. */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (!isNumber(ratio)) return MISSING;
  return `${formatNumber(ratio * 100, digits)}%`;
}

/** ISO timestamp → local date and time. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return MISSING;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** ISO date or timestamp → "12 Mar 2026". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return MISSING;
  const date = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: '2-digit' });
}

/** Relative change from `previous` to `current`, or null when it cannot be computed. */
export function relativeChange(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (!isNumber(current) || !isNumber(previous)) return null;
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

/** "Ada Lovelace" or the email. */
export function personName(person: { first_name?: string | null; last_name?: string | null; email: string }): string {
  const name = [person.first_name, person.last_name].filter(Boolean).join(' ').trim();
  return name || person.email;
}
