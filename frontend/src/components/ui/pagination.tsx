type PaginationProps = {
  /** Zero-based page index. */
  page: number;
  pageSize: number;
  total: number;
  onPageChange: (page: number) => void;
  onPageSizeChange?: (size: number) => void;
  label?: string;
  pageSizes?: number[];
};

/** Previous/next pagination with "x–y of n" and an optional page-size choice. */
export function Pagination({
  page,
  pageSize,
  total,
  onPageChange,
  onPageSizeChange,
  label = 'Pagination',
  pageSizes = [10, 25, 50, 100],
}: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="table-footer" aria-label={label}>
      <span aria-live="polite">
        {first}–{last} of {total}
      </span>
      <div className="btn-group">
        {onPageSizeChange ? (
          <label className="checkbox">
            Rows per page
            <select
              className="select--sm"
              value={pageSize}
              onChange={(event) => onPageSizeChange(Number(event.target.value))}
            >
              {pageSizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" className="btn btn--sm" disabled={page <= 0} onClick={() => onPageChange(page - 1)}>
          Previous page
        </button>
        <span>
          Page {Math.min(page + 1, pages)} of {pages}
        </span>
        <button
          type="button"
          className="btn btn--sm"
          disabled={page + 1 >= pages}
          onClick={() => onPageChange(page + 1)}
        >
          Next page
        </button>
      </div>
    </nav>
  );
}
