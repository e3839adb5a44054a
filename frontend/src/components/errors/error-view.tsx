import { AccessDenied } from '@/components/errors/access-denied';
import { ApiError } from '@/lib/api-client';

type ErrorViewProps = {
  error: unknown;
  onRetry?: () => void;
  /** Smaller heading when the error replaces a widget rather than a page. */
  compact?: boolean;
};

/** Renders an error answer: access denied for 403, a generic message with the request id for 5xx. */
export function ErrorView({ error, onRetry, compact = false }: ErrorViewProps) {
  if (error instanceof ApiError && error.isForbidden) {
    return <AccessDenied message="You do not have permission to view this data." />;
  }
  const apiError = error instanceof ApiError ? error : null;
  const serverSide = !apiError || apiError.isServerError;
  const title = serverSide ? 'Something went wrong' : 'The request was not accepted';
  const message = serverSide
    ? apiError?.status === 0
      ? apiError.message
      : 'An unexpected error occurred. Please try again; if it keeps happening, share the request id with support.'
    : apiError.message;
  const Heading = compact ? 'h3' : 'h2';
  return (
    <section className={`state-view${compact ? ' state-view--compact' : ''}`} role="alert" data-testid="error-view">
      <Heading>{title}</Heading>
      <p>{message}</p>
      {apiError?.requestId ? (
        <p className="muted">
          Request id: <code data-testid="request-id">{apiError.requestId}</code>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </section>
  );
}

/** Text of an error for a banner or a form. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Unexpected error.';
}
