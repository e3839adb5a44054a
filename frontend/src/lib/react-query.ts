import { MutationCache, QueryClient } from '@tanstack/react-query';

import { ApiError } from '@/lib/api-client';

type ErrorReporter = (error: unknown) => void;

/** Builds the app's QueryClient; mutation errors go to one reporter (the notification banner). */
export function createQueryClient(onMutationError?: ErrorReporter): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (error) => {
        // 401 already sent the user to login.
        if (error instanceof ApiError && error.isUnauthorized) return;
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
