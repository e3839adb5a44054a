import type { ReactNode } from 'react';

/** A row of labelled numbers (a description list, so readers hear label and value together). */
export function StatGrid({ label, stats }: { label: string; stats: { term: string; value: ReactNode; testId?: string }[] }) {
  return (
    <dl className="stat-list" aria-label={label}>
      {stats.map((stat) => (
        <div key={stat.term}>
          <dt>{stat.term}</dt>
          <dd data-testid={stat.testId}>{stat.value}</dd>
        </div>
      ))}
    </dl>
  );
}
