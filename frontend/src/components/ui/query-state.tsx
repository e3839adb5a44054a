import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

import { ErrorView } from '@/components/errors/error-view';
import { Spinner } from '@/components/ui/spinner';

type QueryStateProps<T> = {
  query: Pick<UseQueryResult<T>, 'data' | 'error' | 'isPending' | 'isError' | 'refetch'>;
  label?: string;
  compact?: boolean;
  children: (data: T) => ReactNode;
};

/** Loading, error (403 → access denied, 5xx → request id) or the data. */
export function QueryState<T>({ query, label, compact, children }: QueryStateProps<T>) {
  if (query.isPending) return <Spinner label={label ? `Loading ${label}…` : undefined} />;
  if (query.isError) return <ErrorView error={query.error} compact={compact} onRetry={() => void query.refetch()} />;
  return <>{children(query.data as T)}</>;
}
