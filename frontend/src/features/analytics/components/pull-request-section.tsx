import { useMemo, useState } from 'react';

import { Chart } from '@/components/charts/chart';
import { DataTable, type Column, type SortState } from '@/components/ui/data-table';
import { Pagination } from '@/components/ui/pagination';
import { QueryState } from '@/components/ui/query-state';
import { usePullRequestItems, usePullRequestMetrics, usePullRequestTrend } from '@/features/analytics/api/pull-requests';
import {
  cycleBreakdownOption,
  cycleTrendOption,
  reviewTrendOption,
  throughputTrendOption,
} from '@/features/analytics/components/chart-options';
import { StatGrid } from '@/features/analytics/components/stat-grid';
import type { AnalyticsFilters, PullRequestItem } from '@/features/analytics/types/analytics';
import { formatHours, formatNumber, formatPercent } from '@/utils/format';

const ITEM_COLUMNS: Column<PullRequestItem>[] = [
  {
    key: 'number',
    header: 'Pull request',
    cell: (pr) => (
      <span>
        <strong>
          {pr.repository}#{pr.number}
        </strong>{' '}
        {pr.title}
      </span>
    ),
    sortable: true,
  },
  { key: 'author', header: 'Author', cell: (pr) => pr.author ?? '—' },
  { key: 'coding_hours', header: 'Coding', cell: (pr) => formatHours(pr.coding_hours), sortable: true, numeric: true },
  { key: 'pickup_hours', header: 'Pickup', cell: (pr) => formatHours(pr.pickup_hours), sortable: true, numeric: true },
  { key: 'review_hours', header: 'Review', cell: (pr) => formatHours(pr.review_hours), sortable: true, numeric: true },
  { key: 'deploy_hours', header: 'Deploy', cell: (pr) => formatHours(pr.deploy_hours), sortable: true, numeric: true },
  {
    key: 'total_hours',
    header: 'Cycle time',
    cell: (pr) => <strong>{formatHours(pr.total_hours)}</strong>,
    sortable: true,
    numeric: true,
  },
  {
    key: 'lines',
    header: 'Lines',
    cell: (pr) => formatNumber(pr.lines, 0),
    sortable: true,
    numeric: true,
  },
  { key: 'files', header: 'Files', cell: (pr) => formatNumber(pr.files, 0), sortable: true, numeric: true },
  { key: 'reviews', header: 'Reviews', cell: (pr) => formatNumber(pr.reviews, 0), sortable: true, numeric: true },
];

function PullRequestItems({ filters }: { filters: AnalyticsFilters }) {
  const [sort, setSort] = useState<SortState>({ key: 'total_hours', order: 'desc' });
  const [page, setPage] = useState(0);
  const pageSize = 20;
  const items = usePullRequestItems(filters, {
    limit: pageSize,
    offset: page * pageSize,
    sort: sort?.key,
    order: sort?.order,
  });
  return (
    <QueryState query={items} label="pull requests" compact>
      {(data) => (
        <>
          <DataTable
            caption="Pull requests"
            columns={ITEM_COLUMNS}
            rows={data.items}
            rowKey={(pr) => pr.pull_request_id}
            sort={sort}
            onSortChange={(next) => {
              setSort(next);
              setPage(0);
            }}
            emptyText="No merged pull requests in this period."
          />
          <Pagination label="Pull request pages" page={page} pageSize={pageSize} total={data.total} onPageChange={setPage} />
        </>
      )}
    </QueryState>
  );
}

/** Pull request analytics: cycle time by stage, throughput, review flow, size, rework. */
export function PullRequestSection({ filters, granularity }: { filters: AnalyticsFilters; granularity: string }) {
  const summary = usePullRequestMetrics(filters);
  const trend = usePullRequestTrend(filters, granularity);
  const trendOptions = useMemo(
    () =>
      trend.data
        ? {
            cycle: cycleTrendOption(trend.data),
            throughput: throughputTrendOption(trend.data),
            review: reviewTrendOption(trend.data),
          }
        : null,
    [trend.data],
  );

  return (
    <>
      <QueryState query={summary} label="pull request metrics">
        {(data) => (
          <div className="grid grid--2">
            <section className="card" aria-labelledby="pr-cycle-title">
              <h2 id="pr-cycle-title">Cycle time breakdown</h2>
              <StatGrid
                label="Cycle time"
                stats={[
                  { term: 'Median cycle time', value: formatHours(data.cycle_time?.total_hours), testId: 'pr-cycle-time' },
                  { term: 'Coding', value: formatHours(data.cycle_time?.coding_hours) },
                  { term: 'Pickup', value: formatHours(data.cycle_time?.pickup_hours) },
                  { term: 'Review', value: formatHours(data.cycle_time?.review_hours) },
                  { term: 'Deploy', value: formatHours(data.cycle_time?.deploy_hours) },
                ]}
              />
              <Chart option={cycleBreakdownOption(data.cycle_time)} label="Median pull request cycle time by stage" height={150} />
            </section>
            <section className="card" aria-labelledby="pr-flow-title">
              <h2 id="pr-flow-title">Throughput, review and size</h2>
              <StatGrid
                label="Throughput, review and size"
                stats={[
                  { term: 'Merged PRs', value: formatNumber(data.throughput?.merged, 0), testId: 'pr-merged' },
                  { term: 'Merged per week', value: formatNumber(data.throughput?.per_week) },
                  { term: 'Median reviews', value: formatNumber(data.review?.median_reviews) },
                  { term: 'Median comments', value: formatNumber(data.review?.median_comments) },
                  { term: 'Review cycles', value: formatNumber(data.review?.review_cycles) },
                  { term: 'Median size (lines)', value: formatNumber(data.size?.median_lines, 0) },
                  { term: 'Median files', value: formatNumber(data.size?.median_files, 0) },
                  { term: 'Rework rate', value: formatPercent(data.rework?.rate) },
                ]}
              />
            </section>
          </div>
        )}
      </QueryState>
      <QueryState query={trend} label="pull request trends">
        {() =>
          trendOptions ? (
            <div className="grid grid--3 section">
              <figure className="card" style={{ margin: 0 }}>
                <figcaption>
                  <h3>Cycle time by stage</h3>
                </figcaption>
                <Chart option={trendOptions.cycle} label={`Pull request cycle time by stage per ${granularity}`} />
              </figure>
              <figure className="card" style={{ margin: 0 }}>
                <figcaption>
                  <h3>Throughput and size</h3>
                </figcaption>
                <Chart option={trendOptions.throughput} label={`Merged pull requests and median size per ${granularity}`} />
              </figure>
              <figure className="card" style={{ margin: 0 }}>
                <figcaption>
                  <h3>Review flow</h3>
                </figcaption>
                <Chart option={trendOptions.review} label={`Reviews and comments per ${granularity}`} />
              </figure>
            </div>
          ) : null
        }
      </QueryState>
      <section className="card section" aria-labelledby="pr-items-title">
        <h2 id="pr-items-title">Pull requests</h2>
        <PullRequestItems filters={filters} />
      </section>
    </>
  );
}
