"""Paged, sorted drill-down lists and their CSV export, shared by every metric family."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.core.errors import InvalidInput

MAX_LIMIT = 1000
CSV_BATCH = 2000


def order_clause(sort: str | None, order: str | None, allowed: dict[str, str], default: str, tiebreak: str) -> str:
    """`ORDER BY` text for a whitelisted sort key; 422 naming `sort` or `order` otherwise."""
    key = (sort or default).strip()
    if key not in allowed:
        raise InvalidInput(f"sort: must be one of {', '.join(sorted(allowed))}", field="sort")
    direction = (order or "desc").strip().lower()
    if direction not in ("asc", "desc"):
        raise InvalidInput("order: must be asc or desc", field="order")
    return f"ORDER BY {allowed[key]} {direction.upper()} NULLS LAST, {tiebreak} {direction.upper()}"


def page(
    db_session: Session,
    *,
    ctes: str,
    select: str,
    order_by: str,
    bound: dict[str, Any],
    limit: int,
    offset: int,
    count_select: str | None = None,
) -> dict[str, Any]:
    """`{items, total}` of `select` (which reads the CTEs), sorted and paged.

    `count_select` counts the same rows more cheaply (e.g. without the joins that only add columns).
    """
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise InvalidInput("offset: must be 0 or more", field="offset")
    sql = f"{ctes},\nrows AS ({select})\nSELECT * FROM rows {order_by} LIMIT :_limit OFFSET :_offset"
    result = db_session.execute(text(sql), {**bound, "_limit": limit, "_offset": offset}).mappings().all()
    if offset == 0 and len(result) < limit:
        total = len(result)
    else:
        counter = count_select or f"SELECT count(*) FROM ({select}) AS counted"
        total = int(db_session.execute(text(f"{ctes}\n{counter}"), bound).scalar_one())
    return {"items": [dict(row) for row in result], "total": total}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def csv_rows(
    db_session: Session, *, ctes: str, select: str, order_by: str, bound: dict[str, Any], columns: list[str]
) -> Iterator[str]:
    """Every row of the filter as CSV text chunks (header first), read from the server in batches."""
    bind = db_session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    sql = f"{ctes},\nrows AS ({select})\nSELECT * FROM rows {order_by}"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CSV_BATCH).execute(text(sql), bound)
        for batch in result.mappings().partitions():
            buffer.seek(0)
            buffer.truncate(0)
            for row in batch:
                writer.writerow([_cell(row[c]) for c in columns])
            yield buffer.getvalue()
