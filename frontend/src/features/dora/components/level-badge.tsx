import type { Level } from '@/types/api';

const LABELS: Record<Level, string> = { elite: 'Elite', high: 'High', medium: 'Medium', low: 'Low' };

/** True for the four DORA 2023 performance levels. */
export function isLevel(value: unknown): value is Level {
  return value === 'elite' || value === 'high' || value === 'medium' || value === 'low';
}

/** The DORA performance level as a coloured, labelled badge; "No data" when unknown. */
export function LevelBadge({ level }: { level: Level | string | null | undefined }) {
  if (!isLevel(level)) {
    return (
      <span className="badge badge--neutral" data-level="none">
        No data
      </span>
    );
  }
  return (
    <span className={`badge badge--${level}`} data-level={level} aria-label={`Performance level: ${LABELS[level]}`}>
      {LABELS[level]}
    </span>
  );
}
