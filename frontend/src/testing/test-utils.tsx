import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';

import { AppProvider } from '@/app/provider';
import { AppRoutes } from '@/app/router';
import { createQueryClient } from '@/lib/react-query';

/** Shows the current path so tests can assert navigation. */
export function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Renders the whole app at a URL, with providers and a fresh QueryClient (no retries). */
export function renderApp(route = '/'): RenderResult {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return render(
    <MemoryRouter initialEntries={[route]}>
      <AppProvider queryClient={queryClient}>
        <AppRoutes />
        <LocationProbe />
      </AppProvider>
    </MemoryRouter>,
  );
}

/** Renders one element inside the app's providers, with a login route beside it. */
export function renderWithProviders(ui: ReactElement, { route = '/', login }: { route?: string; login?: ReactNode } = {}) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return render(
    <MemoryRouter initialEntries={[route]}>
      <AppProvider queryClient={queryClient}>
        <Routes>
          <Route path="/login" element={login ?? <p>login page</p>} />
          <Route path="*" element={ui} />
        </Routes>
        <LocationProbe />
      </AppProvider>
    </MemoryRouter>,
  );
}
