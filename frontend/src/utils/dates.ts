/** Date-only helpers in UTC, matching the API's YYYY-MM-DD parameters. */
const DAY_MS = 86_400_000;

/** Date → "YYYY-MM-DD" (UTC). */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" → Date at UTC midnight, or null. */
export function parseIsoDate(value: string | null | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(value: string, days: number): string {
  const date = parseIsoDate(value);
  if (!date) return value;
  return isoDate(new Date(date.getTime() + days * DAY_MS));
}

/** The last `days` days, ending today. */
export function defaultRange(days = 90, today: Date = new Date()): { from: string; to: string } {
  const to = isoDate(today);
  return { from: addDays(to, -(days - 1)), to };
}

/** The period of the same length just before [from, to] (both inclusive). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const start = parseIsoDate(from);
  const end = parseIsoDate(to);
  if (!start || !end) return { from, to };
  const length = Math.round((end.getTime() - start.getTime()) / DAY_MS) + 1;
  const previousTo = addDays(from, -1);
  return { from: addDays(previousTo, -(length - 1)), to: previousTo };
}
