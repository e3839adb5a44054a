"""Turning drill-down results into JSON pages or streamed CSV downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse


def csv_response(chunks: Iterator[str], name: str) -> StreamingResponse:
    """A streamed `text/csv` attachment."""
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def json_page(result: dict[str, Any]) -> dict[str, Any]:
    """`{items, total}` as the routes answer it."""
    return {"items": result["items"], "total": result["total"]}
