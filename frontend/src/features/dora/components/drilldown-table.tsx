import { useId, useState } from 'react';

import { errorMessage, ErrorView } from '@/components/errors/error-view';
import { DataTable, type Column, type SortState } from '@/components/ui/data-table';
import { Pagination } from '@/components/ui/pagination';
import { Spinner } from '@/components/ui/spinner';
import { getDrilldown, getDrilldownCsv, useDrilldown } from '@/features/dora/api/get-drilldown';
import type { DoraFilters, DrilldownKind, DrilldownParams } from '@/features/dora/types/dora';
import { ApiError } from '@/lib/api-client';
import { downloadText, toCsv, type CsvColumn } from '@/utils/csv';

const EXPORT_PAGE = 500;
const EXPORT_MAX_ROWS = 20_000;

type DrilldownTableProps<T> = {
  kind: DrilldownKind;
  title: string;
  filters: DoraFilters;
  columns: readonly Column<T>[];
  csvColumns: readonly CsvColumn<T>[];
  rowKey: (row: T) => string | number;
  defaultSort: Exclude<SortState, null>;
};

/**
 * Builds the CSV of every row behind the filters: the server's `format=csv` when it answers CSV,
 * else the JSON pages turned into CSV here.
 */
export async function buildDrilldownCsv<T>(
  kind: DrilldownKind,
  params: Omit<DrilldownParams, 'limit' | 'offset'>,
  csvColumns: readonly CsvColumn<T>[],
): Promise<string> {
  try {
    const text = await getDrilldownCsv(kind, params);
    if (typeof text === 'string' && text.trim() && !/^\s*[[{]/.test(text)) return text;
  } catch (error) {
    if (error instanceof ApiError && (error.isUnauthorized || error.isForbidden)) throw error;
  }
  const rows: T[] = [];
  for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += EXPORT_PAGE) {
    const page = await getDrilldown<T>(kind, { ...params, limit: EXPORT_PAGE, offset });
    rows.push(...page.items);
    if (page.items.length < EXPORT_PAGE || rows.length >= page.total) break;
  }
  return toCsv(rows, csvColumns);
}

/** The rows behind one DORA number: sortable and paginated on the server, exportable to CSV. */
export function DrilldownTable<T>({
  kind,
  title,
  filters,
  columns,
  csvColumns,
  rowKey,
  defaultSort,
}: DrilldownTableProps<T>) {
  const id = useId();
  const [sort, setSort] = useState<SortState>(defaultSort);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(25);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const base = { ...filters, sort: sort?.key, order: sort?.order };
  const query = useDrilldown<T>(kind, { ...base, limit: pageSize, offset: page * pageSize });

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      const text = await buildDrilldownCsv(kind, base, csvColumns);
      downloadText(`pulse-${kind}-${filters.from}-to-${filters.to}.csv`, text);
    } catch (error) {
      setExportError(`Export failed: ${errorMessage(error)}`);
    } finally {
      setExporting(false);
    }
  }

  return (
    <section className="card section" aria-labelledby={`${id}-title`} data-testid={`drilldown-${kind}`}>
      <div className="page-header">
        <div>
          <h2 id={`${id}-title`}>{title}</h2>
          <p className="muted">
            {filters.from} – {filters.to}
          </p>
        </div>
        <div className="toolbar">
          <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </div>
      {exportError ? (
        <p className="form-error" role="alert">
          {exportError}
        </p>
      ) : null}
      {query.isPending ? (
        <Spinner label={`Loading ${title.toLowerCase()}…`} />
      ) : query.isError ? (
        <ErrorView error={query.error} compact onRetry={() => void query.refetch()} />
      ) : (
        <>
          <DataTable
            caption={title}
            columns={columns}
            rows={query.data.items}
            rowKey={rowKey}
            sort={sort}
            onSortChange={(next) => {
              setSort(next);
              setPage(0);
            }}
            emptyText="No rows in this period."
          />
          <Pagination
            label={`${title} pages`}
            page={page}
            pageSize={pageSize}
            total={query.data.total}
            onPageChange={setPage}
            onPageSizeChange={(size) => {
              setPageSize(size);
              setPage(0);
            }}
          />
        </>
      )}
    </section>
  );
}
