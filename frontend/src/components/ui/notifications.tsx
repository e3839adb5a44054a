import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type NotificationTone = 'info' | 'success' | 'error';

export type Notification = {
  id: number;
  tone: NotificationTone;
  title: string;
  message?: string;
  requestId?: string | null;
};

type NotificationsContextValue = {
  notify: (notification: Omit<Notification, 'id'>) => void;
  dismiss: (id: number) => void;
};

const NotificationsContext = createContext<NotificationsContextValue | null>(null);

let nextId = 1;

/** One banner area for the app; errors are announced to screen readers with role="alert". */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Notification[]>([]);

  const dismiss = useCallback((id: number) => setItems((list) => list.filter((item) => item.id !== id)), []);
  const notify = useCallback(
    (notification: Omit<Notification, 'id'>) => {
      const id = nextId++;
      setItems((list) => [...list.slice(-3), { ...notification, id }]);
      if (notification.tone !== 'error') window.setTimeout(() => dismiss(id), 5000);
    },
    [dismiss],
  );

  const value = useMemo(() => ({ notify, dismiss }), [notify, dismiss]);

  return (
    <NotificationsContext.Provider value={value}>
      {children}
      <div className="notifications" aria-live="polite">
        {items.map((item) => (
          <div
            key={item.id}
            className={`notification notification--${item.tone}`}
            role={item.tone === 'error' ? 'alert' : 'status'}
          >
            <div>
              <strong>{item.title}</strong>
              {item.message ? <p>{item.message}</p> : null}
              {item.requestId ? (
                <p className="muted">
                  Request id: <code>{item.requestId}</code>
                </p>
              ) : null}
            </div>
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => dismiss(item.id)}>
              Dismiss
            </button>
          </div>
        ))}
      </div>
    </NotificationsContext.Provider>
  );
}

/** `notify({tone, title, message})`; a no-op outside the provider. */
export function useNotifications(): NotificationsContextValue {
  return useContext(NotificationsContext) ?? { notify: () => undefined, dismiss: () => undefined };
}
