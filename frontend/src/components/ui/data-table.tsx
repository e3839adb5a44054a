import type { ReactNode } from 'react';

export type SortOrder = 'asc' | 'desc';
export type SortState = { key: string; order: SortOrder } | null;

export type Column<T> = {
  /** Also the `sort` value sent to the server. */
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  sortable?: boolean;
  numeric?: boolean;
};

type DataTableProps<T> = {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  emptyText?: string;
  rowProps?: (row: T) => { className?: string; 'data-testid'?: string };
  captionHidden?: boolean;
};

/** Next sort when a header is activated: ascending, then descending, then the column's ascending again. */
export function nextSort(current: SortState, key: string): SortState {
  if (!current || current.key !== key) return { key, order: 'asc' };
  return { key, order: current.order === 'asc' ? 'desc' : 'asc' };
}

/** An accessible table; sortable headers are buttons and carry aria-sort. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  sort = null,
  onSortChange,
  emptyText = 'Nothing to show.',
  rowProps,
  captionHidden = true,
}: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table>
        <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key;
              const ariaSort = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={column.sortable ? (ariaSort ?? 'none') : undefined}
                  className={column.numeric ? 'num' : undefined}
                >
                  {column.sortable && onSortChange ? (
                    <button type="button" className="sort-button" onClick={() => onSortChange(nextSort(sort, column.key))}>
                      {column.header}
                      <span aria-hidden="true">{active ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}</span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {emptyText}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((column) => (
                  <td key={column.key} className={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
