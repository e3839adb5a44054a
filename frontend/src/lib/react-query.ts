import { MutationCache, QueryClient } from '@tanstack/react-query';

import { ApiError } from '@/lib/api-client';

type ErrorReporter = (error: unknown) => void;

/** Builds the app's QueryClient; mutation errors go to one reporter (the notification banner). */
export function createQueryClient(onMutationError?: ErrorReporter): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        // 401 already sent the user to login; `meta.silent` mutations show their errors inline.
        if (error instanceof ApiError && error.isUnauthorized) return;
        if (mutation.meta?.silent) return;
        onMutationError?.(error);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          if (error instanceof ApiError && error.status > 0 && error.status < 500) return false;
          return failureCount < 1;
        },
      },
    },
  });
}
