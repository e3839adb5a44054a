"""Turning drill-down results into JSON pages or streamed CSV downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from pulse.analytics.dependencies import Listing, Scope
from pulse.analytics.freshness.service import with_freshness


def csv_response(chunks: Iterator[str], name: str) -> StreamingResponse:
    """A streamed `text/csv` attachment."""
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def drilldown(
    *,
    db_session: Session,
    scope: Scope,
    listing: Listing,
    page: Callable[..., Any],
    export: Callable[..., Iterator[str]],
    name: str,
) -> Any:
    """A drill-down answer: one page of rows with its freshness, or (`format=csv`) every row streamed as CSV."""
    query = {
        "db_session": db_session,
        "period": scope.period,
        "filters": scope.filters,
        "sort": listing.sort,
        "order": listing.order,
    }
    if listing.csv:
        chunks = export(**query)
        # The rows stream on a connection of their own: commit facts this request may have just rebuilt.
        db_session.commit()
        return csv_response(chunks, name)
    rows = page(**query, limit=listing.limit, offset=listing.offset)
    return with_freshness(db_session=db_session, client_id=scope.filters.client_id, answer=rows)
