import { Link } from 'react-router-dom';

import { paths } from '@/config/paths';

/** Unknown URL inside the app. */
export function NotFoundRoute() {
  return (
    <section className="state-view">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link className="btn" to={paths.dora}>
        Go to the dashboard
      </Link>
    </section>
  );
}
