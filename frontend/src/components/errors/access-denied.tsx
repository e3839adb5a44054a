import { Link } from 'react-router-dom';

import { paths } from '@/config/paths';

/** Shown for a page or a piece of data the user may not see (client policy or a 403 answer). */
export function AccessDenied({ message }: { message?: string }) {
  return (
    <section className="state-view" role="alert" aria-labelledby="access-denied-title" data-testid="access-denied">
      <h1 id="access-denied-title">Access denied</h1>
      <p>{message ?? 'You do not have permission to view this page. Ask an administrator if you need access.'}</p>
      <Link to={paths.dora} className="btn">
        Go to the dashboard
      </Link>
    </section>
  );
}
