import { AnalyticsPage } from '@/features/analytics/components/analytics-page';

/** `/analytics`: pull request and Jira flow analytics. */
export default function AnalyticsRoute() {
  return <AnalyticsPage />;
}
