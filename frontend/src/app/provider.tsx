import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

import { errorMessage } from '@/components/errors/error-view';
import { NotificationsProvider, useNotifications } from '@/components/ui/notifications';
import { ApiError } from '@/lib/api-client';
import { AuthProvider } from '@/lib/auth';
import { createQueryClient } from '@/lib/react-query';
import { ThemeProvider } from '@/lib/theme';

function QueryLayer({ client, children }: { client?: QueryClient; children: ReactNode }) {
  const { notify } = useNotifications();
  const [queryClient] = useState(
    () =>
      client ??
      createQueryClient((error) => {
        if (error instanceof ApiError && error.isForbidden) {
          notify({ tone: 'error', title: 'Access denied', message: 'You do not have permission to do that.' });
        } else if (error instanceof ApiError && error.isServerError) {
          notify({ tone: 'error', title: 'Something went wrong', message: error.message, requestId: error.requestId });
        } else {
          notify({ tone: 'error', title: 'The request was not accepted', message: errorMessage(error) });
        }
      }),
  );
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/** Every provider the app needs, inside a router (BrowserRouter in the app, MemoryRouter in tests). */
export function AppProvider({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  return (
    <ThemeProvider>
      <NotificationsProvider>
        <QueryLayer client={queryClient}>
          <AuthProvider>{children}</AuthProvider>
        </QueryLayer>
      </NotificationsProvider>
    </ThemeProvider>
  );
}
