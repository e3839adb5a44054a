import { useEffect } from 'react';

/** Sets the browser tab's title ("DORA metrics · Pulse") while the page is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    const previous = document.title;
    document.title = title ? `${title} · Pulse` : 'Pulse';
    return () => {
      document.title = previous;
    };
  }, [title]);
}
