import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

type Updates = Record<string, string | number | null | undefined>;

/** Reads and writes URL query parameters, so filters survive reloads and can be shared as links. */
export function useSearchState() {
  const [searchParams, setSearchParams] = useSearchParams();

  const get = useCallback(
    (key: string, fallback = ''): string => searchParams.get(key) ?? fallback,
    [searchParams],
  );

  const set = useCallback(
    (updates: Updates, options: { replace?: boolean } = {}) => {
      setSearchParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(updates)) {
            if (value === null || value === undefined || value === '') next.delete(key);
            else next.set(key, String(value));
          }
          return next;
        },
        { replace: options.replace ?? false },
      );
    },
    [setSearchParams],
  );

  return { searchParams, get, set };
}
